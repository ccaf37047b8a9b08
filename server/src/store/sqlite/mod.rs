//! The standalone machine's store: one SQLite file (WAL, synchronous=FULL)
//! holding its sessions and their transitions, small settings (the webhook
//! secret) and the machine's outbox. A transition is committed before the
//! action it leads to, so a restart knows exactly where each session stood.
//! One file holds one machine's sessions; calls run off the async runtime.

mod migrations;
mod money;
mod queries;
mod rows;
mod upkeep;

use super::{Committed, Due, Inserted, OutboxKind, OutboxRow, Refund, Result, Store, StoreError};
use crate::domain::{OperatorReason, SessionRecord};
use async_trait::async_trait;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// How long a write waits for a lock another process holds (the operator's
/// command, a backup) before it fails and the engine tries again later.
const BUSY_TIMEOUT: Duration = Duration::from_millis(1000);

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Why the last write failed; `None` once one succeeds again.
    write_error: Arc<Mutex<Option<String>>>,
}

/// Runs `f` on a shared connection on a blocking thread, off the async
/// runtime (SQLite waits for another process's lock, and for the disk).
/// The outer error: the blocking task itself failed.
pub async fn off_runtime<T: Send + 'static>(
    conn: &Arc<Mutex<Connection>>,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
) -> std::result::Result<rusqlite::Result<T>, tokio::task::JoinError> {
    let conn = conn.clone();
    tokio::task::spawn_blocking(move || {
        // A poisoned lock only means another thread panicked mid-call;
        // SQLite itself rolled back whatever that call had not committed.
        let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    })
    .await
}

