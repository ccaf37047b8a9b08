//! Mapping between a [`SessionRecord`] and a `sessions` row. The column
//! values are this store's own names, not the wire's: renaming a wire enum
//! must never change what a store file holds.

use super::super::names;
use crate::domain::{SessionRecord, Status};
use rusqlite::{types::ToSql, Row};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use vendscreen_protocol as wire;

pub const COLUMNS: &str = "reference, machine, seq, version, product_id, product_name, slot, amount, \
    currency, tax_rate, qr_url, qr_image, phase, reason, cancelling, needs_operator, operator_reason, \
    created_at, expires_at, authorized_at, ended_at, request_id, vend_acked_at, attempts, due_ms, \
    phase_since";

/// The columns an insert writes, with their placeholders.
pub const INSERT: &str = "INSERT INTO sessions (reference, machine, seq, version, product_id, \
    product_name, slot, amount, currency, tax_rate, qr_url, qr_image, phase, reason, cancelling, \
    needs_operator, operator_reason, created_at, expires_at, authorized_at, ended_at, request_id, \
    vend_acked_at, attempts, due_ms, phase_since) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, \
    ?20, ?21, ?22, ?23, 0, ?24, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";

/// The values of [`INSERT`], in order, but for `due_ms` (?24).
pub fn insert_params(s: &SessionRecord) -> Vec<Box<dyn ToSql>> {
    vec![
        Box::new(s.reference.clone()),
        Box::new(s.machine.clone()),
        Box::new(s.seq),
        Box::new(s.version),
        Box::new(s.product_id.clone()),
        Box::new(s.product_name.clone()),
        Box::new(s.slot.clone()),
        Box::new(s.amount.value),
        Box::new(names::currency(s.amount.currency)),
        Box::new(s.tax_rate),
        Box::new(s.qr_url.clone()),
        Box::new(s.qr_image.clone()),
        Box::new(names::phase(s.status.phase())),
        Box::new(s.status.reason().map(names::reason)),
        Box::new(s.status.cancelling().map(names::reason)),
        Box::new(s.operator.is_some()),
        Box::new(s.operator.map(names::operator_reason)),
        Box::new(rfc3339(s.created_at)),
        Box::new(rfc3339(s.expires_at)),
        Box::new(s.authorized_at.map(rfc3339)),
        Box::new(s.ended_at.map(rfc3339)),
        Box::new(s.request_id.clone()),
        Box::new(s.vend_acked_at.map(rfc3339)),
    ]
}

/// A transition changes the status, its times and the version; the QR and
/// the operator flag have writes of their own, which this never undoes.
pub const TRANSITION: &str = "UPDATE sessions SET phase = ?2, reason = ?3, cancelling = ?4, \
    authorized_at = ?5, ended_at = ?6, vend_acked_at = ?7, version = version + 1, attempts = 0, \
    due_ms = ?8, phase_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
    WHERE reference = ?1 AND version = ?9";

/// The values of [`TRANSITION`] but for `due_ms` (?8) and the version (?9).
pub fn transition_params(s: &SessionRecord) -> Vec<Box<dyn ToSql>> {
    vec![
        Box::new(s.reference.clone()),
        Box::new(names::phase(s.status.phase())),
        Box::new(s.status.reason().map(names::reason)),
        Box::new(s.status.cancelling().map(names::reason)),
        Box::new(s.authorized_at.map(rfc3339)),
        Box::new(s.ended_at.map(rfc3339)),
        Box::new(s.vend_acked_at.map(rfc3339)),
    ]
}

pub fn from_row(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    let bad = |col: usize, what: &str| {
        rusqlite::Error::InvalidColumnType(col, what.into(), rusqlite::types::Type::Text)
    };
    let text = |i: usize| r.get::<_, String>(i);
    let opt = |i: usize| r.get::<_, Option<String>>(i);
    let time = |i: usize| -> rusqlite::Result<OffsetDateTime> {
        parse_time(&text(i)?).ok_or_else(|| bad(i, "time"))
    };
    let opt_time = |i: usize| -> rusqlite::Result<Option<OffsetDateTime>> {
        Ok(opt(i)?.and_then(|s| parse_time(&s)))
    };
    let flagged: bool = r.get(15)?;
    Ok(SessionRecord {
        reference: r.get(0)?,
        machine: r.get(1)?,
        seq: r.get(2)?,
        version: r.get(3)?,
        product_id: r.get(4)?,
        product_name: r.get(5)?,
        slot: r.get(6)?,
        amount: wire::Money::new(
            r.get(7)?,
            names::parse_currency(&text(8)?).ok_or_else(|| bad(8, "currency"))?,
        ),
        tax_rate: r.get(9)?,
        qr_url: opt(10)?,
        qr_image: opt(11)?,
        status: Status::from_parts(
            names::parse_phase(&text(12)?).ok_or_else(|| bad(12, "phase"))?,
            opt(13)?.and_then(|s| names::parse_reason(&s)),
            opt(14)?.and_then(|s| names::parse_reason(&s)),
        )
        .ok_or_else(|| bad(12, "status"))?,
        operator: flagged.then(|| names::parse_operator_reason(opt(16).ok().flatten().as_deref())),
        created_at: time(17)?,
        expires_at: time(18)?,
        authorized_at: opt_time(19)?,
        ended_at: opt_time(20)?,
        request_id: opt(21)?,
        vend_acked_at: opt_time(22)?,
        attempts: r.get::<_, i64>(23)? as u32,
        due_at: r.get::<_, Option<i64>>(24)?.map(from_ms),
        phase_since: opt_time(25)?,
    })
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Unix milliseconds: the form times are compared in (`due_ms`, leases).
pub fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}
