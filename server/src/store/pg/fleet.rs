//! The PostgreSQL queries with more than one statement: a transition with its
//! log line, outbox row and notification; claims with `SKIP LOCKED`; the
//! webhook inbox; the outbox.

use super::rows::{self, from_row, COLUMNS};
use super::{names, Committed, OutboxKind, OutboxRow, OUTBOX_CHANNEL};
use crate::domain::SessionRecord;
use sqlx::postgres::PgPool;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};
use std::time::Duration;

type R<T> = Result<T, sqlx::Error>;

/// Makes a session awaiting payment due now.
pub const WAKE: &str =
    "UPDATE sessions SET due_at = now() WHERE reference = $1 AND phase = 'awaitingPayment'";

/// Compare-and-set on the version; the log line, the outbox row (for the
/// machine's newest session; and the vend command, with `vend`) and their
/// notification, all in the one transaction.
pub async fn transition(
    pool: &PgPool,
    after: &SessionRecord,
    due_ms: Option<i64>,
    vend: bool,
) -> R<Option<Committed>> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(AssertSqlSafe(rows::transition_sql()))
        .bind(due_ms)
        .bind(names::phase(after.status.phase()))
        .bind(after.status.reason().map(names::reason))
        .bind(after.status.cancelling().map(names::reason))
        .bind(after.authorized_at)
        .bind(after.ended_at)
        .bind(after.vend_acked_at)
        .bind(&after.reference)
        .bind(after.version)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let record = from_row(&row)?;
    super::log_transition(
        &mut tx,
        &record.reference,
        names::phase(record.status.phase()),
    )
    .await?;
    let newest: Option<String> =
        sqlx::query("SELECT reference FROM sessions WHERE machine = $1 ORDER BY seq DESC LIMIT 1")
            .bind(&record.machine)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    let (machine, reference) = (&record.machine, Some(record.reference.as_str()));
    let outbox_seq = if newest.as_deref() == reference {
        Some(append_outbox(&mut tx, machine, OutboxKind::Session, reference).await?)
    } else {
        None
    };
    if vend {
        append_outbox(&mut tx, machine, OutboxKind::Vend, reference).await?;
    }
    tx.commit().await?;
    Ok(Some(Committed { record, outbox_seq }))
}

/// Appends to a machine's outbox inside `tx` and announces it. The counter's
/// row lock orders one machine's appends: they commit in sequence order.
pub async fn append_outbox(
    tx: &mut Transaction<'_, Postgres>,
    machine: &str,
    kind: OutboxKind,
    reference: Option<&str>,
) -> R<i64> {
    let seq: i64 = sqlx::query(
        "INSERT INTO machine_counters (machine, outbox_seq) VALUES ($1, 1) \
         ON CONFLICT (machine) DO UPDATE SET outbox_seq = machine_counters.outbox_seq + 1 \
         RETURNING outbox_seq",
    )
    .bind(machine)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    sqlx::query("INSERT INTO outbox (machine, seq, kind, reference) VALUES ($1, $2, $3, $4)")
        .bind(machine)
        .bind(seq)
        .bind(names::outbox_kind(kind))
        .bind(reference)
        .execute(&mut **tx)
        .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(OUTBOX_CHANNEL)
        .bind(machine)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

pub async fn outbox_after(
    pool: &PgPool,
    machine: &str,
    after: i64,
    limit: i64,
) -> R<Vec<OutboxRow>> {
    let rows = sqlx::query(
        "SELECT seq, kind, reference FROM outbox WHERE machine = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3",
    )
    .bind(machine)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get(1)?;
            Ok(OutboxRow {
                seq: r.try_get(0)?,
                kind: names::parse_outbox_kind(&kind).unwrap_or(OutboxKind::Session),
                reference: r.try_get(2)?,
            })
        })
        .collect()
}

/// Claims due sessions whose lease is free, skipping rows another replica is
/// claiming right now.
pub async fn claim(
    pool: &PgPool,
    reference: Option<&str>,
    owner: &str,
    lease: Duration,
    limit: usize,
) -> R<Vec<SessionRecord>> {
    let sql = format!(
        "UPDATE sessions SET lease_owner = $1, \
             lease_until = now() + $2::bigint * interval '1 millisecond' \
         WHERE reference IN ( \
             SELECT reference FROM sessions WHERE due_at <= now() \
             AND (lease_until IS NULL OR lease_until <= now()) \
             AND ($3::text IS NULL OR reference = $3) \
             ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
         RETURNING {COLUMNS}"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(owner)
        .bind(lease.as_millis() as i64)
        .bind(reference)
        .bind(limit as i64)
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn record_webhook(pool: &PgPool, reference: &str, name: &str, psp: &str) -> R<bool> {
    let mut tx = pool.begin().await?;
    let fresh = sqlx::query(
        "INSERT INTO webhook_inbox (reference, name, psp_reference) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(reference)
    .bind(name)
    .bind(psp)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if fresh {
        sqlx::query(WAKE).bind(reference).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(fresh)
}

pub async fn prune(pool: &PgPool, keep: Duration) -> R<usize> {
    let keep = keep.as_secs() as i64;
    let finals: Vec<String> = names::final_phases().map(|p| format!("'{p}'")).collect();
    let transitions = format!(
        "DELETE FROM transitions WHERE at < now() - $1::bigint * interval '1 second' \
         AND reference IN (SELECT reference FROM sessions WHERE phase IN ({}) \
         AND NOT (needs_operator AND operator_resolved_at IS NULL))",
        finals.join(", ")
    );
    let mut gone = 0;
    for sql in [
        "DELETE FROM webhook_inbox WHERE received_at < now() - $1::bigint * interval '1 second'",
        "DELETE FROM outbox WHERE at < now() - $1::bigint * interval '1 second'",
        transitions.as_str(),
    ] {
        let done = sqlx::query(AssertSqlSafe(sql.to_string()))
            .bind(keep)
            .execute(pool)
            .await?;
        gone += done.rows_affected() as usize;
    }
    Ok(gone)
}
