//! The smaller exposures of issue 10: the QR image download is bounded and
//! https-only, and the store file (it holds the webhook secret) is owner-only.

use axum::body::Body;
use axum::routing::get;
use futures_util::stream;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};
use vendscreen_server::config::Secret;
use vendscreen_server::epayment::{EpaymentClient, EpaymentSettings};

fn client(base_url: &str) -> EpaymentClient {
    EpaymentClient::new(EpaymentSettings {
        base_url: base_url.into(),
        client_id: "id".into(),
        client_secret: Secret::new("secret"),
        subscription_key: Secret::new("key"),
        msn: "123456".into(),
        timeout: Duration::from_secs(10),
    })
}

/// Serves `/endless.svg` (an SVG that never ends) and `/qr.svg`.
async fn image_server() -> String {
    let endless = || async {
        let head = stream::once(async { Ok::<_, std::io::Error>(b"<svg>".to_vec()) });
        let chunk = vec![b' '; 64 * 1024];
        let rest = stream::repeat_with(move || Ok(chunk.clone()));
        Body::from_stream(head.chain(rest))
    };
    let router = axum::Router::new()
        .route("/endless.svg", get(endless))
        .route("/qr.svg", get(|| async { "<svg></svg>" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

use futures_util::StreamExt;

#[tokio::test]
async fn a_qr_image_stops_being_read_at_the_size_limit() {
    let images = image_server().await;
    let started = Instant::now();
    let result = client(&images)
        .fetch_qr_image(&format!("{images}/endless.svg"))
        .await;
    let error = result.expect_err("an endless image").to_string();
    assert!(error.contains("too large"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "read it all first"
    );
}

#[tokio::test]
async fn a_qr_image_from_the_real_service_must_come_over_https() {
    let images = image_server().await;
    let url = format!("{images}/qr.svg");
    // Against a plain-http payment service (only the simulator is one) it is fine.
    assert!(client(&images).fetch_qr_image(&url).await.is_ok());
    let error = client("https://api.vipps.no")
        .fetch_qr_image(&url)
        .await
        .expect_err("plain http beside a real payment service")
        .to_string();
    assert!(error.contains("https"), "{error}");
}

#[tokio::test]
async fn the_store_file_is_readable_by_its_owner_only() {
    use vendscreen_server::store::{SqliteStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let store = SqliteStore::open(&path, "vm-1").unwrap();
    store
        .set_setting("webhook", "{\"secret\":\"s\"}")
        .await
        .unwrap();
    for file in ["fresh.db", "fresh.db-wal"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
    }
}
