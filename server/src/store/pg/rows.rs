//! Mapping between a [`SessionRecord`] and a `sessions` row in PostgreSQL,
//! with the same stored names as the SQLite store (`store::names`).

use super::super::names;
use crate::domain::{SessionRecord, Status};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row};
use vendscreen_protocol as wire;

pub const COLUMNS: &str = "reference, machine, seq, version, product_id, product_name, slot, \
    amount, currency, tax_rate, qr_url, qr_image, phase, reason, cancelling, needs_operator, \
    operator_reason, created_at, expires_at, authorized_at, ended_at, request_id, vend_acked_at, \
    attempts, due_at, phase_since";

/// `due_ms` as SQL: `NULL`, or the database's now plus so many milliseconds.
pub const DUE: &str = "CASE WHEN $1::bigint IS NULL THEN NULL \
    ELSE now() + $1::bigint * interval '1 millisecond' END";

pub const INSERT: &str = "INSERT INTO sessions (reference, machine, seq, version, product_id, \
    product_name, slot, amount, currency, tax_rate, qr_url, qr_image, phase, reason, cancelling, \
    needs_operator, operator_reason, created_at, expires_at, authorized_at, ended_at, request_id, \
    vend_acked_at, due_at) VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
    $16, $17, $18, $19, $20, $21, $22, $23, $24, \
    CASE WHEN $1::bigint IS NULL THEN NULL ELSE now() + $1::bigint * interval '1 millisecond' END)";

/// Binds a record's values for [`INSERT`] ($2…$24), after `$1` (due ms).
pub fn bind_insert<'q>(
    q: Query<'q, Postgres, PgArguments>,
    s: &SessionRecord,
) -> Query<'q, Postgres, PgArguments> {
    q.bind(s.reference.clone())
        .bind(s.machine.clone())
        .bind(s.seq)
        .bind(s.version)
        .bind(s.product_id.clone())
        .bind(s.product_name.clone())
        .bind(s.slot.clone())
        .bind(s.amount.value)
        .bind(names::currency(s.amount.currency))
        .bind(s.tax_rate)
        .bind(s.qr_url.clone())
        .bind(s.qr_image.clone())
        .bind(names::phase(s.status.phase()))
        .bind(s.status.reason().map(names::reason))
        .bind(s.status.cancelling().map(names::reason))
        .bind(s.operator.is_some())
        .bind(s.operator.map(names::operator_reason))
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(s.authorized_at)
        .bind(s.ended_at)
        .bind(s.request_id.clone())
        .bind(s.vend_acked_at)
}

/// A transition: the status, its times and the version; the QR and the
/// operator flag have writes of their own, which this never undoes.
pub fn transition_sql() -> String {
    format!(
        "UPDATE sessions SET phase = $2, reason = $3, cancelling = $4, authorized_at = $5, \
         ended_at = $6, vend_acked_at = $7, version = version + 1, attempts = 0, \
         phase_since = now(), due_at = {DUE} WHERE reference = $8 AND version = $9 \
         RETURNING {COLUMNS}"
    )
}

pub fn from_row(r: &PgRow) -> Result<SessionRecord, sqlx::Error> {
    let bad = |what: &str, value: &str| sqlx::Error::Decode(format!("{what} {value:?}").into());
    let currency: String = r.try_get("currency")?;
    let phase: String = r.try_get("phase")?;
    let reason = |col: &str| -> Result<_, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(col)?
            .and_then(|s| names::parse_reason(&s)))
    };
    let flagged: bool = r.try_get("needs_operator")?;
    let operator_reason: Option<String> = r.try_get("operator_reason")?;
    Ok(SessionRecord {
        reference: r.try_get("reference")?,
        machine: r.try_get("machine")?,
        seq: r.try_get("seq")?,
        version: r.try_get("version")?,
        product_id: r.try_get("product_id")?,
        product_name: r.try_get("product_name")?,
        slot: r.try_get("slot")?,
        amount: wire::Money::new(
            r.try_get("amount")?,
            names::parse_currency(&currency).ok_or_else(|| bad("currency", &currency))?,
        ),
        tax_rate: r.try_get("tax_rate")?,
        qr_url: r.try_get("qr_url")?,
        qr_image: r.try_get("qr_image")?,
        status: Status::from_parts(
            names::parse_phase(&phase).ok_or_else(|| bad("phase", &phase))?,
            reason("reason")?,
            reason("cancelling")?,
        )
        .ok_or_else(|| bad("status", &phase))?,
        operator: flagged.then(|| names::parse_operator_reason(operator_reason.as_deref())),
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        authorized_at: r.try_get("authorized_at")?,
        ended_at: r.try_get("ended_at")?,
        request_id: r.try_get("request_id")?,
        vend_acked_at: r.try_get("vend_acked_at")?,
        attempts: r.try_get::<i32, _>("attempts")?.max(0) as u32,
        due_at: r.try_get("due_at")?,
        phase_since: r.try_get("phase_since")?,
    })
}
