//! Every text on the screen, in the five languages the display speaks.
//! One `Strings` per language, checked at compile time to be complete.

mod da;
mod en;
mod fi;
mod nb;
mod sv;

use leptos::prelude::*;
use vendscreen_protocol as wire;
use wire::{EndReason, Locale, OutOfServiceReason, SessionState};

/// All texts of one language. Templates are (before, after) pairs around the
/// value: no string searching at run time, which keeps `str::replace` out of the wasm.
#[derive(Debug)]
pub struct Strings {
    /// The language's own name, on its chip.
    pub lang_name: &'static str,
    /// Label of the group of language chips.
    pub languages: &'static str,
    /// Connecting screen.
    pub connecting: &'static str,
    /// Idle screen heading.
    pub choose: &'static str,
    /// Idle screen subheading.
    pub pay_with: &'static str,
    /// Marks a product that cannot be bought.
    pub sold_out: &'static str,
    /// Labels of the catalog's previous/next page buttons (they show arrows).
    pub prev: &'static str,
    pub next: &'static str,
    /// The keypad's button and name (buy by the slot number).
    pub keypad: &'static str,
    /// "No product has the number {slot}".
    pub no_slot: (&'static str, &'static str),
    /// Creating screen.
    pub creating: &'static str,
    /// The pay screen's three steps, under their pictograms.
    pub step_open: &'static str,
    pub step_scan: &'static str,
    pub step_approve: &'static str,
    /// Pay screen: label before the countdown.
    pub time_left: &'static str,
    /// Countdown at 00:00, until the server says how it ended.
    pub checking: &'static str,
    /// Cancel button.
    pub cancel: &'static str,
    /// Cancel button while the cancel is settled.
    pub cancelling: &'static str,
    /// Alternative text of the QR image.
    pub qr_alt: &'static str,
    /// Authorized screen heading and line.
    pub authorized: &'static str,
    pub authorized_body: &'static str,
    /// Dispensing screen heading and line.
    pub dispensing: &'static str,
    pub dispensing_body: &'static str,
    /// Completed screen: heading, "Paid {amount}", and what to do.
    pub completed: &'static str,
    pub paid: (&'static str, &'static str),
    pub take_item: &'static str,
    /// Headings of the endings.
    pub cancelled: &'static str,
    pub expired: &'static str,
    pub rejected: &'static str,
    pub vend_failed: &'static str,
    /// `vendFailed` because the approval reached the machine too late to vend.
    pub approval_too_late: &'static str,
    pub failed: &'static str,
    /// `failed` for any other reason than an unreachable payment service.
    pub failed_other: &'static str,
    /// Money sentences of the endings.
    pub not_charged: &'static str,
    pub not_charged_released: &'static str,
    /// Under every "not charged": the bank may show a reservation a while.
    pub bank_hold: &'static str,
    /// "Reference {reference}", small under a completed purchase.
    pub reference: (&'static str, &'static str),
    /// "Back to start in {n} s".
    pub back_in: (&'static str, &'static str),
    /// Out of service: heading, money sentence, reasons.
    pub out_of_service: &'static str,
    pub no_money_taken: &'static str,
    pub reason_dispenser: &'static str,
    pub reason_payment: &'static str,
    pub reason_maintenance: &'static str,
    pub reason_unknown: &'static str,
    /// Connection banner.
    pub stale: &'static str,
    /// Over the dimmed QR when the stream has been lost for long.
    pub cannot_confirm: &'static str,
    /// Notices on the idle screen after a failed start or cancel.
    pub notice_busy: &'static str,
    pub notice_unavailable: &'static str,
    pub notice_not_for_sale: &'static str,
    pub notice_cancel_failed: &'static str,
}

/// The texts for `locale`.
pub fn t(locale: Locale) -> &'static Strings {
    match locale {
        Locale::Nb => &nb::NB,
        Locale::Da => &da::DA,
        Locale::Fi => &fi::FI,
        Locale::Sv => &sv::SV,
        Locale::En => &en::EN,
    }
}

/// One text in the current language, as a signal. Every text node shares
/// this one closure type, so the view code is compiled once, not once per
/// text: a real saving in a bundle that must stay under 100 KB.
pub fn tr(locale: Memo<Locale>, pick: fn(&Strings) -> &'static str) -> Signal<String> {
    Signal::derive(move || pick(t(locale.get())).to_owned())
}

