//! The fleet's machines on the hub: tokens (hashed), catalogs, what each
//! edge last said, the vend acknowledgement on the database's clock, and the
//! named jobs one replica does at a time.

use super::{fleet, OutboxKind, PgStore, Result};
use crate::domain::SessionRecord;
use sqlx::Row;
use std::time::Duration;
use time::OffsetDateTime;

/// A machine as the hub keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub pos_id: String,
    pub enabled: bool,
    /// The catalog file's `[machine]` and `[[products]]`, as JSON.
    pub catalog: serde_json::Value,
    pub catalog_version: i64,
    /// When its edge last spoke (stream, heartbeat or call).
    pub last_seen: Option<OffsetDateTime>,
    pub dispenser_ready: bool,
}

/// What an edge's "about to vend" met.
#[derive(Debug, Clone, PartialEq)]
pub enum VendAck {
    /// Acknowledged now: vend.
    Accepted(Box<SessionRecord>),
    /// Acknowledged before (the edge repeated itself) and still awaiting
    /// its result: vend, if it has not.
    Again(Box<SessionRecord>),
    /// The deadline passed or the session moved on: do not vend.
    Refused,
}

const MACHINE_COLUMNS: &str =
    "pos_id, enabled, catalog, catalog_version, last_seen, dispenser_ready";

fn machine(r: &sqlx::postgres::PgRow) -> std::result::Result<Machine, sqlx::Error> {
    Ok(Machine {
        pos_id: r.try_get("pos_id")?,
        enabled: r.try_get("enabled")?,
        catalog: r.try_get("catalog")?,
        catalog_version: r.try_get("catalog_version")?,
        last_seen: r.try_get("last_seen")?,
        dispenser_ready: r.try_get("dispenser_ready")?,
    })
}

impl PgStore {
    /// Stores a new machine; false when its posId is taken.
    pub async fn add_machine(
        &self,
        pos_id: &str,
        token_hash: &str,
        catalog: &serde_json::Value,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO machines (pos_id, token_hash, catalog) VALUES ($1, $2, $3) \
             ON CONFLICT (pos_id) DO NOTHING",
        )
        .bind(pos_id)
        .bind(token_hash)
        .bind(catalog)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn machines(&self) -> Result<Vec<Machine>> {
        let sql = format!("SELECT {MACHINE_COLUMNS} FROM machines ORDER BY pos_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(machine)
            .collect::<std::result::Result<_, _>>()?)
    }

    pub async fn machine(&self, pos_id: &str) -> Result<Option<Machine>> {
        self.machine_where("pos_id = $1", pos_id).await
    }

    /// The enabled machine whose token hashes to `token_hash`.
    pub async fn machine_by_token(&self, token_hash: &str) -> Result<Option<Machine>> {
        self.machine_where("token_hash = $1 AND enabled", token_hash)
            .await
    }

