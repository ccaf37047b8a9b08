//! The hub's store: PostgreSQL through sqlx, queries checked at run time,
//! migrations run at start. Any number of replicas share it; they coordinate
//! through it alone (compare-and-set transitions, leases with `SKIP LOCKED`
//! on the database's clock, an outbox per machine woken by `pg_notify`).

mod fleet;
mod machines;
mod money;
mod rows;

pub use machines::{Machine, VendAck};

use super::{
    names, Committed, Due, Inserted, OutboxKind, OutboxRow, Refund, Result, Store, StoreError,
};
use crate::domain::{OperatorReason, SessionRecord};
use async_trait::async_trait;
use rows::{from_row, COLUMNS};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Row, SqlSafeStr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// The channel every committed outbox row is announced on (payload: the
/// machine's posId); listeners re-read the outbox, never trust the payload.
pub const OUTBOX_CHANNEL: &str = "vendscreen_outbox";

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// The hub's migrations, compiled in (the binary runs anywhere).
pub fn migrator() -> Migrator {
    let simple = |version, name: &str, sql: &'static str| {
        Migration::new(
            version,
            name.to_string().into(),
            MigrationType::Simple,
            sql.into_sql_str(),
            false,
        )
    };
    Migrator::with_migrations(vec![
        simple(
            1,
            "hub",
            include_str!("../../../migrations/pg/0001_hub.sql"),
        ),
        simple(
            2,
            "refunds",
            include_str!("../../../migrations/pg/0002_refunds.sql"),
        ),
    ])
}

/// A pool of connections to the hub's database; cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    write_error: Arc<Mutex<Option<String>>>,
}

impl PgStore {
    /// The sessions matching `filter` (a constant `WHERE …`) of `machine`,
    /// or of all machines, oldest first.
    async fn of_machine(
        &self,
        filter: &'static str,
        machine: Option<&str>,
    ) -> Result<Vec<SessionRecord>> {
        let sql = format!(
            "{} AND ($1::text IS NULL OR machine = $1) ORDER BY created_at, seq",
            select(filter).0
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(machine)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(from_row)
            .collect::<std::result::Result<_, _>>()?)
    }

    /// Connects to `url` and brings the schema up to date.
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        migrator()
            .run(&pool)
            .await
            .map_err(|e| StoreError(format!("migrations: {e}")))?;
        Ok(PgStore::with_pool(pool))
    }

    /// A store on a pool whose database is already migrated.
    pub fn with_pool(pool: PgPool) -> PgStore {
        PgStore {
            pool,
            write_error: Arc::default(),
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The session `record`'s request started, if it has a request id.
    async fn request_of(&self, record: &SessionRecord) -> Result<Option<SessionRecord>> {
        match &record.request_id {
            Some(request) => self.by_request(&record.machine, request).await,
            None => Ok(None),
        }
    }

    /// Remembers whether a write landed (for `/healthz`).
    fn noted<T>(&self, result: std::result::Result<T, sqlx::Error>) -> Result<T> {
        *self.write_error.lock().unwrap_or_else(|e| e.into_inner()) =
            result.as_ref().err().map(|e| e.to_string());
        Ok(result?)
    }
}

/// `due` as milliseconds from the database's now; `None` for never.
fn due_ms(due: Due) -> Option<i64> {
    match due {
        Due::Never | Due::Unchanged => None,
        Due::Now => Some(0),
        Due::In(d) => Some(d.as_millis() as i64),
    }
}

fn select(filter: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!("SELECT {COLUMNS} FROM sessions {filter}"))
}

#[async_trait]
impl Store for PgStore {
    async fn install_tag(&self) -> Result<String> {
        let sql = "INSERT INTO settings (key, value) VALUES ('install_tag', $1) \
                   ON CONFLICT (key) DO UPDATE SET value = settings.value RETURNING value";
        let r = sqlx::query(sql)
            .bind(super::fresh_tag())
            .fetch_one(&self.pool)
            .await;
        Ok(self.noted(r)?.try_get(0)?)
    }

    async fn next_seq(&self, machine: &str) -> Result<i64> {
        let sql = "INSERT INTO machine_counters (machine, session_seq) VALUES ($1, 1) \
                   ON CONFLICT (machine) DO UPDATE \
                   SET session_seq = machine_counters.session_seq + 1 RETURNING session_seq";
        let r = sqlx::query(sql).bind(machine).fetch_one(&self.pool).await;
        Ok(self.noted(r)?.try_get(0)?)
    }

