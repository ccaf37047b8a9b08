//! The names the stores write for the domain's enums. Spelled out here, not
//! borrowed from the wire's serde names or `Debug`: a file or table written
//! today must read the same after any rename in the code.

use super::OutboxKind;
use crate::domain::{OperatorReason, Phase};
use vendscreen_protocol::{Currency, EndReason};

/// Every phase with its stored name, in the transition table's order.
const PHASES: [(Phase, &str); 12] = [
    (Phase::Creating, "creating"),
    (Phase::AwaitingPayment, "awaitingPayment"),
    (Phase::Authorized, "authorized"),
    (Phase::Vending, "vending"),
    (Phase::Capturing, "capturing"),
    (Phase::Releasing, "releasing"),
    (Phase::Completed, "completed"),
    (Phase::VendFailed, "vendFailed"),
    (Phase::Cancelled, "cancelled"),
    (Phase::Rejected, "rejected"),
    (Phase::Expired, "expired"),
    (Phase::Failed, "failed"),
];

const REASONS: [(EndReason, &str); 12] = [
    (EndReason::CustomerCancelled, "customerCancelled"),
    (EndReason::SessionTimeout, "sessionTimeout"),
    (EndReason::DeclinedInApp, "declinedInApp"),
    (EndReason::PaymentExpired, "paymentExpired"),
    (EndReason::VendFailed, "vendFailed"),
    (EndReason::VendTimeout, "vendTimeout"),
    (
        EndReason::PaymentServiceUnreachable,
        "paymentServiceUnreachable",
    ),
    (EndReason::PaymentServiceRefused, "paymentServiceRefused"),
    (EndReason::Interrupted, "interrupted"),
    (EndReason::ApprovalTooLate, "approvalTooLate"),
    (EndReason::PaymentMismatch, "paymentMismatch"),
    (EndReason::Unknown, "unknown"),
];

const OPERATOR_REASONS: [(OperatorReason, &str); 5] = [
    (OperatorReason::VendUncertain, "vendUncertain"),
    (OperatorReason::SettlementRefused, "settlementRefused"),
    (OperatorReason::SettlementOverdue, "settlementOverdue"),
    (OperatorReason::PaymentMismatch, "paymentMismatch"),
    (OperatorReason::UnsettledTooLong, "unsettledTooLong"),
];

fn name<T: PartialEq + Copy>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, n)| *n)
        .unwrap_or("unknown")
}

fn parse<T: Copy>(table: &[(T, &'static str)], name: &str) -> Option<T> {
    table.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
}

pub fn phase(p: Phase) -> &'static str {
    name(&PHASES, p)
}

pub fn parse_phase(s: &str) -> Option<Phase> {
    parse(&PHASES, s)
}

/// The phases whose sessions are over.
pub fn final_phases() -> impl Iterator<Item = &'static str> {
    PHASES.iter().filter(|(p, _)| p.is_final()).map(|(_, n)| *n)
}

pub fn reason(r: EndReason) -> &'static str {
    name(&REASONS, r)
}

pub fn parse_reason(s: &str) -> Option<EndReason> {
    parse(&REASONS, s)
}

/// Every reason's name (metrics start each at 0).
pub fn operator_reasons() -> impl Iterator<Item = &'static str> {
    OPERATOR_REASONS.iter().map(|(_, n)| *n)
}

pub fn operator_reason(r: OperatorReason) -> &'static str {
    name(&OPERATOR_REASONS, r)
}

/// Flags from before reasons were kept were all unknown vends.
pub fn parse_operator_reason(s: Option<&str>) -> OperatorReason {
    s.and_then(|s| parse(&OPERATOR_REASONS, s))
        .unwrap_or(OperatorReason::VendUncertain)
}

pub fn outbox_kind(k: OutboxKind) -> &'static str {
    match k {
        OutboxKind::Session => "session",
        OutboxKind::Vend => "vend",
        OutboxKind::Machine => "machine",
        OutboxKind::Catalog => "catalog",
    }
}

pub fn parse_outbox_kind(s: &str) -> Option<OutboxKind> {
    [
        OutboxKind::Session,
        OutboxKind::Vend,
        OutboxKind::Machine,
        OutboxKind::Catalog,
    ]
    .into_iter()
    .find(|k| outbox_kind(*k) == s)
}

pub fn currency(c: Currency) -> &'static str {
    match c {
        Currency::Nok => "NOK",
        Currency::Dkk => "DKK",
        Currency::Eur => "EUR",
    }
}

pub fn parse_currency(s: &str) -> Option<Currency> {
    [Currency::Nok, Currency::Dkk, Currency::Eur]
        .into_iter()
        .find(|c| currency(*c) == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_none_is_used_twice() {
        for (p, n) in PHASES {
            assert_eq!(parse_phase(phase(p)), Some(p), "{n}");
        }
        for (r, n) in REASONS {
            assert_eq!(parse_reason(reason(r)), Some(r), "{n}");
        }
        let names: std::collections::HashSet<_> = PHASES.iter().map(|(_, n)| n).collect();
        assert_eq!(names.len(), PHASES.len());
    }

    #[test]
    fn stored_names_are_the_ones_files_already_hold() {
        // Written by every version since the first; never change them.
        assert_eq!(phase(Phase::AwaitingPayment), "awaitingPayment");
        assert_eq!(reason(EndReason::SessionTimeout), "sessionTimeout");
        assert_eq!(currency(Currency::Nok), "NOK");
    }
}
