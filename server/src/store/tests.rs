//! The store against a real SQLite file: what is written survives a reopen.

use super::*;
use crate::session::state::Status;
use time::OffsetDateTime;
use vendscreen_protocol as wire;

fn record(store: &Store, phase: Phase) -> SessionRecord {
    let seq = store.next_seq().unwrap();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    SessionRecord {
        reference: format!("vm-test-{seq:06}"),
        seq,
        product_id: "cola".into(),
        product_name: "Cola".into(),
        slot: "A1".into(),
        amount: wire::Money::new(3500, wire::Currency::Nok),
        tax_rate: 1500,
        qr_url: Some("https://qr.example/c/1".into()),
        qr_image: None,
        status: Status {
            reason: Some(wire::EndReason::VendTimeout),
            ..Status::new(phase)
        },
        needs_operator: false,
        created_at: now,
        expires_at: now + time::Duration::minutes(10),
        authorized_at: None,
        ended_at: None,
    }
}

#[test]
fn sessions_settings_and_sequence_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let (a, b) = {
        let store = Store::open(&path).unwrap();
        let a = record(&store, Phase::Vending);
        let mut b = record(&store, Phase::AwaitingPayment);
        store.insert(&a).unwrap();
        store.insert(&b).unwrap();
        b.status = Status::new(Phase::Completed);
        b.authorized_at = Some(b.created_at);
        store.update(&b).unwrap();
        store.set_setting("webhook", "{}").unwrap();
        (a, b)
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get(&a.reference).unwrap(), Some(a.clone()));
    assert_eq!(store.get(&b.reference).unwrap(), Some(b.clone()));
    assert_eq!(store.latest().unwrap().unwrap().reference, b.reference);
    assert_eq!(store.unfinished().unwrap(), vec![a]);
    assert_eq!(
        store.transitions(&b.reference).unwrap(),
        ["awaitingPayment", "completed"]
    );
    assert_eq!(store.setting("webhook").unwrap().as_deref(), Some("{}"));
    assert_eq!(
        store.next_seq().unwrap(),
        3,
        "sequence numbers are never reused"
    );
}

#[test]
fn a_webhook_delivery_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("v.db")).unwrap();
    assert!(store.record_webhook("r", "AUTHORIZED", "1").unwrap());
    assert!(!store.record_webhook("r", "AUTHORIZED", "1").unwrap());
    assert!(store.record_webhook("r", "CAPTURED", "2").unwrap());
}

#[test]
fn a_store_that_cannot_be_opened_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let error = Store::open(&dir.path().join("missing/dir/v.db"));
    assert!(error.is_err());
}

#[test]
fn a_flagged_session_waits_for_an_operator_until_resolved_even_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let store = Store::open(&path).unwrap();
    let quiet = record(&store, Phase::Completed);
    let mut flagged = record(&store, Phase::VendFailed);
    store.insert(&quiet).unwrap();
    store.insert(&flagged).unwrap();
    assert!(store.awaiting_operator().unwrap().is_empty());
    assert!(store.flag_operator(&flagged.reference).unwrap());
    assert!(!store.flag_operator(&flagged.reference).unwrap(), "once");
    flagged.needs_operator = true;
    let waiting = Store::open(&path).unwrap().awaiting_operator().unwrap();
    assert_eq!(waiting, vec![flagged.clone()]);

    let now = OffsetDateTime::now_utc();
    assert!(!store.resolve_operator(&quiet.reference, now).unwrap());
    assert!(!store.resolve_operator("vm-nobody", now).unwrap());
    assert!(store.resolve_operator(&flagged.reference, now).unwrap());
    assert!(!store.resolve_operator(&flagged.reference, now).unwrap());
    // A later transition of the record undoes neither flag nor resolution.
    flagged.needs_operator = false;
    store.update(&flagged).unwrap();
    assert!(Store::open(&path)
        .unwrap()
        .awaiting_operator()
        .unwrap()
        .is_empty());
}