impl SqliteStore {
    /// Opens (creating if needed, owner-only) and migrates the database at
    /// `path`, which holds the sessions of the machine `machine`.
    pub fn open(path: &Path, machine: &str) -> Result<SqliteStore> {
        upkeep::owner_only(path);
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // FULL: a committed transition survives power loss, which the
        // never-vend-twice promise depends on. The writes are few and small.
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        migrations::run(&mut conn)?;
        // A standalone store is one machine's: sessions from before the
        // machine column, or from before a posId change, are its own.
        conn.execute(
            "UPDATE sessions SET machine = ?1 WHERE machine <> ?1",
            [machine],
        )?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            write_error: Arc::default(),
        })
    }

    /// Runs a read off the async runtime (a lock held by another process
    /// makes SQLite wait).
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        off_runtime(&self.conn, f)
            .await
            .map_err(|e| StoreError(format!("store task: {e}")))?
            .map_err(StoreError::from)
    }

    /// Like `read`, for a change: remembers whether the store took it.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let result = self.read(f).await;
        *self.write_error.lock().unwrap_or_else(|e| e.into_inner()) =
            result.as_ref().err().map(|e| e.to_string());
        result
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn install_tag(&self) -> Result<String> {
        let fresh = super::fresh_tag();
        self.write(move |c| queries::install_tag(c, &fresh)).await
    }

    async fn next_seq(&self, _machine: &str) -> Result<i64> {
        self.write(queries::next_seq).await
    }

    async fn insert(&self, record: &SessionRecord, due: Due) -> Result<Inserted> {
        let record = record.clone();
        self.write(move |c| queries::insert(c, &record, due)).await
    }

    async fn get(&self, reference: &str) -> Result<Option<SessionRecord>> {
        let reference = reference.to_string();
        self.read(move |c| queries::get(c, &reference)).await
    }

    async fn by_request(&self, machine: &str, request_id: &str) -> Result<Option<SessionRecord>> {
        let (machine, request) = (machine.to_string(), request_id.to_string());
        self.read(move |c| queries::by_request(c, &machine, &request))
            .await
    }

    async fn latest(&self, machine: &str) -> Result<Option<SessionRecord>> {
        let machine = machine.to_string();
        self.read(move |c| queries::latest(c, &machine)).await
    }

    async fn transition(
        &self,
        after: &SessionRecord,
        due: Due,
        vend: bool,
    ) -> Result<Option<Committed>> {
        let after = after.clone();
        self.write(move |c| queries::transition(c, &after, due, vend))
            .await
    }

    async fn schedule(&self, record: &SessionRecord, owner: &str, due: Due) -> Result<()> {
        let (reference, version, owner) =
            (record.reference.clone(), record.version, owner.to_string());
        let attempts = record.attempts;
        self.write(move |c| queries::schedule(c, &reference, version, attempts, &owner, due))
            .await
    }

    async fn set_qr(
        &self,
        reference: &str,
        qr_url: Option<&str>,
        qr_image: Option<&str>,
    ) -> Result<()> {
        let args = (
            reference.to_string(),
            qr_url.map(String::from),
            qr_image.map(String::from),
        );
        self.write(move |c| {
            c.execute(
                "UPDATE sessions SET qr_url = ?2, qr_image = ?3 WHERE reference = ?1",
                args,
            )
            .map(drop)
        })
        .await
    }

    async fn flag_operator(&self, reference: &str, why: OperatorReason) -> Result<bool> {
        let reference = reference.to_string();
        self.write(move |c| queries::flag_operator(c, &reference, why))
            .await
    }

    async fn resolve_operator(&self, reference: &str, at: OffsetDateTime) -> Result<bool> {
        let reference = reference.to_string();
        self.write(move |c| queries::resolve_operator(c, &reference, at))
            .await
    }

    async fn awaiting_operator(&self, machine: Option<&str>) -> Result<Vec<SessionRecord>> {
        let machine = machine.map(String::from);
        self.read(move |c| queries::awaiting_operator(c, machine.as_deref()))
            .await
    }

    async fn unsettled(&self, machine: Option<&str>) -> Result<Vec<SessionRecord>> {
        let machine = machine.map(String::from);
        self.read(move |c| queries::unsettled(c, machine.as_deref()))
            .await
    }

    async fn transitions(&self, reference: &str) -> Result<Vec<String>> {
        let reference = reference.to_string();
        self.read(move |c| {
            c.prepare("SELECT phase FROM transitions WHERE reference = ?1 ORDER BY id")?
                .query_map([reference], |r| r.get(0))?
                .collect()
        })
        .await
    }

    async fn claim_due(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<SessionRecord>> {
        let owner = owner.to_string();
        self.write(move |c| queries::claim(c, None, &owner, lease, limit))
            .await
    }

    async fn claim(
        &self,
        reference: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<SessionRecord>> {
        let (reference, owner) = (reference.to_string(), owner.to_string());
        let claimed = self
            .write(move |c| queries::claim(c, Some(&reference), &owner, lease, 1))
            .await?;
        Ok(claimed.into_iter().next())
    }

    async fn renew(&self, reference: &str, owner: &str, lease: Duration) -> Result<bool> {
        let (reference, owner) = (reference.to_string(), owner.to_string());
        self.write(move |c| queries::renew(c, &reference, &owner, lease))
            .await
    }

    async fn recover_all(&self) -> Result<usize> {
        self.write(queries::recover_all).await
    }

    async fn record_webhook(
        &self,
        reference: &str,
        name: &str,
        psp_reference: &str,
    ) -> Result<bool> {
        let args = [reference, name, psp_reference].map(String::from);
        self.write(move |c| queries::record_webhook(c, &args)).await
    }

    async fn wake(&self, reference: &str) -> Result<()> {
        let reference = reference.to_string();
        self.write(move |c| queries::wake(c, &reference)).await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.read(move |c| queries::setting(c, &key)).await
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |c| queries::set_setting(c, &key, &value))
            .await
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
        let now = rows::rfc3339(OffsetDateTime::now_utc());
        self.set_setting("write_probe", &now).await.is_ok()
    }

    async fn append_outbox(
        &self,
        machine: &str,
        kind: OutboxKind,
        reference: Option<&str>,
    ) -> Result<i64> {
        let (machine, reference) = (machine.to_string(), reference.map(String::from));
        self.write(move |c| queries::append_outbox(c, &machine, kind, reference.as_deref()))
            .await
    }

    async fn prune(&self, keep: Duration) -> Result<usize> {
        self.write(move |c| upkeep::prune(c, keep)).await
    }

    async fn outbox_after(&self, machine: &str, after: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        let machine = machine.to_string();
        self.read(move |c| queries::outbox_after(c, &machine, after, limit))
            .await
    }

    async fn sales(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<SessionRecord>> {
        self.read(move |c| money::sales(c, from, to)).await
    }

    async fn begin_refund(&self, refund: &Refund) -> Result<Option<Refund>> {
        let refund = refund.clone();
        self.write(move |c| money::begin_refund(c, &refund)).await
    }

    async fn finish_refund(&self, key: &str, at: OffsetDateTime) -> Result<()> {
        let key = key.to_string();
        self.write(move |c| money::finish_refund(c, &key, at)).await
    }

    async fn drop_refund(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.write(move |c| money::drop_refund(c, &key)).await
    }

    async fn refunds(&self, reference: &str) -> Result<Vec<Refund>> {
        let reference = reference.to_string();
        self.read(move |c| money::refunds(c, &reference)).await
    }
}
