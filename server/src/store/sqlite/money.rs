//! The sales report's and the refunds' SQL (`operator sales`, `operator refund`).

use super::super::Refund;
use super::rows::{self, parse_time, rfc3339};
use crate::domain::SessionRecord;
use rusqlite::{params, Connection, OptionalExtension, Row};
use time::{Duration, OffsetDateTime};

type R<T> = rusqlite::Result<T>;

/// Purchases created in `[from, to)`. Times are RFC 3339 text whose
/// fraction varies in length, so text order is exact only to the second:
/// the query takes a second more on each side and the range is cut here.
pub fn sales(c: &Connection, from: OffsetDateTime, to: OffsetDateTime) -> R<Vec<SessionRecord>> {
    let sql = format!(
        "SELECT {} FROM sessions WHERE created_at >= ?1 AND created_at < ?2 \
         ORDER BY created_at, seq",
        rows::COLUMNS
    );
    let (wide_from, wide_to) = (from - Duration::SECOND, to + Duration::SECOND);
    let mut stmt = c.prepare(&sql)?;
    let found = stmt.query_map([rfc3339(wide_from), rfc3339(wide_to)], rows::from_row)?;
    let mut within = Vec::new();
    for record in found {
        let record = record?;
        if record.created_at >= from && record.created_at < to {
            within.push(record);
        }
    }
    within.sort_by_key(|r| (r.created_at, r.seq));
    Ok(within)
}

const REFUND_COLUMNS: &str =
    "idempotency_key, reference, amount, reason, operator, requested_at, done_at";

fn refund(r: &Row<'_>) -> R<Refund> {
    let time = |i: usize| -> R<Option<OffsetDateTime>> {
        Ok(r.get::<_, Option<String>>(i)?
            .as_deref()
            .and_then(parse_time))
    };
    Ok(Refund {
        key: r.get(0)?,
        reference: r.get(1)?,
        amount: r.get(2)?,
        reason: r.get(3)?,
        operator: r.get(4)?,
        requested_at: time(5)?.unwrap_or(OffsetDateTime::UNIX_EPOCH),
        done_at: time(6)?,
    })
}

pub fn begin_refund(c: &Connection, f: &Refund) -> R<Option<Refund>> {
    let written = c.execute(
        "INSERT INTO refunds (idempotency_key, reference, amount, reason, operator, requested_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (idempotency_key) DO NOTHING",
        params![
            f.key,
            f.reference,
            f.amount,
            f.reason,
            f.operator,
            rfc3339(f.requested_at)
        ],
    )?;
    if written == 1 {
        return Ok(None);
    }
    let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE idempotency_key = ?1");
    c.query_row(&sql, [&f.key], refund).optional()
}

pub fn finish_refund(c: &Connection, key: &str, at: OffsetDateTime) -> R<()> {
    c.execute(
        "UPDATE refunds SET done_at = COALESCE(done_at, ?2) WHERE idempotency_key = ?1",
        (key, rfc3339(at)),
    )?;
    Ok(())
}

pub fn drop_refund(c: &Connection, key: &str) -> R<()> {
    c.execute(
        "DELETE FROM refunds WHERE idempotency_key = ?1 AND done_at IS NULL",
        [key],
    )?;
    Ok(())
}

pub fn refunds(c: &Connection, reference: &str) -> R<Vec<Refund>> {
    let sql = format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE reference = ?1 ORDER BY requested_at, rowid"
    );
    let mut stmt = c.prepare(&sql)?;
    let found = stmt.query_map([reference], refund)?;
    found.collect()
}
