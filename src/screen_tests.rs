//! One test per row of the display's transition table.

use super::*;
use wire::{Currency, EndReason, Money, ProductRef};

pub(super) fn machine(in_service: bool) -> wire::MachineStatus {
    wire::MachineStatus {
        in_service,
        reason: (!in_service).then_some(OutOfServiceReason::Maintenance),
        server_time: "2025-03-01T12:00:00Z".into(),
    }
}

pub(super) fn session(reference: &str, state: SessionState, at: &str) -> wire::Session {
    wire::Session {
        reference: reference.into(),
        product: ProductRef {
            id: "cola".into(),
            name: "Cola".into(),
        },
        amount: Money::new(3500, Currency::Nok),
        qr_url: Some("https://qr.example/x".into()),
        qr_image: None,
        state,
        expires_at: "2025-03-01T12:10:00Z".into(),
        server_time: format!("2025-03-01T12:00:{at}Z"),
        reason: state.is_final().then_some(EndReason::CustomerCancelled),
        idle_at: state.is_final().then(|| "2025-03-01T12:00:59Z".into()),
        cancelling: false,
    }
}

pub(super) fn snapshot(in_service: bool, s: Option<wire::Session>) -> Event {
    Event::Snapshot(wire::Snapshot {
        machine: machine(in_service),
        session: s,
        server_time: "2025-03-01T12:00:00Z".into(),
    })
}

pub(super) fn run(events: impl IntoIterator<Item = Event>) -> State {
    events.into_iter().fold(State::default(), State::apply)
}

#[test]
fn before_any_snapshot_it_is_connecting() {
    assert_eq!(State::default().screen(), Screen::Connecting);
}

#[test]
fn a_snapshot_without_session_shows_the_catalog() {
    assert_eq!(run([snapshot(true, None)]).screen(), Screen::Idle);
}

#[test]
fn a_machine_out_of_service_says_why() {
    let s = run([snapshot(false, None)]);
    assert_eq!(
        s.screen(),
        Screen::OutOfService(Some(OutOfServiceReason::Maintenance))
    );
    assert_eq!(
        s.apply(Event::Machine(machine(true))).screen(),
        Screen::Idle
    );
}

#[test]
fn a_reload_mid_purchase_restores_the_pay_screen() {
    let s = run([snapshot(
        true,
        Some(session("r1", SessionState::AwaitingPayment, "01")),
    )]);
    assert_eq!(s.screen(), Screen::Pay);
}

#[test]
fn touching_a_product_shows_creating_until_the_session_arrives() {
    let s = run([snapshot(true, None), Event::CreateStarted]);
    assert_eq!(s.screen(), Screen::Creating);
    let s = s.apply(Event::Created(
        1,
        session("r1", SessionState::AwaitingPayment, "01"),
    ));
    assert_eq!(s.screen(), Screen::Pay);
    assert!(!s.creating);
}

#[test]
fn a_failed_start_goes_back_to_the_catalog_with_a_notice() {
    let s = run([
        snapshot(true, None),
        Event::CreateStarted,
        Event::CreateFailed(1, Notice::Busy),
    ]);
    assert_eq!(s.screen(), Screen::Idle);
    assert_eq!(s.notice, Some(Notice::Busy));
    assert_eq!(s.apply(Event::NoticeDone).notice, None);
}

#[test]
fn each_session_state_has_its_screen() {
    let cases = [
        (SessionState::Creating, Screen::Creating),
        (SessionState::AwaitingPayment, Screen::Pay),
        (SessionState::Authorized, Screen::Authorized),
        (SessionState::Dispensing, Screen::Dispensing),
        (
            SessionState::Completed,
            Screen::Outcome(SessionState::Completed),
        ),
        (
            SessionState::VendFailed,
            Screen::Outcome(SessionState::VendFailed),
        ),
        (
            SessionState::Cancelled,
            Screen::Outcome(SessionState::Cancelled),
        ),
        (
            SessionState::Rejected,
            Screen::Outcome(SessionState::Rejected),
        ),
        (
            SessionState::Expired,
            Screen::Outcome(SessionState::Expired),
        ),
        (SessionState::Failed, Screen::Outcome(SessionState::Failed)),
    ];
    for (state, screen) in cases {
        let s = run([
            snapshot(true, None),
            Event::Session(session("r1", state, "01")),
        ]);
        assert_eq!(s.screen(), screen, "{state:?}");
    }
}

#[test]
fn an_outcome_stays_until_idle_is_due_then_the_catalog_returns() {
    let s = run([
        snapshot(true, None),
        Event::Session(session("r1", SessionState::Completed, "01")),
    ]);
    let s = s.apply(Event::IdleDue("other".into()));
    assert_eq!(s.screen(), Screen::Outcome(SessionState::Completed));
    let s = s.apply(Event::IdleDue("r1".into()));
    assert_eq!(s.screen(), Screen::Idle);
    // A reconnect's snapshot repeating the ended session does not bring it back.
    let s = s.apply(snapshot(
        true,
        Some(session("r1", SessionState::Completed, "05")),
    ));
    assert_eq!(s.screen(), Screen::Idle);
}

#[test]
fn idle_due_never_hides_a_purchase_under_way() {
    let s = run([
        snapshot(true, None),
        Event::Session(session("r1", SessionState::Dispensing, "01")),
    ]);
    assert_eq!(
        s.apply(Event::IdleDue("r1".into())).screen(),
        Screen::Dispensing
    );
}

#[test]
fn an_older_copy_of_the_session_never_moves_the_screen_back() {
    let s = run([
        snapshot(true, None),
        Event::Session(session("r1", SessionState::Authorized, "05")),
        Event::Session(session("r1", SessionState::AwaitingPayment, "02")),
    ]);
    assert_eq!(s.screen(), Screen::Authorized);
    let s = s.apply(Event::Session(session("r1", SessionState::Completed, "06")));
    let s = s.apply(Event::Session(session(
        "r1",
        SessionState::Dispensing,
        "07",
    )));
    assert_eq!(s.screen(), Screen::Outcome(SessionState::Completed));
}

#[test]
fn a_purchase_under_way_wins_over_out_of_service() {
    let s = run([
        snapshot(true, None),
        Event::Session(session("r1", SessionState::Dispensing, "01")),
        Event::Machine(machine(false)),
    ]);
    assert_eq!(s.screen(), Screen::Dispensing);
}

#[test]
fn every_snapshot_is_counted_so_a_reconnect_can_be_told_apart() {
    let s = run([snapshot(true, None)]);
    assert_eq!(s.snapshots, 1);
    let s = s.apply(snapshot(true, None));
    assert_eq!(s.snapshots, 2);
}

#[test]
fn an_outcome_returns_to_idle_at_idle_at_or_ten_seconds_after() {
    let mut s = session("r1", SessionState::Expired, "01");
    assert_eq!(idle_deadline(&s), parse_rfc3339_ms("2025-03-01T12:00:59Z"));
    s.idle_at = None;
    assert_eq!(idle_deadline(&s), parse_rfc3339_ms("2025-03-01T12:00:11Z"));
}
