//! The simulator as a stand-in for Vipps: auth, validation, state rules,
//! expiry, rate limits and the /sim controls, checked over raw HTTP.

mod epayment_support;

use epayment_support::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

fn create_body(r: &str) -> Value {
    json!({
        "amount": {"currency": "NOK", "value": 3500},
        "paymentMethod": {"type": "WALLET"},
        "customerInteraction": "CUSTOMER_PRESENT",
        "userFlow": "QR",
        "qrFormat": {"format": "TEXT/TARGETURL"},
        "reference": r,
        "paymentDescription": "Cola 0,5 l",
    })
}

/// Creates with `body` and returns (status, problem body).
async fn create_raw(t: &TestSim, body: Value) -> (u16, Value) {
    let req = t.raw(Method::POST, "/epayment/v1/payments").await;
    let res = req
        .header("Idempotency-Key", key())
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// A named change to a valid create body.
type Change = (&'static str, Box<dyn Fn(&mut Value)>);

fn field_of(problem: &Value) -> &str {
    problem["extraDetails"][0]["name"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn calls_without_a_valid_bearer_token_get_401() {
    let t = spawn().await;
    let path = format!("{}/epayment/v1/payments/vm-042-00000001", t.base);
    let c = vendscreen_server::simulator::SimulatorCredentials::default();
    let bare = t
        .http
        .get(&path)
        .header("Ocp-Apim-Subscription-Key", &c.subscription_key);
    assert_eq!(bare.send().await.unwrap().status(), 401);
    let token = t.token().await;
    let no_word = t.http.get(&path).header("Authorization", &token);
    let no_word = no_word.header("Ocp-Apim-Subscription-Key", &c.subscription_key);
    assert_eq!(no_word.send().await.unwrap().status(), 401);
    let other_key = t
        .http
        .get(&path)
        .bearer_auth(&token)
        .header("Ocp-Apim-Subscription-Key", "0".repeat(32));
    assert_eq!(other_key.send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_token_call_needs_the_credentials_and_answers_strings() {
    let t = spawn().await;
    let bad = t
        .http
        .post(format!("{}/accesstoken/get", t.base))
        .header("client_id", "x");
    assert_eq!(bad.send().await.unwrap().status(), 401);
    let c = vendscreen_server::simulator::SimulatorCredentials::default();
    let ok = t.http.post(format!("{}/accesstoken/get", t.base));
    let ok = ok
        .header("client_id", c.client_id)
        .header("client_secret", c.client_secret);
    let body: Value = ok
        .header("Ocp-Apim-Subscription-Key", c.subscription_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], "3600");
    assert!(body["access_token"]
        .as_str()
        .unwrap()
        .starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1Ni"));
}

#[tokio::test]
async fn the_merchant_serial_number_is_required_and_checked() {
    let t = spawn().await;
    let c = vendscreen_server::simulator::SimulatorCredentials::default();
    let url = format!("{}/epayment/v1/payments/vm-042-00000001", t.base);
    let without = t
        .http
        .get(&url)
        .bearer_auth(t.token().await)
        .header("Ocp-Apim-Subscription-Key", &c.subscription_key);
    let res = without.send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        field_of(&res.json().await.unwrap()),
        "Merchant-Serial-Number"
    );
    let other = t
        .http
        .get(&url)
        .bearer_auth(t.token().await)
        .header("Ocp-Apim-Subscription-Key", &c.subscription_key);
    assert_eq!(
        other
            .header("Merchant-Serial-Number", "999999")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn create_without_idempotency_key_is_refused() {
    let t = spawn().await;
    let req = t.raw(Method::POST, "/epayment/v1/payments").await;
    let res = req.json(&create_body(&reference())).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(field_of(&res.json().await.unwrap()), "Idempotency-Key");
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let t = spawn().await;
    let cases: Vec<Change> = vec![
        (
            "reference",
            Box::new(|b| b["reference"] = json!("has space 123")),
        ),
        (
            "paymentDescription",
            Box::new(|b| b["paymentDescription"] = json!("ab")),
        ),
        (
            "amount.currency",
            Box::new(|b| b["amount"]["currency"] = json!("SEK")),
        ),
        ("userFlow", Box::new(|b| b["userFlow"] = json!("FAX"))),
        (
            "customerInteraction",
            Box::new(|b| b["customerInteraction"] = json!("MAYBE")),
        ),
        (
            "receipt.orderLines",
            Box::new(|b| b["receipt"] = json!({"bottomLine": {"currency": "NOK"}})),
        ),
        (
            "paymentMethod.type",
            Box::new(|b| b["paymentMethod"] = json!({})),
        ),
    ];
    for (field, change) in cases {
        let mut body = create_body(&reference());
        change(&mut body);
        let (status, problem) = create_raw(&t, body).await;
        assert_eq!((status, field_of(&problem)), (400, field), "{problem}");
        assert!(problem["traceId"].as_str().unwrap().starts_with("00-"));
    }
}

#[tokio::test]
async fn an_amount_below_one_krone_is_6010() {
    let t = spawn().await;
    let mut body = create_body(&reference());
    body["amount"]["value"] = json!(99);
    let (status, problem) = create_raw(&t, body).await;
    assert_eq!(status, 400);
    assert_eq!(
        problem["extraDetails"][0],
        json!({"name": "ErrorCode", "reason": "6010"})
    );
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_stored_answer() {
    let t = spawn().await;
    let (r, k) = (reference(), key());
    let mut answers = Vec::new();
    for _ in 0..2 {
        let req = t.raw(Method::POST, "/epayment/v1/payments").await;
        let res = req
            .header("Idempotency-Key", &k)
            .json(&create_body(&r))
            .send()
            .await
            .unwrap();
        answers.push((res.status().as_u16(), res.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 201);
    assert_eq!(t.sim.payment_count(), 1);
}

/// The refusal a money call gets: (HTTP status, `ErrorCode`).
fn refused(code: &str) -> (u16, Option<String>) {
    (400, Some(code.to_string()))
}

#[tokio::test]
async fn a_payment_expires_after_ten_minutes_on_the_simulated_clock() {
    let t = spawn().await;
    let r = t.created(3500).await;
    t.sim.advance_clock(Duration::from_secs(599));
    assert_eq!(t.payment_raw(&r).await["state"], "CREATED");
    let res = t
        .http
        .post(format!("{}/sim/clock/advance", t.base))
        .json(&json!({"seconds": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(t.payment_raw(&r).await["state"], "EXPIRED");
    assert_eq!(
        t.modify_raw(&r, "capture", Some(3500)).await,
        refused("6200")
    );
}

#[tokio::test]
async fn the_controls_move_only_created_payments() {
    let t = spawn().await;
    let r = t.created(3500).await;
    assert_eq!(t.control(&r, "reject").await, 200);
    assert_eq!(t.control(&r, "approve").await, 409);
    assert_eq!(t.control("vm-042-nobody-here", "approve").await, 404);
    assert_eq!(t.payment_raw(&r).await["state"], "ABORTED");
    assert_eq!(t.modify_raw(&r, "cancel", None).await, refused("6190"));
    assert_eq!(t.modify_raw(&r, "refund", Some(100)).await, refused("6210"));
    let e = t.created(3500).await;
    assert_eq!(t.control(&e, "expire").await, 200);
    assert_eq!(t.payment_raw(&e).await["state"], "EXPIRED");
}

#[tokio::test]
async fn cancelled_and_captured_payments_refuse_the_wrong_next_step() {
    let t = spawn().await;
    let r = t.authorized(3500).await;
    assert_eq!(t.modify_raw(&r, "cancel", None).await, (200, None));
    assert_eq!(
        t.modify_raw(&r, "capture", Some(100)).await,
        refused("6070")
    );
    let c = t.authorized(3500).await;
    assert_eq!(t.modify_raw(&c, "capture", Some(3500)).await, (200, None));
    assert_eq!(t.modify_raw(&c, "cancel", None).await, refused("6040"));
}

#[tokio::test]
async fn force_approve_authorizes_like_the_app() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let req = t
        .raw(
            Method::POST,
            &format!("/epayment/v1/test/payments/{r}/approve"),
        )
        .await;
    let res = req
        .json(&json!({"customer": {"phoneNumber": "4712345678"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let p = t.payment_raw(&r).await;
    assert_eq!(p["state"], "AUTHORIZED");
    assert_eq!(
        p["aggregate"]["authorizedAmount"],
        json!({"currency": "NOK", "value": 3500})
    );
}

#[tokio::test]
async fn the_sixth_modification_in_a_minute_is_rate_limited() {
    let t = spawn().await;
    let r = t.authorized(10_000).await; // the create counts as one
    for _ in 0..4 {
        assert_eq!(t.modify_raw(&r, "capture", Some(100)).await, (200, None));
    }
    let req = t
        .raw(Method::POST, &format!("/epayment/v1/payments/{r}/capture"))
        .await;
    let req = req
        .header("Idempotency-Key", key())
        .json(&json!({"modificationAmount": {"currency": "NOK", "value": 100}}));
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn the_phone_page_shows_the_purchase_and_its_end() {
    let t = spawn().await;
    let r = reference();
    let url = t
        .client
        .create_payment(&order(&r, 3500), &key())
        .await
        .unwrap();
    let page = t.http.get(&url).send().await.unwrap().text().await.unwrap();
    for needle in [
        "name=viewport",
        "35,00 kr",
        "Cola 0,5 l",
        "Approve",
        "Decline",
    ] {
        assert!(page.contains(needle), "{needle} missing");
    }
    t.sim.advance_clock(Duration::from_secs(601));
    let page = t.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("expired"));
}

#[tokio::test]
async fn the_qr_image_is_gone_after_expiry() {
    let t = spawn().await;
    let mut req = order(&reference(), 3500);
    req.qr_format = vendscreen_server::epayment::QrFormat::Svg;
    let url = t.client.create_payment(&req, &key()).await.unwrap();
    let res = t.http.get(&url).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    t.sim.advance_clock(Duration::from_secs(601));
    assert_eq!(t.http.get(&url).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn an_overlong_system_header_is_refused() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let req = t
        .raw(Method::GET, &format!("/epayment/v1/payments/{r}"))
        .await;
    let res = req
        .header("Vipps-System-Name", "x".repeat(31))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(field_of(&res.json().await.unwrap()), "Vipps-System-Name");
}

/// A capture of 3500 øre under Idempotency-Key `k`; the status.
async fn capture_with_key(t: &TestSim, r: &str, k: &str) -> u16 {
    let path = format!("/epayment/v1/payments/{r}/capture");
    let req = t
        .raw(Method::POST, &path)
        .await
        .header("Idempotency-Key", k);
    let body = json!({"modificationAmount": {"currency": "NOK", "value": 3500}});
    req.json(&body).send().await.unwrap().status().as_u16()
}

/// One request-log entry as (operation, status, errorCode, refused, replayed, injected).
fn logged(e: &Value) -> (Value, Value, Value, Value, Value, Value) {
    let f = |k: &str| e[k].clone();
    (
        f("operation"),
        f("status"),
        f("errorCode"),
        f("refused"),
        f("replayed"),
        f("injected"),
    )
}

#[tokio::test]
async fn the_request_log_lists_every_money_call_with_its_answer() {
    let t = spawn().await;
    let r = t.authorized(3500).await;
    assert_eq!(
        t.modify_raw(&r, "capture", Some(3501)).await,
        refused("6090")
    );
    t.sim
        .inject_fault(vendscreen_server::simulator::Fault::status("capture", 503));
    for status in [503, 200, 200] {
        assert_eq!(capture_with_key(&t, &r, "key-1").await, status);
    }
    t.payment_raw(&r).await; // a read is not a money call
    let url = format!("{}/sim/log?reference={r}", t.base);
    let log: Value = t.http.get(url).send().await.unwrap().json().await.unwrap();
    let entries = log["entries"].as_array().unwrap();
    let seen: Vec<_> = entries.iter().map(logged).collect();
    let n = Value::Null;
    let (yes, no) = (json!(true), json!(false));
    let capture = json!("capture");
    assert_eq!(
        seen,
        [
            (
                json!("create"),
                json!(201),
                n.clone(),
                no.clone(),
                no.clone(),
                n.clone()
            ),
            (
                capture.clone(),
                json!(400),
                json!("6090"),
                yes,
                no.clone(),
                n.clone()
            ),
            (
                capture.clone(),
                json!(503),
                n.clone(),
                no.clone(),
                no.clone(),
                json!("status 503")
            ),
            (
                capture.clone(),
                json!(200),
                n.clone(),
                no.clone(),
                no.clone(),
                n.clone()
            ),
            (capture, json!(200), n.clone(), no, json!(true), n),
        ]
    );
    let last = &entries[4];
    assert_eq!(
        (last["idempotencyKey"].as_str(), last["amount"].as_i64()),
        (Some("key-1"), Some(3500))
    );
    assert_eq!(last["reference"], r.as_str());
    assert!(last["time"].as_str().unwrap().ends_with('Z'));
    assert!(entries
        .windows(2)
        .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64()));
}
