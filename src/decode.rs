//! Wire types from JSON text, through `json.rs` instead of serde_json (size).
//! Same rules as the protocol's serde derives: camelCase fields, optional
//! fields may be absent or null, unknown reasons become `Unknown`, unknown
//! fields are ignored. Tested against serde_json on every golden file.

use crate::json::{self, Value};
use vendscreen_protocol as wire;
use wire::{Currency, EndReason, Locale, OutOfServiceReason, SessionState};

/// A `session` event or a `POST /api/sessions` answer.
pub fn session(text: &str) -> Option<wire::Session> {
    session_of(&json::parse(text)?)
}

/// A `snapshot` event.
pub fn snapshot(text: &str) -> Option<wire::Snapshot> {
    let v = json::parse(text)?;
    let session = match v.get("session") {
        None | Some(Value::Null) => None,
        Some(s) => Some(session_of(s)?),
    };
    Some(wire::Snapshot {
        machine: machine_of(v.get("machine")?)?,
        session,
        server_time: string(&v, "serverTime")?,
    })
}

/// A `machine` event.
pub fn machine(text: &str) -> Option<wire::MachineStatus> {
    machine_of(&json::parse(text)?)
}

/// `GET /api/catalog`.
pub fn catalog(text: &str) -> Option<wire::Catalog> {
    let v = json::parse(text)?;
    let m = v.get("machine")?;
    let machine = wire::Machine {
        pos_id: string(m, "posId")?,
        name: string(m, "name")?,
        locale: locale(m.get("locale")?.str()?)?,
        currency: currency(m.get("currency")?.str()?)?,
    };
    let Value::Arr(items) = v.get("products")? else {
        return None;
    };
    let products = items
        .iter()
        .map(|p| {
            let (id, name) = (string(p, "id")?, string(p, "name")?);
            Some(wire::Product {
                id,
                name,
                price: money(p.get("price")?)?,
                available: p.get("available")?.bool()?,
            })
        })
        .collect::<Option<_>>()?;
    Some(wire::Catalog { machine, products })
}

/// An `application/problem+json` body.
pub fn problem(text: &str) -> Option<wire::Problem> {
    let v = json::parse(text)?;
    Some(wire::Problem {
        kind: string(&v, "type")?,
        title: string(&v, "title")?,
        status: u16::try_from(v.get("status")?.int()?).ok()?,
        detail: opt_string(&v, "detail")?,
        reason: opt_enum(&v, "reason", oos_reason)?,
    })
}

fn session_of(v: &Value) -> Option<wire::Session> {
    let p = v.get("product")?;
    Some(wire::Session {
        reference: string(v, "reference")?,
        product: wire::ProductRef {
            id: string(p, "id")?,
            name: string(p, "name")?,
        },
        amount: money(v.get("amount")?)?,
        qr_url: opt_string(v, "qrUrl")?,
        qr_image: opt_string(v, "qrImage")?,
        state: state(v.get("state")?.str()?)?,
        expires_at: string(v, "expiresAt")?,
        server_time: string(v, "serverTime")?,
        reason: opt_enum(v, "reason", end_reason)?,
        idle_at: opt_string(v, "idleAt")?,
        cancelling: opt(v, "cancelling").map_or(Some(false), Value::bool)?,
    })
}

fn machine_of(v: &Value) -> Option<wire::MachineStatus> {
    Some(wire::MachineStatus {
        in_service: v.get("inService")?.bool()?,
        reason: opt_enum(v, "reason", oos_reason)?,
        server_time: string(v, "serverTime")?,
    })
}

fn money(v: &Value) -> Option<wire::Money> {
    Some(wire::Money::new(
        v.get("value")?.int()?,
        currency(v.get("currency")?.str()?)?,
    ))
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key)?.str().map(str::to_owned)
}

/// A field that may be absent or null: `None`; present: `Some(value)`.
fn opt<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| **x != Value::Null)
}

/// Outer `None`: malformed; inner: absent.
fn opt_string(v: &Value, key: &str) -> Option<Option<String>> {
    opt(v, key)
        .map(|x| x.str().map(str::to_owned))
        .map_or(Some(None), |s| s.map(Some))
}

/// An optional string enum: outer `None` when present but not a string.
fn opt_enum<T>(v: &Value, key: &str, of: fn(&str) -> T) -> Option<Option<T>> {
    match opt(v, key) {
        None => Some(None),
        Some(x) => x.str().map(|s| Some(of(s))),
    }
}

fn currency(s: &str) -> Option<Currency> {
    [Currency::Nok, Currency::Dkk, Currency::Eur]
        .into_iter()
        .find(|c| c.code() == s)
}

fn locale(s: &str) -> Option<Locale> {
    Locale::ALL.into_iter().find(|l| l.tag() == s)
}

fn state(s: &str) -> Option<SessionState> {
    use SessionState::*;
    let all = [
        Creating,
        AwaitingPayment,
        Authorized,
        Dispensing,
        Completed,
        VendFailed,
        Cancelled,
        Rejected,
        Expired,
        Failed,
    ];
    let names = [
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
    names.iter().position(|n| *n == s).map(|i| all[i])
}

fn end_reason(s: &str) -> EndReason {
    use EndReason::*;
    match s {
        "customerCancelled" => CustomerCancelled,
        "sessionTimeout" => SessionTimeout,
        "declinedInApp" => DeclinedInApp,
        "paymentExpired" => PaymentExpired,
        "vendFailed" => VendFailed,
        "vendTimeout" => VendTimeout,
        "paymentServiceUnreachable" => PaymentServiceUnreachable,
        "paymentServiceRefused" => PaymentServiceRefused,
        "interrupted" => Interrupted,
        _ => Unknown,
    }
}

fn oos_reason(s: &str) -> OutOfServiceReason {
    match s {
        "dispenserNotReady" => OutOfServiceReason::DispenserNotReady,
        "paymentServiceUnreachable" => OutOfServiceReason::PaymentServiceUnreachable,
        "maintenance" => OutOfServiceReason::Maintenance,
        _ => OutOfServiceReason::Unknown,
    }
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
