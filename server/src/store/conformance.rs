//! The behaviour every store promises, written once and run against each
//! implementation: a real SQLite file here, a real PostgreSQL database in
//! `pg`'s tests (`conformance!` below).

use super::*;
use crate::domain::{Phase, Status};
use time::OffsetDateTime;
use vendscreen_protocol as wire;

pub(crate) async fn record(store: &dyn Store, machine: &str, phase: Phase) -> SessionRecord {
    let seq = store.next_seq(machine).await.unwrap();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    SessionRecord {
        reference: format!("{machine}-test-{seq:06}"),
        machine: machine.into(),
        seq,
        version: 0,
        product_id: "cola".into(),
        product_name: "Cola".into(),
        slot: "A1".into(),
        amount: wire::Money::new(3500, wire::Currency::Nok),
        tax_rate: 1500,
        qr_url: Some("https://qr.example/c/1".into()),
        qr_image: None,
        // A reason where the phase may carry one, so that it is read back.
        status: Status::from_parts(phase, Some(wire::EndReason::VendTimeout), None)
            .unwrap_or(Status::new(phase)),
        operator: None,
        created_at: now,
        expires_at: now + time::Duration::minutes(10),
        authorized_at: None,
        ended_at: None,
        request_id: None,
        vend_acked_at: None,
        due_at: None,
        phase_since: None,
        attempts: 0,
    }
}

/// What a store gives back of a record it was given (fields it keeps itself
/// taken from `stored`).
fn as_stored(mut given: SessionRecord, stored: &SessionRecord) -> SessionRecord {
    given.due_at = stored.due_at;
    given.phase_since = stored.phase_since;
    given.attempts = stored.attempts;
    given.version = stored.version;
    given
}

pub(crate) async fn insert(store: &dyn Store, record: &SessionRecord) {
    assert_eq!(
        store.insert(record, Due::Never).await.unwrap(),
        Inserted::New
    );
}

pub(crate) async fn a_session_reads_back_as_written(store: &dyn Store) {
    let a = record(store, "vm-a", Phase::Vending).await;
    insert(store, &a).await;
    let stored = store.get(&a.reference).await.unwrap().unwrap();
    assert_eq!(stored, as_stored(a.clone(), &stored));
    assert!(store.get("vm-a-nobody").await.unwrap().is_none());
}

pub(crate) async fn a_transition_is_written_only_over_its_version(store: &dyn Store) {
    let mut a = record(store, "vm-a", Phase::AwaitingPayment).await;
    insert(store, &a).await;
    a.status = Status::new(Phase::Authorized);
    a.authorized_at = Some(a.created_at);
    let first = store.transition(&a, Due::Now, false).await.unwrap();
    let first = first.expect("the first writer wins").record;
    assert_eq!(first.version, a.version + 1);
    assert_eq!(first.status.phase(), Phase::Authorized);
    assert!(first.due_at.is_some());
    // A second writer decided on the same (now old) version: refused.
    a.status = Status::new(Phase::Failed);
    assert_eq!(store.transition(&a, Due::Never, false).await.unwrap(), None);
    let log = store.transitions(&a.reference).await.unwrap();
    assert_eq!(log, ["awaitingPayment", "authorized"]);
}

/// Storing the QR, listing for a person, a webhook, a wake-up or a
/// rescheduled step change no phase: the transition log stays as it was.
pub(crate) async fn only_transitions_enter_the_transition_log(store: &dyn Store) {
    let a = record(store, "vm-a", Phase::AwaitingPayment).await;
    insert(store, &a).await;
    let r = a.reference.as_str();
    store
        .set_qr(r, Some("https://qr.example/c/2"), None)
        .await
        .unwrap();
    store
        .record_webhook(r, "AUTHORIZED", "psp-1")
        .await
        .unwrap();
    store.wake(r).await.unwrap();
    let lease = std::time::Duration::from_secs(30);
    let mine = store.claim(r, "one", lease).await.unwrap().expect("due");
    store.schedule(&mine, "one", Due::Never).await.unwrap();
    let why = OperatorReason::SettlementOverdue;
    assert!(store.flag_operator(r, why).await.unwrap());
    let now = OffsetDateTime::now_utc();
    assert!(store.resolve_operator(r, now).await.unwrap());
    assert_eq!(store.transitions(r).await.unwrap(), ["awaitingPayment"]);
}

