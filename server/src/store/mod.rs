//! The durable store behind the engine: one interface, two implementations.
//! SQLite (`sqlite/`) for a standalone machine, PostgreSQL (`pg/`) for a
//! fleet's hub. Each maps the domain's types to its own columns.
//!
//! The promises every implementation keeps (`conformance.rs` checks both):
//! - a transition is written only over the version it was decided on
//!   (compare-and-set), together with its line in the transition log and, when
//!   asked, the machine's outbox row, in one transaction;
//! - at most one purchase per machine is in a customer-facing phase (creating,
//!   awaiting payment, authorized, vending);
//! - work on a session (its next step) is claimed with a lease on the store's
//!   own clock, so a process that died holding it loses it after the lease.

use crate::domain::{OperatorReason, SessionRecord};
use async_trait::async_trait;
use std::time::Duration;
use time::OffsetDateTime;

pub mod names;
pub mod pg;
pub mod refunds;
pub mod sqlite;

pub use crate::domain::record::rfc3339;
pub use pg::{Machine, PgStore, VendAck};
pub use refunds::Refund;
pub use sqlite::SqliteStore;

/// Anything the store can fail with. The engine retries what it must store.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(pub String);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Prunes now and then once a day.
pub fn spawn_pruning(store: std::sync::Arc<dyn Store>, keep: Duration) {
    tokio::spawn(async move {
        let mut daily = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            daily.tick().await;
            match store.prune(keep).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "pruned old store rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pruning the store failed"),
            }
        }
    });
}

/// A new random install tag: six letters and digits that cannot be misread.
pub fn fresh_tag() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..6)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// What `insert` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// Stored.
    New,
    /// The machine already has a purchase in a customer-facing phase.
    Busy,
    /// A session with this request id exists already (fleet: the edge
    /// repeated its request): that one.
    Existing(Box<SessionRecord>),
}

/// When a session's next step is due, relative to the store's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Nothing to do until something happens to it.
    Never,
    Now,
    In(Duration),
    /// For `schedule`: keep the time the transition set, give the lease back.
    Unchanged,
}

/// A committed transition.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    /// The record as stored (its new version included).
    pub record: SessionRecord,
    /// The machine's outbox sequence of the change, when it was published.
    pub outbox_seq: Option<i64>,
}

/// One line of a machine's outbox: something its screen (or edge) must hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub seq: i64,
    pub kind: OutboxKind,
    /// The session it is about, if any.
    pub reference: Option<String>,
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// The machine's newest purchase changed.
    Session,
    /// The machine must vend (fleet: the edge's command).
    Vend,
    /// The machine's status (in service or not) changed.
    Machine,
    /// The machine's catalog changed.
    Catalog,
}

