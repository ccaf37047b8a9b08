//! The operator's money tools as the real binary, beside a running server:
//! `operator refund` pays back at the server's own simulator (through its
//! listener), `operator sales` reads the same SQLite file.

use crate::cli::Ran;
use crate::helpers::{spawn_app, TestApp};
use serde_json::Value;
use vendscreen_protocol::SessionState;

/// Runs `vendscreen-server ARGS` with `app`'s store and listener.
async fn cli(app: &TestApp, args: &[&str]) -> Ran {
    let store = app.dir.path().join("test.db").display().to_string();
    let listen = app.base.trim_start_matches("http://");
    let env = [
        ("VENDSCREEN_STORE_PATH", store.as_str()),
        ("VENDSCREEN_SERVER_LISTEN", listen),
    ];
    crate::cli::run(&env, args).await
}

async fn refund(app: &TestApp, reference: &str, extra: &[&str]) -> Ran {
    let mut args = vec!["operator", "refund", reference];
    args.extend_from_slice(extra);
    cli(app, &args).await
}

/// A purchase vended and captured.
async fn completed(app: &TestApp, product: &str) -> String {
    let s = app.buy(product).await;
    app.customer(&s.reference, "approve").await;
    app.wait_for(&s.reference, SessionState::Completed).await;
    s.reference
}

fn value(payment: &Value, what: &str) -> i64 {
    payment["aggregate"][what]["value"].as_i64().unwrap()
}

async fn refund_calls(app: &TestApp, reference: &str) -> usize {
    let calls = app.vipps().money_calls(reference).await;
    calls.iter().filter(|c| c["operation"] == "refund").count()
}

#[tokio::test]
async fn a_refund_run_twice_refunds_once() {
    let app = spawn_app().await;
    let reference = completed(&app, "cola").await;
    let first = refund(&app, &reference, &["--reason", "nothing came out"]).await;
    assert_eq!(first.code, 0, "{}", first.err);
    assert!(first.out.contains("refunded 35.00 NOK"), "{}", first.out);
    let again = refund(&app, &reference, &["--reason", "nothing came out"]).await;
    assert_eq!(again.code, 0, "{}", again.err);
    assert!(again.out.contains("already"), "{}", again.out);
    assert_eq!(refund_calls(&app, &reference).await, 1);
    let payment = app.payment(&reference).await;
    assert_eq!(value(&payment, "refundedAmount"), 3500);
    // Nothing is left: any more is refused, and Vipps is not asked.
    let more = refund(&app, &reference, &["--amount", "1"]).await;
    assert_eq!(more.code, 1);
    assert!(more.err.contains("only 0.00 is left"), "{}", more.err);
    assert_eq!(refund_calls(&app, &reference).await, 1);
}

#[tokio::test]
async fn partial_refunds_add_up_to_no_more_than_was_captured() {
    let app = spawn_app().await;
    let reference = completed(&app, "water").await;
    for args in [
        &["--amount", "1000"][..],
        &["--amount", "1000"],
        &["--amount", "1000", "--nth", "2"],
    ] {
        let ran = refund(&app, &reference, args).await;
        assert_eq!(ran.code, 0, "{args:?}: {}", ran.err);
    }
    assert_eq!(refund_calls(&app, &reference).await, 2);
    assert_eq!(
        value(&app.payment(&reference).await, "refundedAmount"),
        2000
    );
    let too_much = refund(&app, &reference, &["--amount", "901"]).await;
    assert_eq!(too_much.code, 1);
    assert!(too_much.err.contains("refusing"), "{}", too_much.err);
    let rest = refund(&app, &reference, &["--amount", "900"]).await;
    assert_eq!(rest.code, 0, "{}", rest.err);
    assert_eq!(
        value(&app.payment(&reference).await, "refundedAmount"),
        2900
    );
}

#[tokio::test]
async fn a_purchase_never_captured_is_not_refunded() {
    let app = spawn_app().await;
    let s = app.buy("cola").await;
    let cancel = app
        .post_json(
            &format!("/api/sessions/{}/cancel", s.reference),
            serde_json::json!({}),
        )
        .await;
    assert!(cancel.status().is_success(), "{}", cancel.status());
    app.wait_for(&s.reference, SessionState::Cancelled).await;
    let ran = refund(&app, &s.reference, &[]).await;
    assert_eq!(ran.code, 1);
    assert!(ran.err.contains("never captured"), "{}", ran.err);
    assert_eq!(refund_calls(&app, &s.reference).await, 0);
    let unknown = refund(&app, "vm-nobody-000001", &[]).await;
    assert!(unknown.err.contains("no purchase"), "{}", unknown.err);
}

