//! The sales report's and the refunds' SQL (`operator sales`, `operator refund`).

use super::super::{Refund, Result};
use super::rows::{from_row, COLUMNS};
use crate::domain::SessionRecord;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

pub async fn sales(
    pool: &PgPool,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<SessionRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE created_at >= $1 AND created_at < $2 \
         ORDER BY created_at, machine, seq"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(from_row)
        .collect::<std::result::Result<_, _>>()?)
}

const REFUND_COLUMNS: &str =
    "idempotency_key, reference, amount, reason, operator, requested_at, done_at";

fn refund(r: &PgRow) -> std::result::Result<Refund, sqlx::Error> {
    Ok(Refund {
        key: r.try_get(0)?,
        reference: r.try_get(1)?,
        amount: r.try_get(2)?,
        reason: r.try_get(3)?,
        operator: r.try_get(4)?,
        requested_at: r.try_get(5)?,
        done_at: r.try_get(6)?,
    })
}

pub async fn begin_refund(pool: &PgPool, f: &Refund) -> Result<Option<Refund>> {
    let written = sqlx::query(
        "INSERT INTO refunds (idempotency_key, reference, amount, reason, operator, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&f.key)
    .bind(&f.reference)
    .bind(f.amount)
    .bind(&f.reason)
    .bind(&f.operator)
    .bind(f.requested_at)
    .execute(pool)
    .await?;
    if written.rows_affected() == 1 {
        return Ok(None);
    }
    let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE idempotency_key = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(&f.key)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(refund).transpose()?)
}

pub async fn finish_refund(pool: &PgPool, key: &str, at: OffsetDateTime) -> Result<()> {
    sqlx::query("UPDATE refunds SET done_at = COALESCE(done_at, $2) WHERE idempotency_key = $1")
        .bind(key)
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn drop_refund(pool: &PgPool, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM refunds WHERE idempotency_key = $1 AND done_at IS NULL")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn refunds(pool: &PgPool, reference: &str) -> Result<Vec<Refund>> {
    let sql = format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE reference = $1 \
         ORDER BY requested_at, idempotency_key"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(reference)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(refund)
        .collect::<std::result::Result<_, _>>()?)
}
