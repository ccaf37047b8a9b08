//! An answer that is not the documented JSON (a captive portal's page, a
//! proxy's error in HTML with status 200) is reported as such: not as "API
//! error, status 200", a refusal that would end the purchase or list it for
//! a person, but as a failure worth another try.

mod epayment_support;

use axum::routing::post;
use axum::Router;
use epayment_support::{fast_retry, settings};
use std::time::Duration;
use vendscreen_server::epayment::{EpaymentClient, EpaymentError};
use vendscreen_server::telemetry::metrics;

const PORTAL: &str = "<html><body>Sign in to the hotel Wi-Fi</body></html>";

/// A server on a real port that answers 200 with an HTML page to everything
/// but, when `good_token`, the access token.
async fn garbage_server(good_token: bool) -> String {
    let token = if good_token {
        r#"{"access_token":"t0k","expires_in":"3600","token_type":"Bearer"}"#
    } else {
        PORTAL
    };
    let app = Router::new()
        .route("/accesstoken/get", post(move || async move { token }))
        .fallback(|| async { ([("content-type", "text/html")], PORTAL) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn client(base: &str) -> EpaymentClient {
    EpaymentClient::with_retry(settings(base, Duration::from_secs(10)), fast_retry())
}

fn assert_undecodable(e: &EpaymentError, expected_op: &str) {
    match e {
        EpaymentError::Undecodable { op, status, .. } => {
            assert_eq!((*op, *status), (expected_op, 200), "{e}")
        }
        other => panic!("expected an undecodable answer, got {other:?}"),
    }
    assert_eq!(e.status(), None, "not an error status the API gave");
    assert!(
        e.is_transient(),
        "an unreadable answer is worth another try"
    );
    assert!(!e.to_string().contains("ePayment 200"), "{e}");
}

/// `vendscreen_payment_api_requests_total` for `operation` answered 200. The
/// recorder is the process's: tests beside this one only ever add to it.
fn answered_200(operation: &str) -> f64 {
    let labels = format!("operation=\"{operation}\",status=\"200\"");
    metrics::render()
        .lines()
        .filter(|l| l.starts_with(metrics::API_REQUESTS) && l.contains(&labels))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn a_payment_answer_that_is_not_json_is_undecodable_not_an_api_error() {
    let base = garbage_server(true).await;
    let before = answered_200("get_payment");
    let e = client(&base).get_payment("vm-042-abc").await.unwrap_err();
    assert_undecodable(&e, "get payment");
    // Unreadable or not, it was an answer from the API, counted with its status.
    assert!(answered_200("get_payment") > before);
}

#[tokio::test]
async fn an_access_token_answer_that_is_not_json_is_undecodable_not_an_api_error() {
    let base = garbage_server(false).await;
    let before = answered_200("access_token");
    let e = client(&base).get_payment("vm-042-abc").await.unwrap_err();
    assert_undecodable(&e, "access token");
    assert!(answered_200("access_token") > before);
}
