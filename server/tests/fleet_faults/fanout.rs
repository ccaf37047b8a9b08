//! The webhook URL registered with "Vipps": every delivery is sent to two
//! replicas at once, as a load balancer retrying on a slow answer would, so
//! both process the same event concurrently.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

pub struct Fanout {
    pub url: String,
    delivered: Arc<AtomicU32>,
}

#[derive(Clone)]
struct Targets {
    urls: Arc<Vec<String>>,
    http: reqwest::Client,
    delivered: Arc<AtomicU32>,
}

impl Fanout {
    /// Forwards to the first two of `replicas` (their webhook routes).
    pub async fn start(replicas: &[String]) -> Fanout {
        let delivered = Arc::new(AtomicU32::new(0));
        let targets = Targets {
            urls: Arc::new(
                replicas
                    .iter()
                    .take(2)
                    .map(|r| format!("{r}/webhooks/epayment"))
                    .collect(),
            ),
            http: reqwest::Client::new(),
            delivered: delivered.clone(),
        };
        let app = Router::new()
            .route("/webhooks/epayment", post(fan_out))
            .with_state(targets);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/webhooks/epayment",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fanout { url, delivered }
    }

    /// Deliveries that reached two replicas.
    pub fn delivered_twice(&self) -> u32 {
        self.delivered.load(Ordering::SeqCst)
    }
}

/// 200 when either replica took it (the other may be dead or restarting):
/// what Vipps sees from a load balancer in front of them.
async fn fan_out(State(t): State<Targets>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sends = t.urls.iter().map(|url| {
        let mut req = t.http.post(url).body(body.clone());
        for (name, value) in &headers {
            if name != "host" && name != "content-length" {
                req = req.header(name, value);
            }
        }
        req.send()
    });
    let answers = futures_util::future::join_all(sends).await;
    let ok = answers
        .iter()
        .filter(|a| a.as_ref().is_ok_and(|r| r.status().is_success()))
        .count();
    if ok == 2 {
        t.delivered.fetch_add(1, Ordering::SeqCst);
    }
    if ok > 0 {
        StatusCode::OK
    } else {
        StatusCode::BAD_GATEWAY
    }
}