pub(crate) async fn one_purchase_per_machine_faces_the_customer(store: &dyn Store) {
    let open = record(store, "vm-a", Phase::AwaitingPayment).await;
    insert(store, &open).await;
    let second = record(store, "vm-a", Phase::Creating).await;
    assert_eq!(
        store.insert(&second, Due::Never).await.unwrap(),
        Inserted::Busy
    );
    let elsewhere = record(store, "vm-b", Phase::Creating).await;
    insert(store, &elsewhere).await;
    // Settling money no longer faces the customer: a new purchase may start.
    let mut settling = store.get(&open.reference).await.unwrap().unwrap();
    settling.status = Status::new(Phase::Capturing);
    store
        .transition(&settling, Due::Now, false)
        .await
        .unwrap()
        .unwrap();
    insert(store, &second).await;
    let latest = store.latest("vm-a").await.unwrap().unwrap();
    assert_eq!(latest.reference, second.reference);
}

pub(crate) async fn a_repeated_request_finds_its_session(store: &dyn Store) {
    let mut a = record(store, "vm-a", Phase::Creating).await;
    a.request_id = Some("req-1".into());
    insert(store, &a).await;
    let mut again = record(store, "vm-a", Phase::Creating).await;
    again.request_id = Some("req-1".into());
    match store.insert(&again, Due::Never).await.unwrap() {
        Inserted::Existing(found) => assert_eq!(found.reference, a.reference),
        other => panic!("{other:?}"),
    }
    let found = store.by_request("vm-a", "req-1").await.unwrap().unwrap();
    assert_eq!(found.reference, a.reference);
    assert!(store.by_request("vm-b", "req-1").await.unwrap().is_none());
}

pub(crate) async fn due_work_is_claimed_once_until_its_lease_ends(store: &dyn Store) {
    let a = record(store, "vm-a", Phase::Capturing).await;
    store.insert(&a, Due::Now).await.unwrap();
    let lease = std::time::Duration::from_millis(300);
    let mine = store.claim_due("one", lease, 10).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(store.claim_due("two", lease, 10).await.unwrap().is_empty());
    assert!(store
        .claim(&a.reference, "two", lease)
        .await
        .unwrap()
        .is_none());
    assert!(store.renew(&a.reference, "one", lease).await.unwrap());
    assert!(!store.renew(&a.reference, "two", lease).await.unwrap());
    // "one" died: its lease runs out and "two" takes the work over.
    let five_s = std::time::Duration::from_secs(5);
    crate::test_wait::wait_until("the lease to be taken over", five_s, async || {
        store.claim(&a.reference, "two", lease).await
    })
    .await
    .unwrap();
    // "two" reschedules it for later: not due now.
    store
        .schedule(&mine[0], "two", Due::In(std::time::Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(store
        .claim_due("three", lease, 10)
        .await
        .unwrap()
        .is_empty());
}

pub(crate) async fn a_step_decided_on_an_old_version_leaves_the_session_due(store: &dyn Store) {
    let a = record(store, "vm-a", Phase::AwaitingPayment).await;
    store.insert(&a, Due::Now).await.unwrap();
    let lease = std::time::Duration::from_secs(30);
    let claimed = store.claim_due("one", lease, 1).await.unwrap().remove(0);
    // Meanwhile the customer cancels (a transition by someone else).
    let mut moved = claimed.clone();
    moved.status = Status::cancel_requested(wire::EndReason::CustomerCancelled);
    store
        .transition(&moved, Due::Now, false)
        .await
        .unwrap()
        .unwrap();
    // The poll step ends, asking for its next poll in a minute: too late,
    // the cancel must be worked on now.
    let later = Due::In(std::time::Duration::from_secs(60));
    store.schedule(&claimed, "one", later).await.unwrap();
    let again = store.claim_due("two", lease, 1).await.unwrap();
    assert_eq!(again.len(), 1, "the cancel waits for nobody");
    assert!(again[0].status.cancelling().is_some());
}

pub(crate) async fn flags_wait_for_a_person_until_resolved(store: &dyn Store) {
    let quiet = record(store, "vm-a", Phase::Completed).await;
    let mut flagged = record(store, "vm-a", Phase::VendFailed).await;
    insert(store, &quiet).await;
    insert(store, &flagged).await;
    assert!(store.awaiting_operator(None).await.unwrap().is_empty());
    let why = OperatorReason::VendUncertain;
    assert!(store.flag_operator(&flagged.reference, why).await.unwrap());
    assert!(!store.flag_operator(&flagged.reference, why).await.unwrap());
    let waiting = store.awaiting_operator(Some("vm-a")).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].operator, Some(why));
    assert!(store
        .awaiting_operator(Some("vm-b"))
        .await
        .unwrap()
        .is_empty());
    // A later transition undoes neither the flag nor, later, the resolution.
    flagged = store.get(&flagged.reference).await.unwrap().unwrap();
    flagged.operator = None;
    store
        .transition(&flagged, Due::Never, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.awaiting_operator(None).await.unwrap().len(), 1);
    let now = OffsetDateTime::now_utc();
    assert!(!store.resolve_operator(&quiet.reference, now).await.unwrap());
    assert!(store
        .resolve_operator(&flagged.reference, now)
        .await
        .unwrap());
    assert!(!store
        .resolve_operator(&flagged.reference, now)
        .await
        .unwrap());
    assert!(store.awaiting_operator(None).await.unwrap().is_empty());
}

