//! The Prometheus series (`GET /metrics`), through the `metrics` facade and
//! its Prometheus exporter. Every series is written here, by a named function
//! the engine and the routes call, so the names and labels are in one place.
//!
//! Labels carry only small fixed vocabularies (an outcome, an operation, an
//! HTTP status): never a reference, a secret, a phone number or a machine's
//! posId (a hub serves thousands; a fleet's Prometheus labels each target).
//! The recorder is process-wide: tests that build several servers in one
//! process share it, so they compare values before and after.

use crate::dispenser::VendOutcome;
use crate::domain::{OperatorReason, Phase};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;
use time::OffsetDateTime;

pub const PURCHASES_STARTED: &str = "vendscreen_purchases_started_total";
pub const PURCHASES: &str = "vendscreen_purchases_total";
pub const QR_TO_APPROVAL: &str = "vendscreen_qr_to_approval_seconds";
pub const VEND_DURATION: &str = "vendscreen_vend_duration_seconds";
pub const VEND_FAILURES: &str = "vendscreen_vend_failures_total";
pub const SETTLE_ATTEMPTS: &str = "vendscreen_settlement_attempts_total";
pub const SETTLE_FAILURES: &str = "vendscreen_settlement_failures_total";
pub const API_REQUESTS: &str = "vendscreen_payment_api_requests_total";
pub const API_DURATION: &str = "vendscreen_payment_api_duration_seconds";
pub const WEBHOOKS: &str = "vendscreen_webhooks_total";
pub const POLLS: &str = "vendscreen_payment_polls_total";
pub const STREAMS_OPEN: &str = "vendscreen_event_streams_open";
pub const AWAITING_OPERATOR: &str = "vendscreen_purchases_awaiting_operator";
pub const OPERATOR_FLAGS: &str = "vendscreen_operator_flags_total";
pub const UNSETTLED_OLDEST: &str = "vendscreen_unsettled_oldest_seconds";
pub const SCREEN_ALIVE: &str = "vendscreen_screen_last_alive_timestamp_seconds";

/// Every series this module writes (the dashboard's test holds its queries
/// against this list; the scrape test finds each one on `/metrics`).
pub const SERIES: [&str; 16] = [
    PURCHASES_STARTED,
    PURCHASES,
    QR_TO_APPROVAL,
    VEND_DURATION,
    VEND_FAILURES,
    SETTLE_ATTEMPTS,
    SETTLE_FAILURES,
    API_REQUESTS,
    API_DURATION,
    WEBHOOKS,
    POLLS,
    STREAMS_OPEN,
    AWAITING_OPERATOR,
    OPERATOR_FLAGS,
    UNSETTLED_OLDEST,
    SCREEN_ALIVE,
];

/// What became of a webhook delivery.
#[derive(Debug, Clone, Copy)]
pub enum Webhook {
    /// Verified and new: the engine looks at the payment.
    Accepted,
    /// Verified, but delivered before (Vipps retries).
    Duplicate,
    /// Not verified (no registration, a bad signature, an unreadable body).
    Rejected,
    /// Verified, but not a delivery we understand (answered 200).
    Ignored,
}

impl Webhook {
    const ALL: [Webhook; 4] = [
        Webhook::Accepted,
        Webhook::Duplicate,
        Webhook::Rejected,
        Webhook::Ignored,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Webhook::Accepted => "accepted",
            Webhook::Duplicate => "duplicate",
            Webhook::Rejected => "rejected",
            Webhook::Ignored => "ignored",
        }
    }
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls reuse it) and returns
/// the handle `/metrics` renders.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let handle = builder().install_recorder().unwrap_or_else(|e| {
            // Only if something else installed a recorder first: serve an
            // empty page rather than stop the machine from selling.
            tracing::error!(error = %e, "metrics recorder not installed; /metrics stays empty");
            builder().build_recorder().handle()
        });
        describe();
        start_at_zero();
        handle
    })
}

/// The exposition text.
pub fn render() -> String {
    let handle = install();
    handle.run_upkeep();
    handle.render()
}

/// Histograms as Prometheus histograms (buckets), not summaries: buckets
/// add up across a fleet's machines.
fn builder() -> PrometheusBuilder {
    let buckets: [(&str, &[f64]); 3] = [
        (
            API_DURATION,
            &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
        ),
        (
            QR_TO_APPROVAL,
            &[
                2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0, 600.0,
            ],
        ),
        (
            VEND_DURATION,
            &[0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0],
        ),
    ];
    // Only an empty list of buckets is refused; these are constants.
    buckets
        .into_iter()
        .try_fold(PrometheusBuilder::new(), |b, (name, values)| {
            b.set_buckets_for_metric(Matcher::Full(name.into()), values)
        })
        .unwrap_or_else(|_| PrometheusBuilder::new())
}