impl Strings {
    /// "Paid 35,00 kr".
    pub fn paid_amount(&self, amount: &str) -> String {
        format!("{}{amount}{}", self.paid.0, self.paid.1)
    }

    /// "Reference vm-1-ab-000042".
    pub fn reference_of(&self, reference: &str) -> String {
        format!("{}{reference}{}", self.reference.0, self.reference.1)
    }

    /// "No product has the number A9".
    pub fn no_such_slot(&self, number: &str) -> String {
        format!("{}{number}{}", self.no_slot.0, self.no_slot.1)
    }

    /// "Back to start in 7 s".
    pub fn back_in_secs(&self, secs: u64) -> String {
        format!("{}{secs}{}", self.back_in.0, self.back_in.1)
    }

    /// The heading of an ending, as the outcome screen and the live region
    /// say it: a timeout cancels on the server, but to the customer time
    /// simply ran out; `failed` names the service only when it was unreachable.
    pub fn ending_title(&self, state: SessionState, reason: Option<EndReason>) -> &'static str {
        match (state, reason) {
            (SessionState::Cancelled, Some(EndReason::SessionTimeout)) => self.expired,
            (SessionState::VendFailed, Some(EndReason::ApprovalTooLate)) => self.approval_too_late,
            (SessionState::Failed, Some(EndReason::PaymentServiceUnreachable)) => self.failed,
            (SessionState::Failed, _) => self.failed_other,
            _ => self.ending(state),
        }
    }

    /// The heading of a final state.
    pub fn ending(&self, state: SessionState) -> &'static str {
        match state {
            SessionState::Completed => self.completed,
            SessionState::VendFailed => self.vend_failed,
            SessionState::Rejected => self.rejected,
            SessionState::Expired => self.expired,
            SessionState::Failed => self.failed,
            _ => self.cancelled,
        }
    }

    /// Why the machine is out of service.
    pub fn reason(&self, reason: Option<OutOfServiceReason>) -> &'static str {
        match reason {
            Some(OutOfServiceReason::DispenserNotReady) => self.reason_dispenser,
            Some(OutOfServiceReason::PaymentServiceUnreachable) => self.reason_payment,
            Some(OutOfServiceReason::Maintenance) => self.reason_maintenance,
            _ => self.reason_unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_fills_every_template() {
        for l in Locale::ALL {
            let s = t(l);
            assert!(s.paid_amount("X").contains('X'), "{l:?}");
            assert!(s.back_in_secs(7).contains('7'), "{l:?}");
            assert!(
                !s.paid_amount("X").contains('{') && !s.back_in_secs(7).contains('{'),
                "{l:?}"
            );
        }
    }

    #[test]
    fn an_ending_is_titled_by_its_reason_where_the_state_alone_would_mislead() {
        use EndReason::*;
        for l in Locale::ALL {
            let s = t(l);
            let title = |state, reason| s.ending_title(state, reason);
            assert_eq!(
                title(SessionState::Cancelled, Some(SessionTimeout)),
                s.expired
            );
            assert_eq!(
                title(SessionState::Cancelled, Some(CustomerCancelled)),
                s.cancelled
            );
            assert_eq!(
                title(SessionState::Failed, Some(PaymentServiceUnreachable)),
                s.failed
            );
            assert_eq!(
                title(SessionState::VendFailed, Some(ApprovalTooLate)),
                s.approval_too_late
            );
            assert_eq!(
                title(SessionState::VendFailed, Some(VendFailed)),
                s.vend_failed
            );
            for reason in [Some(PaymentServiceRefused), Some(PaymentMismatch), None] {
                assert_eq!(title(SessionState::Failed, reason), s.failed_other, "{l:?}");
            }
            assert_eq!(
                title(SessionState::Rejected, Some(DeclinedInApp)),
                s.rejected
            );
            assert_ne!(s.failed, s.failed_other, "{l:?}");
        }
    }

    #[test]
    fn languages_differ_from_each_other() {
        let names: std::collections::HashSet<_> =
            Locale::ALL.iter().map(|l| t(*l).choose).collect();
        assert_eq!(names.len(), 5);
    }
}