#[tokio::test]
async fn the_sales_csv_totals_equal_what_vipps_captured_minus_refunded() {
    let app = spawn_app().await;
    let cola = completed(&app, "cola").await;
    let coffee = completed(&app, "coffee").await;
    let cancelled = app.buy("water").await.reference;
    app.post_json(
        &format!("/api/sessions/{cancelled}/cancel"),
        serde_json::json!({}),
    )
    .await;
    app.wait_for(&cancelled, SessionState::Cancelled).await;
    assert_eq!(refund(&app, &cola, &["--amount", "1250"]).await.code, 0);
    let today = time::OffsetDateTime::now_utc().date();
    let (from, to) = (today.previous_day().unwrap(), today.next_day().unwrap());
    let (from, to) = (from.to_string(), to.to_string());
    let args = [
        "operator", "sales", "--from", &from, "--to", &to, "--format", "csv",
    ];
    let ran = cli(&app, &args).await;
    assert_eq!(ran.code, 0, "{}", ran.err);
    let mut rows = csv::Reader::from_reader(ran.out.as_bytes());
    let header = rows.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let column = |row: &csv::StringRecord, name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        row[i].to_string()
    };
    assert_eq!(rows.len(), 4, "{}", ran.out);
    let total = rows.last().unwrap();
    assert_eq!(column(total, "time"), "TOTAL");
    let mut net = 0;
    for reference in [&cola, &coffee, &cancelled] {
        let p = app.payment(reference).await;
        net += value(&p, "capturedAmount") - value(&p, "refundedAmount");
    }
    assert_eq!(net, 3500 + 4200 - 1250);
    assert_eq!(
        column(total, "net"),
        format!("{}.{:02}", net / 100, net % 100)
    );
    assert_eq!(column(total, "captured"), "77.00");
    assert_eq!(column(total, "refunded"), "12.50");
    let first = &rows[0];
    assert_eq!(column(first, "reference"), cola);
    // 35.00 with 15 % VAT: 30.43 + 4.57, as on the receipt.
    assert_eq!(
        (column(first, "excl_vat"), column(first, "vat")),
        ("30.43".into(), "4.57".into())
    );
    assert_eq!(column(&rows[2], "outcome"), "cancelled");
}

#[tokio::test]
async fn every_command_has_help_and_usage_errors_exit_2() {
    let app = spawn_app().await;
    let help = cli(&app, &["--help"]).await;
    assert_eq!(help.code, 0);
    assert!(
        help.out.contains("operator") && help.out.contains("fleet"),
        "{}",
        help.out
    );
    let refund_help = cli(&app, &["operator", "refund", "--help"]).await;
    assert!(refund_help.out.contains("--nth"), "{}", refund_help.out);
    let missing = cli(&app, &["operator", "refund"]).await;
    assert_eq!(missing.code, 2);
    assert!(missing.err.contains("<REFERENCE>"), "{}", missing.err);
    let unknown = cli(&app, &["--frobnicate"]).await;
    assert_eq!(unknown.code, 2);
    let list = cli(&app, &["operator", "list"]).await;
    assert_eq!(
        (list.code, list.out.as_str()),
        (0, "nothing waits for an operator\n")
    );
}

#[tokio::test]
async fn a_demo_refund_without_its_server_says_where_it_looked() {
    let app = spawn_app().await;
    let reference = completed(&app, "cola").await;
    let store = app.dir.path().join("test.db").display().to_string();
    let env = [
        ("VENDSCREEN_STORE_PATH", store.as_str()),
        // Nothing listens on port 1: the demo's simulator is not there.
        ("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:1"),
    ];
    let ran = crate::cli::run(&env, &["operator", "refund", &reference]).await;
    assert_eq!(ran.code, 1);
    assert!(
        ran.err.contains("127.0.0.1:1: is it running?"),
        "{}",
        ran.err
    );
    assert_eq!(refund_calls(&app, &reference).await, 0);
    assert!(app.vipps().payment(&reference).await["aggregate"]["refundedAmount"]["value"] == 0);
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_finished_by_running_it_again() {
    let app = spawn_app().await;
    let reference = completed(&app, "cola").await;
    // Vipps refunds, and every answer of one command's (three) tries is lost.
    let lose = serde_json::json!({
        "endpoint": "refund", "dropConnection": true, "afterProcessing": true, "times": 3,
    });
    app.fault(lose).await;
    let lost = refund(&app, &reference, &["--amount", "1500"]).await;
    assert_eq!(lost.code, 1);
    assert!(
        lost.err.contains("run the same command again"),
        "{}",
        lost.err
    );
    assert_eq!(
        value(&app.payment(&reference).await, "refundedAmount"),
        1500
    );
    // Nothing else is refunded while that one's outcome is unknown here.
    let other = refund(&app, &reference, &["--amount", "500"]).await;
    assert_eq!(other.code, 1);
    assert!(other.err.contains("has no answer yet"), "{}", other.err);
    // The operator tries again later (Vipps allows 5 refunds a minute).
    app.advance_clock(60).await;
    let again = refund(&app, &reference, &["--amount", "1500"]).await;
    assert_eq!(again.code, 0, "{}", again.err);
    assert!(again.out.contains("refunded 15.00 NOK"), "{}", again.out);
    assert_eq!(
        value(&app.payment(&reference).await, "refundedAmount"),
        1500
    );
    let done = refund(&app, &reference, &["--amount", "1500"]).await;
    assert!(done.out.contains("already"), "{}", done.out);
}