fn describe() {
    describe_counter!(PURCHASES_STARTED, "Purchases started (a product chosen)");
    describe_counter!(PURCHASES, "Purchases ended, by outcome (final state)");
    describe_histogram!(QR_TO_APPROVAL, "From the QR shown to the approval learned");
    describe_histogram!(VEND_DURATION, "How long the dispenser took, by outcome");
    describe_counter!(VEND_FAILURES, "Vends that failed or timed out, by reason");
    describe_counter!(
        SETTLE_ATTEMPTS,
        "Capture and release attempts, by operation"
    );
    describe_counter!(SETTLE_FAILURES, "Capture and release attempts that failed");
    describe_counter!(API_REQUESTS, "ePayment API calls, by operation and status");
    describe_histogram!(API_DURATION, "ePayment API call latency, by operation");
    describe_counter!(WEBHOOKS, "Webhook deliveries, by outcome");
    describe_counter!(POLLS, "Polls of an unpaid payment's state");
    describe_gauge!(STREAMS_OPEN, "Open display event streams (/api/events)");
    describe_gauge!(AWAITING_OPERATOR, "Purchases waiting for a person");
    describe_counter!(OPERATOR_FLAGS, "Purchases flagged for a person, by reason");
    describe_gauge!(
        UNSETTLED_OLDEST,
        "Age of the oldest approved, unsettled payment"
    );
    describe_gauge!(
        SCREEN_ALIVE,
        "When the screen was last seen alive (unix seconds)"
    );
}

/// Counters exist from the start at 0, so `increase()` over a quiet machine
/// reads 0 (an alert on "no sales") rather than nothing.
fn start_at_zero() {
    counter!(PURCHASES_STARTED).absolute(0);
    for phase in Phase::ALL.into_iter().filter(|p| p.is_final()) {
        counter!(PURCHASES, "outcome" => phase.as_str()).absolute(0);
    }
    for w in Webhook::ALL {
        counter!(WEBHOOKS, "outcome" => w.as_str()).absolute(0);
    }
    for op in ["capture", "release"] {
        counter!(SETTLE_ATTEMPTS, "operation" => op).absolute(0);
        counter!(SETTLE_FAILURES, "operation" => op).absolute(0);
    }
    for reason in [VendOutcome::Failed, VendOutcome::TimedOut].map(VendOutcome::as_str) {
        counter!(VEND_FAILURES, "reason" => reason).absolute(0);
    }
    for reason in crate::store::names::operator_reasons() {
        counter!(OPERATOR_FLAGS, "reason" => reason).absolute(0);
    }
    counter!(POLLS).absolute(0);
    gauge!(STREAMS_OPEN).set(0.0);
    gauge!(AWAITING_OPERATOR).set(0.0);
    gauge!(UNSETTLED_OLDEST).set(0.0);
}

pub fn purchase_started() {
    counter!(PURCHASES_STARTED).increment(1);
}

/// A purchase reached its final state.
pub fn purchase_ended(outcome: Phase) {
    counter!(PURCHASES, "outcome" => outcome.as_str()).increment(1);
}

/// The approval was learned `after` the QR went up.
pub fn approved_after(after: Duration) {
    histogram!(QR_TO_APPROVAL).record(after.as_secs_f64());
}

/// The dispenser answered (`vended`, `failed`, `timedOut`) after `took`.
pub fn vend_finished(outcome: &'static str, took: Duration) {
    histogram!(VEND_DURATION, "outcome" => outcome).record(took.as_secs_f64());
    if outcome != "vended" {
        counter!(VEND_FAILURES, "reason" => outcome).increment(1);
    }
}

/// One capture or release attempt and whether it settled the payment.
pub fn settle_attempt(operation: &'static str, settled: bool) {
    counter!(SETTLE_ATTEMPTS, "operation" => operation).increment(1);
    if !settled {
        counter!(SETTLE_FAILURES, "operation" => operation).increment(1);
    }
}

/// One HTTP try at the ePayment API: its status (`None`: no answer) and time.
pub fn payment_api_call(operation: &str, status: Option<u16>, took: Duration) {
    let operation = operation.replace(' ', "_");
    let status = status.map_or_else(|| "none".to_string(), |s| s.to_string());
    histogram!(API_DURATION, "operation" => operation.clone()).record(took.as_secs_f64());
    counter!(API_REQUESTS, "operation" => operation, "status" => status).increment(1);
}

pub fn webhook(outcome: Webhook) {
    counter!(WEBHOOKS, "outcome" => outcome.as_str()).increment(1);
}

/// The engine asked the payment service about an unpaid payment.
pub fn poll() {
    counter!(POLLS).increment(1);
}

pub fn stream_opened() {
    gauge!(STREAMS_OPEN).increment(1.0);
}

pub fn stream_closed() {
    gauge!(STREAMS_OPEN).decrement(1.0);
}

/// How many purchases wait for a person (read from the store).
pub fn awaiting_operator(count: usize) {
    gauge!(AWAITING_OPERATOR).set(count as f64);
}

pub fn operator_flagged(why: OperatorReason) {
    counter!(OPERATOR_FLAGS, "reason" => crate::store::names::operator_reason(why)).increment(1);
}

/// The age of the oldest approved payment not yet captured or released
/// (0: none); a card hold lapses after 7 days.
pub fn unsettled_oldest(age: Duration) {
    gauge!(UNSETTLED_OLDEST).set(age.as_secs_f64());
}

/// The screen was alive `at` (its event stream, its heartbeat).
pub fn screen_alive(at: OffsetDateTime) {
    gauge!(SCREEN_ALIVE).set(at.unix_timestamp() as f64);
}
