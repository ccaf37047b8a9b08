//! Golden JSON: each wire type parses its file and writes it back unchanged.
//! A failure here means the contract between display and server changed.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use vendscreen_protocol as wire;

/// Parses `golden/{name}` as `T`, re-serialises it and compares as JSON values.
fn round_trip<T: Serialize + DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let parsed: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), expected, "{name}");
    parsed
}

#[test]
fn catalog_round_trips() {
    let catalog: wire::Catalog = round_trip("catalog.json");
    assert_eq!(catalog.machine.locale, wire::Locale::Nb);
    assert_eq!(
        catalog.products[0].price,
        wire::Money::new(3500, wire::Currency::Nok)
    );
    assert!(!catalog.products[1].available);
    assert_eq!(catalog.products[0].name_in(wire::Locale::Fi), "Kola 0,5 l");
    assert_eq!(
        catalog.products[0].name_in(wire::Locale::Sv),
        "Cola 0,5 l",
        "no Swedish name: name"
    );
    assert_eq!(
        catalog.machine.qr_error_correction,
        wire::QrErrorCorrection::Q
    );
}

#[test]
fn a_catalog_from_an_older_server_means_error_correction_m() {
    let text =
        r#"{"machine":{"posId":"1","name":"A","locale":"da","currency":"DKK"},"products":[]}"#;
    let catalog: wire::Catalog = serde_json::from_str(text).unwrap();
    assert_eq!(
        catalog.machine.qr_error_correction,
        wire::QrErrorCorrection::M
    );
}

#[test]
fn create_session_round_trips() {
    let body: wire::CreateSession = round_trip("create_session.json");
    assert_eq!(body.product_id, "cola");
}

#[test]
fn awaiting_session_round_trips_without_optional_fields() {
    let session: wire::Session = round_trip("session_awaiting.json");
    assert_eq!(session.state, wire::SessionState::AwaitingPayment);
    assert_eq!(session.reason, None);
    assert!(!session.cancelling);
}

#[test]
fn ended_session_carries_its_reason_and_qr_image() {
    let session: wire::Session = round_trip("session_ended.json");
    assert_eq!(session.reason, Some(wire::EndReason::VendFailed));
    assert!(session.state.is_final());
    assert!(session.qr_url.is_none());
}

#[test]
fn cancelling_flag_round_trips() {
    let session: wire::Session = round_trip("session_cancelling.json");
    assert!(session.cancelling);
    assert_eq!(session.amount.currency, wire::Currency::Eur);
}

#[test]
fn idle_snapshot_round_trips() {
    let snapshot: wire::Snapshot = round_trip("snapshot_idle.json");
    assert!(snapshot.machine.in_service && snapshot.session.is_none());
}

#[test]
fn machine_status_round_trips() {
    let status: wire::MachineStatus = round_trip("machine_out_of_service.json");
    assert_eq!(
        status.reason,
        Some(wire::OutOfServiceReason::DispenserNotReady)
    );
}

#[test]
fn health_round_trips() {
    let health: wire::Health = round_trip("health.json");
    assert!(health.payment_service_reachable);
    assert!(health.store_writable);
    assert_eq!(health.needs_operator, ["vm-042-000007"]);
    assert_eq!(
        health.screen_last_alive.as_deref(),
        Some("2025-03-01T12:00:05Z")
    );
}

#[test]
fn problem_round_trips() {
    let problem: wire::Problem = round_trip("problem.json");
    assert_eq!(problem.status, 503);
}

#[test]
fn unknown_reasons_from_a_newer_server_do_not_break_an_older_display() {
    let reason: wire::EndReason = serde_json::from_str("\"somethingNew\"").unwrap();
    assert_eq!(reason, wire::EndReason::Unknown);
}

#[test]
fn every_state_uses_our_vocabulary() {
    let names: Vec<String> = [
        wire::SessionState::Creating,
        wire::SessionState::AwaitingPayment,
        wire::SessionState::Authorized,
        wire::SessionState::Dispensing,
        wire::SessionState::Completed,
        wire::SessionState::VendFailed,
        wire::SessionState::Cancelled,
        wire::SessionState::Rejected,
        wire::SessionState::Expired,
        wire::SessionState::Failed,
    ]
    .iter()
    .map(|s| serde_json::to_string(s).unwrap())
    .collect();
    let expected = [
        "creating",
        "awaitingPayment",
        "authorized",
        "dispensing",
        "completed",
        "vendFailed",
        "cancelled",
        "rejected",
        "expired",
        "failed",
    ];
    let expected: Vec<String> = expected.iter().map(|s| format!("\"{s}\"")).collect();
    assert_eq!(names, expected);
}

#[test]
fn fleet_calls_round_trip() {
    let start: wire::fleet::StartPurchase = round_trip("fleet_start_purchase.json");
    assert_eq!(start.product_id, "cola");
    let result: wire::fleet::VendResult = round_trip("fleet_vend_result.json");
    assert_eq!(result.outcome, wire::fleet::VendOutcome::Vended);
    let beat: wire::fleet::Heartbeat = round_trip("fleet_heartbeat.json");
    assert!(beat.dispenser_ready);
}

#[test]
fn a_fleet_snapshot_round_trips_with_its_pending_vend() {
    let snapshot: wire::fleet::FleetSnapshot = round_trip("fleet_snapshot.json");
    let vend = snapshot.vend.expect("a pending vend");
    assert_eq!(
        (vend.reference.as_str(), vend.slot.as_str()),
        ("vm-042-k3f9x2-000017", "A1")
    );
    assert_eq!(snapshot.catalog.products.len(), 1);
}
