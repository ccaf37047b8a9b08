//! The real dispensers behind the engine: `http` against a tiny machine
//! controller of the test's own (a real HTTP server), and `command` running a
//! program that outlasts `dispenser.timeout_s`. Each machine pays at another
//! app acting as Vipps (no simulator runs beside a dispenser of real goods),
//! and the money is read there.

use crate::helpers::{spawn_app, spawn_machine_paying_at, TestApp};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use vendscreen_protocol::{EndReason, SessionState as S};

/// What the controller answers to a vend.
#[derive(Clone, Copy)]
enum Answer {
    Vended,
    Failed,
}

/// A machine controller: answers vends as told and remembers each request.
struct Controller {
    answer: Answer,
    ready: bool,
    vends: Mutex<Vec<Value>>,
}

/// Serves a controller on a free port; returns its vend URL and itself.
async fn controller(answer: Answer, ready: bool) -> (String, Arc<Controller>) {
    let state = Arc::new(Controller {
        answer,
        ready,
        vends: Mutex::default(),
    });
    let app = Router::new()
        .route("/vend", post(vend))
        .route("/vend/ready", get(ready_check))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/vend", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

async fn vend(State(c): State<Arc<Controller>>, Json(body): Json<Value>) -> Json<Value> {
    c.vends.lock().unwrap().push(body);
    Json(json!({ "vended": matches!(c.answer, Answer::Vended) }))
}

async fn ready_check(State(c): State<Arc<Controller>>) -> StatusCode {
    if c.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

/// A machine with the `http` dispenser at `url`, paying at `vipps`.
async fn http_machine(vipps: &TestApp, url: &str) -> TestApp {
    let extra = [
        ("VENDSCREEN_DISPENSER_KIND", "http"),
        ("VENDSCREEN_DISPENSER_URL", url),
    ];
    spawn_machine_paying_at(vipps, &extra).await
}

/// The payment's aggregate amounts at Vipps: (captured, cancelled).
async fn settled(vipps: &TestApp, reference: &str) -> (i64, i64) {
    let a = vipps.payment(reference).await["aggregate"].clone();
    let value = |k: &str| a[k]["value"].as_i64().unwrap();
    (value("capturedAmount"), value("cancelledAmount"))
}

#[tokio::test]
async fn the_http_dispenser_is_told_the_slot_and_reference_and_a_confirmed_vend_is_captured() {
    let vipps = spawn_app().await;
    let (url, controller) = controller(Answer::Vended, true).await;
    let machine = http_machine(&vipps, &url).await;
    let r = machine.buy("cola").await.reference;
    vipps.customer(&r, "approve").await;
    machine.wait_for(&r, S::Completed).await;
    let asked = controller.vends.lock().unwrap().clone();
    assert_eq!(asked, [json!({ "slot": "A1", "reference": r })]);
    assert_eq!(settled(&vipps, &r).await, (3500, 0));
    vipps.vipps().assert_captured_under_one_key(&r).await;
}

#[tokio::test]
async fn a_vend_the_http_dispenser_reports_failed_is_released_and_charges_nothing() {
    let vipps = spawn_app().await;
    let (url, controller) = controller(Answer::Failed, true).await;
    let machine = http_machine(&vipps, &url).await;
    let r = machine.buy("cola").await.reference;
    vipps.customer(&r, "approve").await;
    let ended = machine.wait_for(&r, S::VendFailed).await;
    assert_eq!(ended.reason, Some(EndReason::VendFailed));
    assert_eq!(controller.vends.lock().unwrap().len(), 1);
    assert_eq!(settled(&vipps, &r).await, (0, 3500));
    // The machine said it did not vend: nothing for a person to look at.
    assert!(machine.needs_operator().await.is_empty());
}

#[tokio::test]
async fn an_http_dispenser_that_is_not_ready_refuses_the_purchase_before_any_payment() {
    let vipps = spawn_app().await;
    let (url, controller) = controller(Answer::Vended, false).await;
    let machine = http_machine(&vipps, &url).await;
    let resp = machine
        .post_json("/api/sessions", json!({ "productId": "cola" }))
        .await;
    assert_eq!(resp.status(), 503);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["reason"], "dispenserNotReady", "{problem}");
    let snapshot = machine.events().await.next().await.1;
    assert_eq!(snapshot["machine"]["inService"], false, "{snapshot}");
    assert!(controller.vends.lock().unwrap().is_empty());
    let log = vipps.vipps().log().await;
    assert!(log.iter().all(|e| e["operation"] != "create"), "{log:?}");
}

#[tokio::test]
async fn a_vend_that_outlasts_the_dispenser_timeout_is_released_and_flagged_for_a_person() {
    let vipps = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    let script = dir.path().join("vend.sh");
    // The machine jams: no answer within `timeout_s`, the product may drop.
    let body = format!(
        "#!/bin/sh\necho \"$2\" > '{}'\nsleep 30\n",
        started.display()
    );
    std::fs::write(&script, body).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let command = script.display().to_string();
    let extra = [
        ("VENDSCREEN_DISPENSER_KIND", "command"),
        ("VENDSCREEN_DISPENSER_COMMAND", command.as_str()),
        ("VENDSCREEN_DISPENSER_TIMEOUT_S", "1"),
    ];
    let machine = spawn_machine_paying_at(&vipps, &extra).await;
    let r = machine.buy("cola").await.reference;
    vipps.customer(&r, "approve").await;
    let ended = machine.wait_for(&r, S::VendFailed).await;
    assert_eq!(ended.reason, Some(EndReason::VendTimeout));
    assert_eq!(std::fs::read_to_string(&started).unwrap().trim(), r);
    // Never charged for what nobody saw drop; a person must look at the machine.
    assert_eq!(settled(&vipps, &r).await, (0, 3500));
    assert_eq!(machine.needs_operator().await, [r.as_str()]);
    let calls = vipps.vipps().money_calls(&r).await;
    assert!(
        calls.iter().all(|c| c["operation"] != "capture"),
        "{calls:?}"
    );
}