/// The durable store of sessions, their work and the machines' outboxes.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// This store's random tag (made once, kept): every reference carries it.
    async fn install_tag(&self) -> Result<String>;

    /// The machine's next purchase number (never reused).
    async fn next_seq(&self, machine: &str) -> Result<i64>;

    /// Stores a new session with its first step `due`.
    async fn insert(&self, record: &SessionRecord, due: Due) -> Result<Inserted>;

    async fn get(&self, reference: &str) -> Result<Option<SessionRecord>>;

    /// The machine's session started by the edge's request `request_id`.
    async fn by_request(&self, machine: &str, request_id: &str) -> Result<Option<SessionRecord>>;

    /// The machine's most recently created session.
    async fn latest(&self, machine: &str) -> Result<Option<SessionRecord>>;

    /// Writes `after` (a new status and its times) if the stored version is
    /// still `after.version`; logs the transition; schedules the next step;
    /// appends a `Session` outbox row when it is the machine's newest
    /// session, and with `vend` a `Vend` row (the machine's command), all in
    /// one transaction. `None` when another writer came first.
    async fn transition(
        &self,
        after: &SessionRecord,
        due: Due,
        vend: bool,
    ) -> Result<Option<Committed>>;

    /// After a step that changed no phase: when the next is due, and the
    /// lease given back. A step decided on an older version than the stored
    /// one (something happened meanwhile) makes the session due now instead.
    async fn schedule(&self, record: &SessionRecord, owner: &str, due: Due) -> Result<()>;

    /// Stores the QR of a created payment (not a transition).
    async fn set_qr(
        &self,
        reference: &str,
        qr_url: Option<&str>,
        qr_image: Option<&str>,
    ) -> Result<()>;

    /// Lists a session for a person; true when this call set the flag.
    async fn flag_operator(&self, reference: &str, why: OperatorReason) -> Result<bool>;

    /// Takes a session off the list (the flag stays, as history); false when
    /// it was not waiting.
    async fn resolve_operator(&self, reference: &str, at: OffsetDateTime) -> Result<bool>;

    /// Flagged sessions nobody has resolved yet, oldest first (of one
    /// machine, or of all).
    async fn awaiting_operator(&self, machine: Option<&str>) -> Result<Vec<SessionRecord>>;

    /// Sessions approved but neither captured nor released yet (authorized,
    /// vending, capturing or releasing), of one machine or of all, oldest
    /// first: a few at any time, the purchases under way.
    async fn unsettled(&self, machine: Option<&str>) -> Result<Vec<SessionRecord>>;

    /// The phases a session went through, in order.
    async fn transitions(&self, reference: &str) -> Result<Vec<String>>;

    /// Claims up to `limit` sessions whose step is due and whose lease is
    /// free or expired, for `owner`, for `lease`.
    async fn claim_due(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<SessionRecord>>;

    /// Claims one session, if its step is due and its lease free.
    async fn claim(
        &self,
        reference: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<SessionRecord>>;

    /// Extends `owner`'s lease; false when it is no longer theirs.
    async fn renew(&self, reference: &str, owner: &str, lease: Duration) -> Result<bool>;

    /// A standalone server starting: every unfinished session is due now and
    /// no lease survives (they were the previous process's). The count.
    async fn recover_all(&self) -> Result<usize>;

    /// Records a webhook delivery; false when the same one came before.
    /// A fresh one makes a session awaiting payment due now (the payment is
    /// re-read); one still being created is left to its creator.
    async fn record_webhook(
        &self,
        reference: &str,
        name: &str,
        psp_reference: &str,
    ) -> Result<bool>;

    /// Makes a session awaiting payment due now (its payment is re-read).
    async fn wake(&self, reference: &str) -> Result<()>;

    async fn setting(&self, key: &str) -> Result<Option<String>>;

    async fn set_setting(&self, key: &str, value: &str) -> Result<()>;

    /// Why writes fail right now, if they do.
    fn write_error(&self) -> Option<String>;

    /// Whether writes land; after a failed one, tries a small write.
    async fn check_writable(&self) -> bool;

    /// Appends to the machine's outbox; its sequence number.
    async fn append_outbox(
        &self,
        machine: &str,
        kind: OutboxKind,
        reference: Option<&str>,
    ) -> Result<i64>;

    /// Deletes what is only history after `keep` (webhook deliveries, the
    /// transition log of settled purchases, outbox rows); how many rows went.
    async fn prune(&self, keep: Duration) -> Result<usize>;

    /// The machine's outbox after `after`, oldest first, at most `limit`.
    async fn outbox_after(&self, machine: &str, after: i64, limit: i64) -> Result<Vec<OutboxRow>>;

    /// Purchases created in `[from, to)`, oldest first, of every machine
    /// this store holds (the sales report).
    async fn sales(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<SessionRecord>>;

    /// Writes a refund about to be asked for. When one was written under the
    /// same key before, nothing is written and that one is returned.
    async fn begin_refund(&self, refund: &Refund) -> Result<Option<Refund>>;

    /// The payment service took the refund under `key`.
    async fn finish_refund(&self, key: &str, at: OffsetDateTime) -> Result<()>;

    /// The payment service refused the refund under `key` for good: it is
    /// forgotten, so a corrected one may be asked for.
    async fn drop_refund(&self, key: &str) -> Result<()>;

    /// A purchase's refunds, oldest first.
    async fn refunds(&self, reference: &str) -> Result<Vec<Refund>>;
}

#[cfg(test)]
#[path = "conformance.rs"]
pub(crate) mod conformance;
