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

#[tokio::test]
async fn a_payment_answer_that_is_not_json_is_undecodable_not_an_api_error() {
    let base = garbage_server(true).await;
    let e = client(&base).get_payment("vm-042-abc").await.unwrap_err();
    assert_undecodable(&e, "get payment");
}

#[tokio::test]
async fn an_access_token_answer_that_is_not_json_is_undecodable_not_an_api_error() {
    let base = garbage_server(false).await;
    let e = client(&base).get_payment("vm-042-abc").await.unwrap_err();
    assert_undecodable(&e, "access token");
}