    async fn machine_where(&self, filter: &str, value: &str) -> Result<Option<Machine>> {
        let sql = format!("SELECT {MACHINE_COLUMNS} FROM machines WHERE {filter}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(machine).transpose()?)
    }

    /// `enabled = false` keeps the machine and its sales, refuses its token.
    pub async fn set_enabled(&self, pos_id: &str, enabled: bool) -> Result<bool> {
        let done = sqlx::query("UPDATE machines SET enabled = $2 WHERE pos_id = $1")
            .bind(pos_id)
            .bind(enabled)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_token(&self, pos_id: &str, token_hash: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE machines SET token_hash = $2 WHERE pos_id = $1")
            .bind(pos_id)
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A new catalog; its edge hears of it on its stream.
    pub async fn set_catalog(&self, pos_id: &str, catalog: &serde_json::Value) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE machines SET catalog = $2, catalog_version = catalog_version + 1 \
             WHERE pos_id = $1",
        )
        .bind(pos_id)
        .bind(catalog)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            fleet::append_outbox(&mut tx, pos_id, OutboxKind::Catalog, None).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// The edge spoke: it is alive, and its dispenser is (not) ready. A
    /// change of readiness is news for its stream.
    pub async fn heartbeat(&self, pos_id: &str, dispenser_ready: Option<bool>) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let before: Option<bool> = sqlx::query(
            "UPDATE machines m SET last_seen = now(), \
                 dispenser_ready = COALESCE($2, m.dispenser_ready) \
             FROM machines old WHERE m.pos_id = $1 AND old.pos_id = m.pos_id \
             RETURNING old.dispenser_ready",
        )
        .bind(pos_id)
        .bind(dispenser_ready)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        if let (Some(before), Some(now)) = (before, dispenser_ready) {
            if before != now {
                fleet::append_outbox(&mut tx, pos_id, OutboxKind::Machine, None).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The machine's newest outbox sequence (0 before its first row).
    pub async fn outbox_head(&self, machine: &str) -> Result<i64> {
        let row = sqlx::query("SELECT outbox_seq FROM machine_counters WHERE machine = $1")
            .bind(machine)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
    }

    /// Seconds since the machine's edge last spoke, on the database's clock.
    pub async fn silent_for(&self, pos_id: &str) -> Result<Option<Duration>> {
        let row = sqlx::query(
            "SELECT EXTRACT(EPOCH FROM now() - last_seen)::float8 FROM machines WHERE pos_id = $1",
        )
        .bind(pos_id)
        .fetch_optional(self.pool())
        .await?;
        let seconds: Option<f64> = row.map(|r| r.try_get(0)).transpose()?.flatten();
        Ok(seconds.map(|s| Duration::from_secs_f64(s.max(0.0))))
    }

    /// The edge is about to vend `reference`: accepted only while the vend's
    /// deadline (its due time) has not passed, on the database's clock; the
    /// result is then due within `result_window`.
    pub async fn ack_vend(
        &self,
        machine: &str,
        reference: &str,
        result_window: Duration,
    ) -> Result<VendAck> {
        let sql = format!(
            "UPDATE sessions SET vend_acked_at = now(), \
                 due_at = now() + $3::bigint * interval '1 millisecond' \
             WHERE reference = $1 AND machine = $2 AND phase = 'vending' \
             AND vend_acked_at IS NULL AND due_at > now() RETURNING {}",
            super::rows::COLUMNS
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reference)
            .bind(machine)
            .bind(result_window.as_millis() as i64)
            .fetch_optional(self.pool())
            .await?;
        if let Some(row) = row {
            return Ok(VendAck::Accepted(Box::new(super::rows::from_row(&row)?)));
        }
        // A repeated ack (the edge never heard the first answer) may vend
        // only while the hub still waits for this vend's result: once the
        // result window passed the reservation is being released, and a
        // vend then would give the item away.
        let sql = format!(
            "SELECT {} FROM sessions WHERE reference = $1 AND machine = $2 \
             AND phase = 'vending' AND vend_acked_at IS NOT NULL AND due_at > now()",
            super::rows::COLUMNS
        );
        let again = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reference)
            .bind(machine)
            .fetch_optional(self.pool())
            .await?;
        Ok(match again {
            Some(row) => VendAck::Again(Box::new(super::rows::from_row(&row)?)),
            None => VendAck::Refused,
        })
    }

    /// Takes the named job for `owner` unless another holds it or it is
    /// done; true when this caller should do it now.
    pub async fn claim_job(&self, name: &str, owner: &str, lease: Duration) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO jobs (name, lease_owner, lease_until) \
             VALUES ($1, $2, now() + $3::bigint * interval '1 millisecond') \
             ON CONFLICT (name) DO UPDATE SET lease_owner = $2, lease_until = EXCLUDED.lease_until \
             WHERE jobs.done_at IS NULL AND (jobs.lease_until IS NULL OR jobs.lease_until <= now())",
        )
        .bind(name)
        .bind(owner)
        .bind(lease.as_millis() as i64)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The named job is done (and stays done until `reopen_job`).
    pub async fn finish_job(&self, name: &str, owner: &str) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET done_at = now(), lease_owner = NULL, lease_until = NULL \
             WHERE name = $1 AND lease_owner = $2",
        )
        .bind(name)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether the named job has been done.
    pub async fn job_done(&self, name: &str) -> Result<bool> {
        let row = sqlx::query("SELECT done_at IS NOT NULL FROM jobs WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?.unwrap_or(false))
    }
}
