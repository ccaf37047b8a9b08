//! The transition table, one case per row: (phase, event) → phase or ignored.
//! Rows not listed in `EXPECTED` must be ignored; that is checked exhaustively.

use super::*;
use Payment as P;

fn events() -> Vec<Event> {
    vec![
        Event::Created,
        Event::CreateFailed(EndReason::PaymentServiceUnreachable),
        Event::Payment(P::Pending),
        Event::Payment(P::Approved),
        Event::Payment(P::Declined),
        Event::Payment(P::Expired),
        Event::Payment(P::Terminated),
        Event::CancelRequested(EndReason::CustomerCancelled),
        Event::CancelRefused,
        Event::VendStarted,
        Event::VendSucceeded,
        Event::VendFailed(EndReason::VendFailed),
        Event::Captured,
        Event::Released,
        Event::PaymentMissing,
        Event::PaymentMismatch,
    ]
}

/// Every accepted (phase, event) and where it leads. Anything else is ignored.
fn expected(phase: Phase, event: &Event) -> Option<Phase> {
    use Phase::*;
    Some(match (phase, event) {
        (Creating, Event::Created) => AwaitingPayment,
        (Creating, Event::CreateFailed(_)) => Failed,
        (Creating | AwaitingPayment, Event::PaymentMissing) => Failed,
        (Creating | AwaitingPayment, Event::Payment(P::Approved)) => Authorized,
        (Creating | AwaitingPayment, Event::Payment(P::Declined)) => Rejected,
        (Creating | AwaitingPayment, Event::Payment(P::Expired)) => Expired,
        (Creating | AwaitingPayment, Event::Payment(P::Terminated)) => Cancelled,
        (AwaitingPayment, Event::CancelRequested(_)) => AwaitingPayment,
        (Authorized, Event::VendStarted) => Vending,
        (Authorized, Event::PaymentMismatch) => Failed,
        (Vending, Event::VendSucceeded) => Capturing,
        (Authorized | Vending, Event::VendFailed(_)) => Releasing,
        (Capturing, Event::Captured) => Completed,
        (Releasing, Event::Released) => VendFailed,
        _ => return None,
    })
}

#[test]
fn every_phase_and_event_follows_the_table() {
    for phase in Phase::ALL {
        for event in events() {
            let got = match Status::new(phase).apply(&event) {
                Transition::To(s) => Some(s.phase),
                Transition::Ignore => None,
            };
            assert_eq!(got, expected(phase, &event), "{phase:?} × {event:?}");
        }
    }
}

#[test]
fn final_phases_ignore_every_event() {
    for phase in Phase::ALL.into_iter().filter(|p| p.is_final()) {
        for event in events() {
            assert_eq!(
                Status::new(phase).apply(&event),
                Transition::Ignore,
                "{phase:?} × {event:?}"
            );
        }
    }
}

#[test]
fn a_duplicate_authorization_never_starts_a_second_vend() {
    let authorized = Status::new(Phase::AwaitingPayment).apply(&Event::Payment(P::Approved));
    let Transition::To(authorized) = authorized else {
        panic!("not authorized")
    };
    let Transition::To(vending) = authorized.apply(&Event::VendStarted) else {
        panic!("no vend")
    };
    assert_eq!(
        vending.apply(&Event::Payment(P::Approved)),
        Transition::Ignore
    );
    assert_eq!(vending.apply(&Event::VendStarted), Transition::Ignore);
}

#[test]
fn cancel_requested_sets_the_flag_once_and_keeps_its_reason() {
    let s = Status::new(Phase::AwaitingPayment);
    let Transition::To(c) = s.apply(&Event::CancelRequested(EndReason::SessionTimeout)) else {
        panic!()
    };
    assert_eq!(c.cancelling, Some(EndReason::SessionTimeout));
    assert_eq!(
        c.apply(&Event::CancelRequested(EndReason::CustomerCancelled)),
        Transition::Ignore
    );
    let Transition::To(done) = c.apply(&Event::Payment(P::Terminated)) else {
        panic!()
    };
    assert_eq!(
        (done.phase, done.reason, done.cancelling),
        (Phase::Cancelled, Some(EndReason::SessionTimeout), None)
    );
}

#[test]
fn a_cancel_that_lost_the_race_to_approval_clears_the_flag_and_vends() {
    let s = Status {
        cancelling: Some(EndReason::CustomerCancelled),
        ..Status::new(Phase::AwaitingPayment)
    };
    let Transition::To(refused) = s.apply(&Event::CancelRefused) else {
        panic!()
    };
    assert_eq!(refused.cancelling, None);
    let Transition::To(auth) = s.apply(&Event::Payment(P::Approved)) else {
        panic!()
    };
    assert_eq!((auth.phase, auth.cancelling), (Phase::Authorized, None));
}

#[test]
fn endings_carry_the_reason_the_screen_explains() {
    let s = Status::new(Phase::AwaitingPayment);
    let reason = |e: Event| match s.apply(&e) {
        Transition::To(t) => t.reason,
        Transition::Ignore => None,
    };
    assert_eq!(
        reason(Event::Payment(P::Declined)),
        Some(EndReason::DeclinedInApp)
    );
    assert_eq!(
        reason(Event::Payment(P::Expired)),
        Some(EndReason::PaymentExpired)
    );
    assert_eq!(
        reason(Event::Payment(P::Terminated)),
        Some(EndReason::CustomerCancelled)
    );
}

#[test]
fn internal_phases_map_to_the_screen_vocabulary() {
    use vendscreen_protocol::SessionState as S;
    assert_eq!(Phase::Vending.wire(), S::Dispensing);
    assert_eq!(Phase::Capturing.wire(), S::Dispensing);
    assert_eq!(Phase::Releasing.wire(), S::Dispensing);
    assert_eq!(Phase::VendFailed.wire(), S::VendFailed);
    for p in Phase::ALL {
        assert_eq!(Phase::parse(p.as_str()), Some(p));
    }
}

#[test]
fn impossible_combinations_cannot_be_made() {
    let cancelled = Some(EndReason::CustomerCancelled);
    assert_eq!(Status::from_parts(Phase::Completed, None, cancelled), None);
    assert_eq!(Status::from_parts(Phase::Authorized, None, cancelled), None);
    let timeout = Some(EndReason::VendTimeout);
    assert_eq!(Status::from_parts(Phase::Vending, timeout, None), None);
    let unpaid = Status::from_parts(Phase::AwaitingPayment, None, cancelled);
    assert_eq!(
        unpaid,
        Some(Status::cancel_requested(EndReason::CustomerCancelled))
    );
    let releasing = Status::from_parts(Phase::Releasing, timeout, None).unwrap();
    assert_eq!(releasing.reason(), timeout);
}
