//! `GET /metrics` scraped while purchases run on the simulator, and the
//! monitoring files held against what it exposes. A binary of its own: the
//! recorder is process-wide, so only these tests move its numbers (they
//! still compare "at least one more", as they run side by side).

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "support/vipps.rs"]
mod vipps;
#[allow(dead_code)]
#[path = "support/wait.rs"]
mod wait;

use helpers::{spawn_app, spawn_app_with, TestApp};
use std::time::Duration;
use vendscreen_protocol::SessionState as S;
use vendscreen_server::telemetry::metrics as m;
use wait::wait_for;

/// The exposition text of `app` (`/metrics` on `server.listen`).
async fn scrape(app: &TestApp) -> Scrape {
    scrape_at(app, &app.base).await
}

async fn scrape_at(app: &TestApp, base: &str) -> Scrape {
    let resp = app
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    Scrape(resp.text().await.unwrap())
}

/// One scrape, read like Prometheus would.
struct Scrape(String);

impl Scrape {
    /// The sum of `name`'s samples whose labels include all of `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (series, value) = l.rsplit_once(' ')?;
                let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
                let wanted = labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
                (metric == name && wanted).then(|| value.parse::<f64>().unwrap())
            })
            .sum()
    }

    fn has(&self, name: &str) -> bool {
        self.0.lines().any(|l| l.starts_with(name))
    }
}

#[tokio::test]
async fn a_purchase_moves_each_series_it_passes_and_no_label_names_it() {
    let app = spawn_app().await;
    let before = scrape(&app).await;
    let mut events = app.events().await;
    events.next().await;
    // The page reports that it works (its heartbeat).
    let alive = app
        .post_json("/api/display/alive", serde_json::json!({}))
        .await;
    assert_eq!(alive.status(), 204);

    let session = app.buy("cola").await;
    let reference = session.reference.clone();
    // The engine polls the unpaid payment (first after 200 ms here).
    wait_for("a poll", Duration::from_secs(10), async || {
        let now = scrape(&app).await;
        (now.value(m::POLLS, &[]) > before.value(m::POLLS, &[])).then_some(())
    })
    .await;
    app.customer(&reference, "approve").await;
    app.wait_for(&reference, S::Completed).await;
    let accepted = [("outcome", "accepted")];
    let after = wait_for("the webhook counted", Duration::from_secs(10), async || {
        let now = scrape(&app).await;
        (now.value(m::WEBHOOKS, &accepted) > before.value(m::WEBHOOKS, &accepted)).then_some(now)
    })
    .await;

    let grew = |name: &str, labels: &[(&str, &str)]| {
        let (b, a) = (before.value(name, labels), after.value(name, labels));
        assert!(a >= b + 1.0, "{name}{labels:?}: {b} before, {a} after");
    };
    grew(m::PURCHASES_STARTED, &[]);
    grew(m::PURCHASES, &[("outcome", "completed")]);
    grew(&format!("{}_count", m::QR_TO_APPROVAL), &[]);
    grew(
        &format!("{}_count", m::VEND_DURATION),
        &[("outcome", "vended")],
    );
    grew(m::SETTLE_ATTEMPTS, &[("operation", "capture")]);
    grew(m::API_REQUESTS, &[("operation", "create_payment")]);
    grew(
        m::API_REQUESTS,
        &[("operation", "capture"), ("status", "200")],
    );
    grew(
        m::API_REQUESTS,
        &[("operation", "get_payment"), ("status", "200")],
    );
    grew(
        &format!("{}_count", m::API_DURATION),
        &[("operation", "capture")],
    );
    assert_eq!(
        after.value(m::SETTLE_FAILURES, &[("operation", "capture")]),
        0.0
    );
    assert!(
        after.value(m::STREAMS_OPEN, &[]) >= 1.0,
        "the stream is open"
    );
    let alive = after.value(m::SCREEN_ALIVE, &[]);
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as f64;
    assert!(
        (now - 60.0..=now + 1.0).contains(&alive),
        "screen alive at {alive}, now {now}"
    );

    for series in m::SERIES {
        assert!(after.has(series), "{series} is not exposed:\n{}", after.0);
    }
    assert!(!after.0.contains(&reference), "a reference in the metrics");
}

#[tokio::test]
async fn metrics_listen_moves_metrics_to_a_listener_of_their_own() {
    let app = spawn_app_with(&[("VENDSCREEN_METRICS_LISTEN", "127.0.0.1:0")]).await;
    let own = app.metrics_base.clone().expect("metrics.listen's address");
    let scraped = scrape_at(&app, &own).await;
    assert!(scraped.has(m::PURCHASES), "{}", scraped.0);
    assert_eq!(
        app.get("/metrics").await.status(),
        404,
        "still on server.listen"
    );
    let other = app
        .http
        .get(format!("{own}/api/catalog"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        404,
        "the metrics listener carries the display API"
    );
}

#[tokio::test]
async fn a_payment_left_unsettled_too_long_waits_for_a_person_until_it_settles() {
    // Flag after 1 s; the vend takes 5 s, so the payment sits approved,
    // neither captured nor released, past the limit.
    let app = spawn_app_with(&[
        ("VENDSCREEN_EPAYMENT_UNSETTLED_FLAG_AFTER_S", "1"),
        ("VENDSCREEN_DISPENSER_SIMULATED_MS", "5000"),
    ])
    .await;
    let flags = [("reason", "unsettledTooLong")];
    let before = scrape(&app).await.value(m::OPERATOR_FLAGS, &flags);
    let session = app.buy("cola").await;
    let reference = session.reference.clone();
    app.customer(&reference, "approve").await;

    wait_for("the flag", Duration::from_secs(10), async || {
        app.needs_operator()
            .await
            .contains(&reference)
            .then_some(())
    })
    .await;
    assert_eq!(app.session(&reference).await.state, S::Dispensing);
    let flagged = scrape(&app).await;
    assert!(flagged.value(m::OPERATOR_FLAGS, &flags) >= before + 1.0);
    assert!(flagged.value(m::AWAITING_OPERATOR, &[]) >= 1.0);
    assert!(flagged.value(m::UNSETTLED_OLDEST, &[]) >= 1.0);

    app.wait_for(&reference, S::Completed).await;
    let payment = app.payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 3500);
    wait_for("the flag to clear", Duration::from_secs(10), async || {
        (!app.needs_operator().await.contains(&reference)).then_some(())
    })
    .await;
}

/// Names in a PromQL text: `vendscreen_…`, a histogram's `_bucket` /
/// `_count` / `_sum` read as the histogram.
fn series_named(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("vendscreen_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let base = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|b| m::SERIES.contains(b))
            .unwrap_or(name);
        names.push(base.to_string());
        rest = &tail[end..];
    }
    names
}

#[test]
fn the_dashboard_and_the_alerts_query_only_series_the_server_exposes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/monitoring");
    for file in ["dashboard.json", "alerts.yml"] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        if file.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text).expect("the dashboard is JSON");
        }
        let named = series_named(&text);
        assert!(named.len() >= 5, "{file} names only {named:?}");
        for name in named {
            assert!(
                m::SERIES.contains(&name.as_str()),
                "{file}: {name} is not exposed"
            );
        }
    }
}