    async fn insert(&self, record: &SessionRecord, due: Due) -> Result<Inserted> {
        if let Some(existing) = self.request_of(record).await? {
            return Ok(Inserted::Existing(Box::new(existing)));
        }
        let mut tx = self.pool.begin().await?;
        let q = rows::bind_insert(sqlx::query(rows::INSERT).bind(due_ms(due)), record);
        match q.execute(&mut *tx).await {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                drop(tx);
                return Ok(match self.request_of(record).await? {
                    Some(existing) => Inserted::Existing(Box::new(existing)),
                    None => Inserted::Busy,
                });
            }
            other => self.noted(other)?,
        };
        log_transition(
            &mut tx,
            &record.reference,
            names::phase(record.status.phase()),
        )
        .await?;
        let r = tx.commit().await;
        self.noted(r)?;
        Ok(Inserted::New)
    }

    async fn get(&self, reference: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(select("WHERE reference = $1"))
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    async fn by_request(&self, machine: &str, request_id: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(select("WHERE machine = $1 AND request_id = $2"))
            .bind(machine)
            .bind(request_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    async fn latest(&self, machine: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(select("WHERE machine = $1 ORDER BY seq DESC LIMIT 1"))
            .bind(machine)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    async fn transition(
        &self,
        after: &SessionRecord,
        due: Due,
        vend: bool,
    ) -> Result<Option<Committed>> {
        let r = fleet::transition(&self.pool, after, due_ms(due), vend).await;
        self.noted(r)
    }

    async fn schedule(&self, record: &SessionRecord, owner: &str, due: Due) -> Result<()> {
        let sql = "UPDATE sessions SET \
               due_at = CASE WHEN version <> $2 THEN now() WHEN $6 THEN due_at \
                   WHEN $4::bigint IS NULL THEN NULL \
                   ELSE now() + $4::bigint * interval '1 millisecond' END, \
               attempts = CASE WHEN version = $2 AND NOT $6 THEN $3 ELSE attempts END, \
               lease_owner = NULL, lease_until = NULL \
             WHERE reference = $1 AND (lease_owner IS NULL OR lease_owner = $5)";
        let r = sqlx::query(sql)
            .bind(&record.reference)
            .bind(record.version)
            .bind(record.attempts as i32)
            .bind(due_ms(due))
            .bind(owner)
            .bind(due == Due::Unchanged)
            .execute(&self.pool)
            .await;
        self.noted(r).map(drop)
    }

    async fn set_qr(
        &self,
        reference: &str,
        qr_url: Option<&str>,
        qr_image: Option<&str>,
    ) -> Result<()> {
        let sql = "UPDATE sessions SET qr_url = $2, qr_image = $3 WHERE reference = $1";
        let r = sqlx::query(sql)
            .bind(reference)
            .bind(qr_url)
            .bind(qr_image)
            .execute(&self.pool)
            .await;
        self.noted(r).map(drop)
    }

    async fn flag_operator(&self, reference: &str, why: OperatorReason) -> Result<bool> {
        let sql = "UPDATE sessions SET needs_operator = TRUE, operator_reason = $2 \
                   WHERE reference = $1 AND NOT needs_operator";
        let r = sqlx::query(sql)
            .bind(reference)
            .bind(names::operator_reason(why))
            .execute(&self.pool)
            .await;
        Ok(self.noted(r)?.rows_affected() == 1)
    }

    async fn resolve_operator(&self, reference: &str, at: OffsetDateTime) -> Result<bool> {
        let sql = "UPDATE sessions SET operator_resolved_at = $2 WHERE reference = $1 \
                   AND needs_operator AND operator_resolved_at IS NULL";
        let r = sqlx::query(sql)
            .bind(reference)
            .bind(at)
            .execute(&self.pool)
            .await;
        Ok(self.noted(r)?.rows_affected() == 1)
    }

    async fn awaiting_operator(&self, machine: Option<&str>) -> Result<Vec<SessionRecord>> {
        let filter = "WHERE needs_operator AND operator_resolved_at IS NULL";
        self.of_machine(filter, machine).await
    }

    async fn unsettled(&self, machine: Option<&str>) -> Result<Vec<SessionRecord>> {
        let filter = "WHERE phase IN ('authorized', 'vending', 'capturing', 'releasing')";
        self.of_machine(filter, machine).await
    }

    async fn transitions(&self, reference: &str) -> Result<Vec<String>> {
        let sql = "SELECT phase FROM transitions WHERE reference = $1 ORDER BY id";
        let rows = sqlx::query(sql)
            .bind(reference)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?)
    }

    async fn claim_due(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<SessionRecord>> {
        let r = fleet::claim(&self.pool, None, owner, lease, limit).await;
        self.noted(r)
    }

    async fn claim(
        &self,
        reference: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<SessionRecord>> {
        let r = fleet::claim(&self.pool, Some(reference), owner, lease, 1).await;
        Ok(self.noted(r)?.into_iter().next())
    }

    async fn renew(&self, reference: &str, owner: &str, lease: Duration) -> Result<bool> {
        let sql =
            "UPDATE sessions SET lease_until = now() + $3::bigint * interval '1 millisecond' \
                   WHERE reference = $1 AND lease_owner = $2";
        let r = sqlx::query(sql)
            .bind(reference)
            .bind(owner)
            .bind(lease.as_millis() as i64)
            .execute(&self.pool)
            .await;
        Ok(self.noted(r)?.rows_affected() == 1)
    }

    async fn recover_all(&self) -> Result<usize> {
        // Replicas come and go; a lease outlives its owner only until it ends.
        Ok(0)
    }

    async fn record_webhook(
        &self,
        reference: &str,
        name: &str,
        psp_reference: &str,
    ) -> Result<bool> {
        let r = fleet::record_webhook(&self.pool, reference, name, psp_reference).await;
        self.noted(r)
    }

    async fn wake(&self, reference: &str) -> Result<()> {
        let r = sqlx::query(fleet::WAKE)
            .bind(reference)
            .execute(&self.pool)
            .await;
        self.noted(r).map(drop)
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let sql = "INSERT INTO settings (key, value) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET value = $2";
        let r = sqlx::query(sql)
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await;
        self.noted(r).map(drop)
    }

    fn write_error(&self) -> Option<String> {
        self.write_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn check_writable(&self) -> bool {
        if self.write_error().is_none() {
            return true;
        }
        let now = crate::store::rfc3339(OffsetDateTime::now_utc());
        self.set_setting("write_probe", &now).await.is_ok()
    }

    async fn append_outbox(
        &self,
        machine: &str,
        kind: OutboxKind,
        reference: Option<&str>,
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let seq = fleet::append_outbox(&mut tx, machine, kind, reference).await;
        let seq = self.noted(seq)?;
        let r = tx.commit().await;
        self.noted(r)?;
        Ok(seq)
    }

    async fn prune(&self, keep: Duration) -> Result<usize> {
        let r = fleet::prune(&self.pool, keep).await;
        self.noted(r)
    }

    async fn outbox_after(&self, machine: &str, after: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        Ok(fleet::outbox_after(&self.pool, machine, after, limit).await?)
    }

    async fn sales(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<SessionRecord>> {
        money::sales(&self.pool, from, to).await
    }

    async fn begin_refund(&self, refund: &Refund) -> Result<Option<Refund>> {
        money::begin_refund(&self.pool, refund).await
    }

    async fn finish_refund(&self, key: &str, at: OffsetDateTime) -> Result<()> {
        money::finish_refund(&self.pool, key, at).await
    }

    async fn drop_refund(&self, key: &str) -> Result<()> {
        money::drop_refund(&self.pool, key).await
    }

    async fn refunds(&self, reference: &str) -> Result<Vec<Refund>> {
        money::refunds(&self.pool, reference).await
    }
}

async fn log_transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    reference: &str,
    phase: &str,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO transitions (reference, phase) VALUES ($1, $2)")
        .bind(reference)
        .bind(phase)
        .execute(&mut **tx)
        .await
        .map(drop)
}

#[cfg(test)]
mod conformance {
    const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/pg");

    async fn fresh() -> (vendscreen_pgtest::TestDatabase, super::PgStore) {
        let db = vendscreen_pgtest::database(MIGRATIONS).await;
        let store = super::PgStore::with_pool(db.pool().clone());
        (db, store)
    }

    crate::store_conformance!(fresh().await);
}