pub(crate) async fn approved_payments_not_yet_settled_are_listed(store: &dyn Store) {
    let phases = [
        ("vm-a", Phase::AwaitingPayment),
        ("vm-b", Phase::Vending),
        ("vm-c", Phase::Capturing),
        ("vm-d", Phase::Completed),
        ("vm-e", Phase::Releasing),
    ];
    let mut references = Vec::new();
    for (machine, phase) in phases {
        let r = record(store, machine, phase).await;
        insert(store, &r).await;
        references.push(r.reference);
    }
    let listed = |records: Vec<SessionRecord>| -> Vec<String> {
        records.into_iter().map(|r| r.reference).collect()
    };
    let all = listed(store.unsettled(None).await.unwrap());
    let expected = [&references[1], &references[2], &references[4]];
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(expected.iter().all(|r| all.contains(r)), "{all:?}");
    let one = listed(store.unsettled(Some("vm-b")).await.unwrap());
    assert_eq!(one, vec![references[1].clone()]);
}

pub(crate) async fn a_webhook_delivery_is_recorded_once_and_wakes_its_session(store: &dyn Store) {
    let a = record(store, "vm-a", Phase::AwaitingPayment).await;
    insert(store, &a).await;
    let lease = std::time::Duration::from_secs(30);
    assert!(store.claim_due("one", lease, 10).await.unwrap().is_empty());
    let r = &a.reference;
    assert!(store.record_webhook(r, "AUTHORIZED", "1").await.unwrap());
    assert!(!store.record_webhook(r, "AUTHORIZED", "1").await.unwrap());
    assert!(store.record_webhook(r, "CAPTURED", "2").await.unwrap());
    assert_eq!(store.claim_due("one", lease, 10).await.unwrap().len(), 1);
}

pub(crate) async fn the_outbox_holds_the_newest_sessions_changes_in_order(store: &dyn Store) {
    let mut old = record(store, "vm-a", Phase::AwaitingPayment).await;
    insert(store, &old).await;
    old.status = Status::new(Phase::Capturing);
    old = store
        .transition(&old, Due::Now, false)
        .await
        .unwrap()
        .unwrap()
        .record;
    let new = record(store, "vm-a", Phase::AwaitingPayment).await;
    insert(store, &new).await;
    // The older purchase settling late is not the screen's news.
    old.status = Status::new(Phase::Completed);
    let late = store
        .transition(&old, Due::Never, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(late.outbox_seq, None);
    let machine = store
        .append_outbox("vm-a", OutboxKind::Machine, None)
        .await
        .unwrap();
    let rows = store.outbox_after("vm-a", 0, 100).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].reference.as_deref(), Some(old.reference.as_str()));
    assert_eq!((rows[1].seq, rows[1].kind), (machine, OutboxKind::Machine));
    assert!(rows[0].seq < rows[1].seq);
    assert!(store
        .outbox_after("vm-a", machine, 100)
        .await
        .unwrap()
        .is_empty());
    assert!(store.outbox_after("vm-b", 0, 100).await.unwrap().is_empty());
    // "Vending" on a fleet machine: the command leaves with the transition.
    let mut vending = store.get(&new.reference).await.unwrap().unwrap();
    vending.status = Status::new(Phase::Vending);
    store
        .transition(&vending, Due::Now, true)
        .await
        .unwrap()
        .unwrap();
    let rows = store.outbox_after("vm-a", machine, 100).await.unwrap();
    let kinds: Vec<_> = rows.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [OutboxKind::Session, OutboxKind::Vend]);
    let about = |r: &OutboxRow| r.reference.as_deref() == Some(new.reference.as_str());
    assert!(rows.iter().all(about));
}

pub(crate) async fn settings_and_the_install_tag_are_kept(store: &dyn Store) {
    let tag = store.install_tag().await.unwrap();
    assert_eq!(tag.len(), 6);
    assert_eq!(store.install_tag().await.unwrap(), tag, "made once");
    assert_eq!(store.setting("webhook").await.unwrap(), None);
    store.set_setting("webhook", "{}").await.unwrap();
    store.set_setting("webhook", "{\"a\":1}").await.unwrap();
    assert_eq!(
        store.setting("webhook").await.unwrap().as_deref(),
        Some("{\"a\":1}")
    );
    let first = store.next_seq("vm-a").await.unwrap();
    assert!(
        store.next_seq("vm-a").await.unwrap() > first,
        "never reused"
    );
    assert!(store.check_writable().await);
    assert_eq!(store.write_error(), None);
}

