//! Item 6 of issue 10: connections are bounded. Clients that connect and say
//! nothing, or stall half-way through a request head, are closed; a client
//! gets a few event streams, not unlimited; the display still gets through.

use crate::helpers::{spawn_app, TestApp};
use crate::wait::wait_for;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longer than the server's default header-read timeout (10 s), bounded.
const CLOSED_WITHIN: Duration = Duration::from_secs(20);

async fn stalled_sockets(app: &TestApp, idle: usize, half_sent: usize) -> Vec<TcpStream> {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut sockets = Vec::new();
    for _ in 0..idle {
        sockets.push(TcpStream::connect(&addr).await.unwrap());
    }
    for _ in 0..half_sent {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /api/catalog HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        sockets.push(s);
    }
    sockets
}

/// True when the server closed the socket (EOF or reset) in time.
async fn closed_by_server(mut s: TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(CLOSED_WITHIN, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                // A 408 or similar before closing is fine: keep reading.
                Ok(_) => continue,
            }
        }
    });
    read.await.is_ok()
}

#[tokio::test]
async fn idle_and_half_sent_requests_are_closed_and_the_display_still_gets_through() {
    let app = spawn_app().await;
    let sockets = stalled_sockets(&app, 40, 40).await;
    let catalog = tokio::time::timeout(CLOSED_WITHIN, app.get("/api/catalog")).await;
    assert_eq!(catalog.expect("the display got no answer").status(), 200);
    let health = tokio::time::timeout(CLOSED_WITHIN, app.get("/healthz")).await;
    assert_eq!(health.expect("/healthz got no answer").status(), 200);
    let closed = futures_util::future::join_all(sockets.into_iter().map(closed_by_server)).await;
    let open = closed.iter().filter(|c| !**c).count();
    assert_eq!(open, 0, "{open} stalled sockets were never closed");
}

/// A client bound to `source` (any 127.0.0.0/8 address is this machine).
fn client_from(source: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(source))
        .build()
        .unwrap()
}

async fn open_stream(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    client.get(app.url("/api/events")).send().await.unwrap()
}

#[tokio::test]
async fn a_client_gets_a_few_event_streams_not_unlimited() {
    let app = spawn_app().await;
    let screen = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let mut streams = Vec::new();
    for _ in 0..4 {
        let resp = open_stream(&app, &screen).await;
        assert_eq!(resp.status(), 200);
        streams.push(resp);
    }
    let refused = open_stream(&app, &screen).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    // Another client is not held back by this one.
    let other = open_stream(&app, &client_from(Ipv4Addr::new(127, 0, 0, 2))).await;
    assert_eq!(other.status(), 200);
    // A stream that ends gives its place back.
    drop(streams.pop());
    let what = "a closed stream's place to be given back";
    wait_for(what, Duration::from_secs(15), async || {
        let resp = open_stream(&app, &screen).await;
        (resp.status() == 200).then_some(())
    })
    .await;
}

#[tokio::test]
async fn event_streams_have_a_total_cap_across_clients() {
    let app = spawn_app().await;
    let mut streams = Vec::new();
    let mut refused = 0;
    for n in 0..20u8 {
        let client = client_from(Ipv4Addr::new(127, 0, 1, n + 1));
        for _ in 0..2 {
            let resp = open_stream(&app, &client).await;
            match resp.status().as_u16() {
                200 => streams.push(resp),
                429 => refused += 1,
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert_eq!(streams.len(), 32, "the total cap");
    assert_eq!(refused, 8);
}

#[tokio::test]
async fn a_request_body_that_stalls_is_answered_408_not_waited_for() {
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let head = "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"product";
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(CLOSED_WITHIN, s.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server still waits for the body");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}
