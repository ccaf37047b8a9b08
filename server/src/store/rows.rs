//! Mapping between a [`SessionRecord`] and a `sessions` row.

use crate::session::record::SessionRecord;
use crate::session::state::{Phase, Status};
use rusqlite::{types::ToSql, Row};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use vendscreen_protocol as wire;

pub const COLUMNS: &str = "reference, seq, product_id, product_name, slot, amount, currency, tax_rate, \
    qr_url, qr_image, phase, reason, cancelling, needs_operator, created_at, expires_at, authorized_at, ended_at";
pub const PLACEHOLDERS: &str =
    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18";
/// A transition changes the status and its times, nothing else: the QR and
/// the operator flag have writes of their own, which this never undoes.
pub const TRANSITION: &str = "UPDATE sessions SET phase = ?2, reason = ?3, cancelling = ?4, \
    authorized_at = ?5, ended_at = ?6 WHERE reference = ?1";

/// The values of [`TRANSITION`], in order.
pub fn transition_params(s: &SessionRecord) -> Vec<Box<dyn ToSql>> {
    vec![
        Box::new(s.reference.clone()),
        Box::new(s.status.phase.as_str()),
        Box::new(s.status.reason.map(reason_name)),
        Box::new(s.status.cancelling.map(reason_name)),
        Box::new(s.authorized_at.map(rfc3339)),
        Box::new(s.ended_at.map(rfc3339)),
    ]
}

/// The row's values, in `COLUMNS` order.
pub fn to_params(s: &SessionRecord) -> Vec<Box<dyn ToSql>> {
    vec![
        Box::new(s.reference.clone()),
        Box::new(s.seq),
        Box::new(s.product_id.clone()),
        Box::new(s.product_name.clone()),
        Box::new(s.slot.clone()),
        Box::new(s.amount.value),
        Box::new(s.amount.currency.code()),
        Box::new(s.tax_rate),
        Box::new(s.qr_url.clone()),
        Box::new(s.qr_image.clone()),
        Box::new(s.status.phase.as_str()),
        Box::new(s.status.reason.map(reason_name)),
        Box::new(s.status.cancelling.map(reason_name)),
        Box::new(s.needs_operator),
        Box::new(rfc3339(s.created_at)),
        Box::new(rfc3339(s.expires_at)),
        Box::new(s.authorized_at.map(rfc3339)),
        Box::new(s.ended_at.map(rfc3339)),
    ]
}

pub fn from_row(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    let phase: String = r.get(10)?;
    let bad = |col: usize, what: &str| {
        rusqlite::Error::InvalidColumnType(col, what.into(), rusqlite::types::Type::Text)
    };
    Ok(SessionRecord {
        reference: r.get(0)?,
        seq: r.get(1)?,
        product_id: r.get(2)?,
        product_name: r.get(3)?,
        slot: r.get(4)?,
        amount: wire::Money::new(
            r.get(5)?,
            parse_json(&r.get::<_, String>(6)?).ok_or_else(|| bad(6, "currency"))?,
        ),
        tax_rate: r.get(7)?,
        qr_url: r.get(8)?,
        qr_image: r.get(9)?,
        status: Status {
            phase: Phase::parse(&phase).ok_or_else(|| bad(10, "phase"))?,
            reason: r.get::<_, Option<String>>(11)?.and_then(|s| parse_json(&s)),
            cancelling: r.get::<_, Option<String>>(12)?.and_then(|s| parse_json(&s)),
        },
        needs_operator: r.get(13)?,
        created_at: parse_time(&r.get::<_, String>(14)?).ok_or_else(|| bad(14, "time"))?,
        expires_at: parse_time(&r.get::<_, String>(15)?).ok_or_else(|| bad(15, "time"))?,
        authorized_at: r.get::<_, Option<String>>(16)?.and_then(|s| parse_time(&s)),
        ended_at: r.get::<_, Option<String>>(17)?.and_then(|s| parse_time(&s)),
    })
}

/// The wire name of a reason (`vendFailed`), which is also its stored form.
fn reason_name(r: wire::EndReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn parse_json<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.into())).ok()
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}