fn refund(reference: &str, key: &str, amount: i64) -> Refund {
    Refund {
        key: key.into(),
        reference: reference.into(),
        amount,
        reason: "dented can".into(),
        operator: "kari".into(),
        requested_at: OffsetDateTime::now_utc().replace_nanosecond(0).unwrap(),
        done_at: None,
    }
}

pub(crate) async fn a_refund_is_written_once_per_key(store: &dyn Store) {
    let a = record(store, "vm-a", Phase::Completed).await;
    insert(store, &a).await;
    let first = refund(&a.reference, "k-1", 1000);
    assert_eq!(store.begin_refund(&first).await.unwrap(), None);
    // The same key again (the command run twice): the first one, untouched.
    let again = refund(&a.reference, "k-1", 3500);
    assert_eq!(
        store.begin_refund(&again).await.unwrap(),
        Some(first.clone())
    );
    let done_at = first.requested_at + time::Duration::seconds(1);
    store.finish_refund("k-1", done_at).await.unwrap();
    // A refused one is forgotten; a done one is not.
    assert_eq!(
        store
            .begin_refund(&refund(&a.reference, "k-2", 500))
            .await
            .unwrap(),
        None
    );
    store.drop_refund("k-2").await.unwrap();
    store.drop_refund("k-1").await.unwrap();
    let kept = store.refunds(&a.reference).await.unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].done_at, Some(done_at));
    assert_eq!(refunds::refunded(&kept), 1000);
    assert!(store.refunds("vm-a-nobody").await.unwrap().is_empty());
}

pub(crate) async fn sales_are_the_purchases_created_in_the_period(store: &dyn Store) {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let mut old = record(store, "vm-a", Phase::Completed).await;
    old.created_at = now - time::Duration::days(3);
    insert(store, &old).await;
    let mut edge = record(store, "vm-b", Phase::VendFailed).await;
    edge.created_at = now - time::Duration::days(1) + time::Duration::milliseconds(250);
    insert(store, &edge).await;
    let recent = record(store, "vm-a", Phase::Cancelled).await;
    insert(store, &recent).await;
    let day = time::Duration::days(1);
    let sold = store.sales(now - day, now + day).await.unwrap();
    let references: Vec<_> = sold.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(
        references,
        [edge.reference.as_str(), recent.reference.as_str()]
    );
    // The end is exclusive, to the fraction of a second.
    let before = store.sales(now - 4 * day, edge.created_at).await.unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].reference, old.reference);
}

/// Runs every conformance check against a fresh store from `$new`, an
/// expression giving `(guard, store)`: the guard keeps the store's file or
/// database alive for the test.
#[macro_export]
macro_rules! store_conformance {
    ($new:expr) => {
        $crate::store_conformance!($new;
            a_session_reads_back_as_written,
            a_transition_is_written_only_over_its_version,
            only_transitions_enter_the_transition_log,
            one_purchase_per_machine_faces_the_customer,
            a_repeated_request_finds_its_session,
            due_work_is_claimed_once_until_its_lease_ends,
            a_step_decided_on_an_old_version_leaves_the_session_due,
            flags_wait_for_a_person_until_resolved,
            approved_payments_not_yet_settled_are_listed,
            a_webhook_delivery_is_recorded_once_and_wakes_its_session,
            the_outbox_holds_the_newest_sessions_changes_in_order,
            settings_and_the_install_tag_are_kept,
            a_refund_is_written_once_per_key,
            sales_are_the_purchases_created_in_the_period,
        );
    };
    ($new:expr; $($check:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (_guard, store) = $new;
                $crate::store::conformance::$check(&store).await;
            }
        )+
    };
}

mod sqlite {
    use super::super::SqliteStore;

    fn fresh() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("v.db"), "vm-a").unwrap();
        (dir, store)
    }

    mod conformance {
        crate::store_conformance!(super::fresh());
    }

    #[tokio::test]
    async fn what_is_written_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let a = {
            let store = SqliteStore::open(&path, "vm-a").unwrap();
            let a = super::record(&store, "vm-a", crate::domain::Phase::Vending).await;
            super::insert(&store, &a).await;
            a
        };
        let store = SqliteStore::open(&path, "vm-a").unwrap();
        let stored = crate::store::Store::get(&store, &a.reference)
            .await
            .unwrap();
        assert_eq!(stored.map(|s| s.reference), Some(a.reference));
    }

    #[test]
    fn a_store_that_cannot_be_opened_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SqliteStore::open(&dir.path().join("missing/dir/v.db"), "vm-a").is_err());
    }
}
