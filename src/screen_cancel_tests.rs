//! The customer's Cancel and the answers to a start, row by row: a press is
//! never dropped, and a late answer never brings a purchase back.

use super::tests::{run, session, snapshot};
use super::*;

fn paying(reference: &str) -> State {
    run([
        snapshot(true, None),
        Event::Session(session(reference, SessionState::AwaitingPayment, "01")),
    ])
}

#[test]
fn cancel_shows_cancelling_until_the_server_decides() {
    let s = paying("r1");
    assert!(!s.cancelling());
    let s = s.apply(Event::CancelPressed);
    assert!(s.cancelling());
    assert_eq!(s.cancel_due(), Some("r1"));
    let s = s.apply(Event::CancelSent("r1".into()));
    assert_eq!(s.cancel_due(), None, "sent once");
    let mut settling = session("r1", SessionState::AwaitingPayment, "02");
    settling.cancelling = true;
    let s = s.apply(Event::Session(settling));
    assert!(s.cancelling());
    let s = s.apply(Event::Session(session("r1", SessionState::Cancelled, "03")));
    assert!(!s.cancelling());
    assert_eq!(s.screen(), Screen::Outcome(SessionState::Cancelled));
}

#[test]
fn a_second_press_sends_nothing_more() {
    let s = paying("r1").apply(Event::CancelPressed);
    let s = s.apply(Event::CancelSent("r1".into()));
    let s = s.apply(Event::CancelPressed);
    assert_eq!(s.cancel_due(), None);
    assert!(s.cancelling());
}

#[test]
fn a_failed_cancel_stops_saying_cancelling_and_can_be_pressed_again() {
    let s = paying("r1")
        .apply(Event::CancelPressed)
        .apply(Event::CancelSent("r1".into()));
    let s = s.apply(Event::CancelFailed("r1".into()));
    assert!(!s.cancelling());
    assert_eq!(s.notice, Some(Notice::CancelFailed));
    assert_eq!(
        s.clone().apply(Event::CancelPressed).cancel_due(),
        Some("r1")
    );
    // Approved after all: "could not cancel yet" no longer applies.
    let s = s.apply(Event::Session(session(
        "r1",
        SessionState::Authorized,
        "02",
    )));
    assert_eq!(s.notice, None);
}

#[test]
fn a_press_while_the_payment_is_prepared_is_sent_once_it_has_a_reference() {
    let s = run([
        snapshot(true, None),
        Event::CreateStarted,
        Event::CancelPressed,
    ]);
    assert_eq!(s.screen(), Screen::Creating);
    assert!(s.cancelling(), "the press shows at once");
    assert_eq!(s.cancel_due(), None, "no reference to cancel yet");
    let s = s.apply(Event::Session(session("r1", SessionState::Creating, "01")));
    assert_eq!(s.cancel_due(), None);
    let s = s.apply(Event::Session(session(
        "r1",
        SessionState::AwaitingPayment,
        "02",
    )));
    assert_eq!(s.cancel_due(), Some("r1"));
}

#[test]
fn a_press_before_a_start_that_fails_is_dropped_with_it() {
    let s = run([
        snapshot(true, None),
        Event::CreateStarted,
        Event::CancelPressed,
        Event::CreateFailed(1, Notice::Unavailable),
    ]);
    assert_eq!(s.cancel, None);
    assert!(!s.cancelling());
}

#[test]
fn a_press_after_the_purchase_ended_has_nothing_to_cancel() {
    let s = paying("r1").apply(Event::Session(session("r1", SessionState::Expired, "02")));
    assert_eq!(s.apply(Event::CancelPressed).cancel, None);
}

#[test]
fn a_late_answer_to_an_earlier_start_never_brings_its_purchase_back() {
    // r1 was started, shown from the stream, cancelled and dismissed; r2 has
    // started; only then does the answer to r1's POST arrive.
    let s = run([
        snapshot(true, None),
        Event::CreateStarted,
        Event::Session(session("r1", SessionState::AwaitingPayment, "01")),
        Event::Session(session("r1", SessionState::Cancelled, "02")),
        Event::IdleDue("r1".into()),
        Event::CreateStarted,
        Event::Session(session("r2", SessionState::Creating, "03")),
        Event::Created(1, session("r1", SessionState::AwaitingPayment, "01")),
    ]);
    assert_eq!(s.screen(), Screen::Creating);
    assert_eq!(s.session.as_ref().map(|s| s.reference.as_str()), Some("r2"));
}

#[test]
fn a_late_failure_of_an_earlier_start_leaves_the_current_one_alone() {
    let s = run([
        snapshot(true, None),
        Event::CreateStarted,
        Event::CreateStarted,
        Event::CreateFailed(1, Notice::Unavailable),
    ]);
    assert_eq!(s.screen(), Screen::Creating);
    assert_eq!(s.notice, None);
}

#[test]
fn the_answer_to_the_current_start_shows_the_purchase_when_the_stream_is_silent() {
    let s = run([snapshot(true, None), Event::CreateStarted]);
    let s = s.apply(Event::Created(
        1,
        session("r1", SessionState::AwaitingPayment, "01"),
    ));
    assert_eq!(s.screen(), Screen::Pay);
}
