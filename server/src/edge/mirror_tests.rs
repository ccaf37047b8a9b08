use super::*;
use serde_json::json;

const LONG: Duration = Duration::from_secs(3600);

fn catalog() -> wire::Catalog {
    serde_json::from_value(json!({
        "machine": { "posId": "vm-1", "name": "M", "locale": "nb", "currency": "NOK" },
        "products": []
    }))
    .unwrap()
}

fn status(in_service: bool, reason: Option<&str>) -> wire::MachineStatus {
    serde_json::from_value(json!({
        "inService": in_service, "reason": reason, "serverTime": "2030-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn session(state: &str, server_time: &str) -> wire::Session {
    serde_json::from_value(json!({
        "reference": "r-1",
        "product": { "id": "cola", "name": "Cola" },
        "amount": { "value": 3500, "currency": "NOK" },
        "qrUrl": "https://qr", "state": state,
        "expiresAt": "2030-01-01T00:10:00Z", "serverTime": server_time
    }))
    .unwrap()
}

fn reason(mirror: &Mirror) -> Option<OutOfServiceReason> {
    mirror.status().reason
}

#[test]
fn out_of_service_until_the_hub_is_heard_and_again_once_it_falls_silent() {
    let mirror = Mirror::new(catalog(), LONG, LONG);
    assert_eq!(reason(&mirror), Some(OutOfServiceReason::HubUnreachable));
    mirror.heard();
    assert!(mirror.status().in_service);
    let silent = Mirror::new(catalog(), Duration::ZERO, LONG);
    silent.heard();
    assert_eq!(reason(&silent), Some(OutOfServiceReason::HubUnreachable));
}

#[test]
fn the_dispenser_and_the_hub_s_view_each_take_the_machine_out_of_service() {
    let mirror = Mirror::new(catalog(), LONG, LONG);
    mirror.heard();
    mirror.apply_machine(status(false, Some("paymentServiceUnreachable")));
    assert_eq!(
        reason(&mirror),
        Some(OutOfServiceReason::PaymentServiceUnreachable)
    );
    mirror.set_dispenser_ready(false);
    assert_eq!(reason(&mirror), Some(OutOfServiceReason::DispenserNotReady));
    mirror.set_dispenser_ready(true);
    mirror.apply_machine(status(true, None));
    assert!(mirror.status().in_service);
}

#[test]
fn each_status_change_is_published_once() {
    let mirror = Mirror::new(catalog(), LONG, LONG);
    let mut updates = mirror.subscribe();
    mirror.heard();
    mirror.heard();
    mirror.set_dispenser_ready(false);
    let mut seen = Vec::new();
    while let Ok(Update::Machine(_, status)) = updates.try_recv() {
        seen.push(status.in_service);
    }
    assert_eq!(seen, [true, false]);
}

#[test]
fn a_session_re_sent_later_carries_the_hub_s_clock_and_an_ended_one_leaves_the_screen() {
    let mirror = Mirror::new(catalog(), LONG, Duration::ZERO);
    let hub_ahead = OffsetDateTime::now_utc() + time::Duration::hours(1);
    let hub_time = crate::store::rfc3339(hub_ahead);
    mirror.apply_session(session("awaitingPayment", &hub_time));
    let shown = mirror.snapshot().session.expect("shown");
    let format = time::format_description::well_known::Rfc3339;
    let sent = OffsetDateTime::parse(&shown.server_time, &format).unwrap();
    assert!(
        (sent - hub_ahead).abs() < time::Duration::seconds(5),
        "{sent} vs {hub_ahead}"
    );
    mirror.apply_session(session("completed", &hub_time));
    assert_eq!(mirror.snapshot().session, None, "an ending shown for 0 s");
}
