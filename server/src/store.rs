//! The durable store: one SQLite file (WAL, synchronous=FULL) holding every
//! session and its transitions, plus small settings (the webhook secret).
//! A transition is committed before the action it leads to, so a restart knows
//! exactly where each session stood.

use crate::session::record::SessionRecord;
use crate::session::state::Phase;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

mod migrations;
mod operator;
mod rows;

pub use rows::rfc3339;

/// Anything the store can fail with. Callers treat it as fatal for the action.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(#[from] rusqlite::Error);

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    /// Why the last write failed; `None` once one succeeds again.
    write_error: Arc<Mutex<Option<String>>>,
}

/// How long a write waits for a lock another process holds (the operator's
/// command, a backup) before it fails and the engine tries again later. Short:
/// the wait blocks a thread of the async runtime.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1000);

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        // FULL: a committed transition survives power loss, which the
        // never-vend-twice promise depends on. The writes are few and small.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        migrations::run(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            write_error: Arc::default(),
        })
    }

    /// Why writes fail right now, if they do (for `/healthz`).
    pub fn write_error(&self) -> Option<String> {
        self.write_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether writes land. After a failed one this tries a small write of
    /// its own, so a machine refusing customers finds out when it may sell
    /// again without waiting for a purchase to write.
    pub fn check_writable(&self) -> bool {
        if self.write_error().is_none() {
            return true;
        }
        let now = rfc3339(time::OffsetDateTime::now_utc());
        self.set_setting("write_probe", &now).is_ok()
    }

    /// Like `with`, for a change: remembers whether the store took it.
    fn write<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let result = self.with(f);
        *self.write_error.lock().unwrap_or_else(|e| e.into_inner()) =
            result.as_ref().err().map(|e| e.to_string());
        result
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        // A poisoned lock only means another thread panicked mid-call; SQLite
        // itself rolled back whatever that call had not committed.
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&conn)?)
    }

    /// The next sequence number for a reference (never reused, even across restarts).
    pub fn next_seq(&self) -> Result<i64, StoreError> {
        self.write(|c| {
            c.execute(
                "UPDATE counters SET value = value + 1 WHERE name = 'session'",
                [],
            )?;
            c.query_row(
                "SELECT value FROM counters WHERE name = 'session'",
                [],
                |r| r.get(0),
            )
        })
    }

    /// This store's random tag, made at first use and kept: every reference
    /// carries it, so two machines left on one posId, or a store lost and
    /// begun again at sequence 1, never reuse a reference (and so never meet
    /// an old payment that an identical create would replay).
    pub fn install_tag(&self) -> Result<String, StoreError> {
        const KEY: &str = "install_tag";
        if let Some(tag) = self.setting(KEY)? {
            return Ok(tag);
        }
        let tag: String = (0..6)
            .map(|_| {
                let alphabet = b"abcdefghijkmnpqrstuvwxyz23456789";
                alphabet[rand::random_range(0..alphabet.len())] as char
            })
            .collect();
        self.write(|c| {
            c.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)",
                [KEY, &tag],
            )
        })?;
        // Another connection may have won the race: theirs is the tag.
        Ok(self.setting(KEY)?.unwrap_or(tag))
    }

    /// Inserts a new session (in `Creating`).
    pub fn insert(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.write(|c| {
            c.execute(
                &format!(
                    "INSERT INTO sessions ({}) VALUES ({})",
                    rows::COLUMNS,
                    rows::PLACEHOLDERS
                ),
                rusqlite::params_from_iter(rows::to_params(s)),
            )?;
            log_transition(c, &s.reference, s.status.phase)
        })
    }

    /// Records a transition: the session's status and its times, and a line
    /// in the transition log, atomically.
    pub fn update(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.write(|c| {
            let tx = c.unchecked_transaction()?;
            let params = rusqlite::params_from_iter(rows::transition_params(s));
            tx.execute(rows::TRANSITION, params)?;
            log_transition(&tx, &s.reference, s.status.phase)?;
            tx.commit()
        })
    }

    /// Stores the QR of a created payment. Not a transition: the phase stays.
    pub fn set_qr(
        &self,
        reference: &str,
        qr_url: Option<&str>,
        qr_image: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|c| {
            c.execute(
                "UPDATE sessions SET qr_url = ?2, qr_image = ?3 WHERE reference = ?1",
                params![reference, qr_url, qr_image],
            )
            .map(drop)
        })
    }

    pub fn get(&self, reference: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {} FROM sessions WHERE reference = ?1",
                    rows::COLUMNS
                ),
                [reference],
                rows::from_row,
            )
            .optional()
        })
    }

    /// The most recently created session, if any.
    pub fn latest(&self) -> Result<Option<SessionRecord>, StoreError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {} FROM sessions ORDER BY seq DESC LIMIT 1",
                    rows::COLUMNS
                ),
                [],
                rows::from_row,
            )
            .optional()
        })
    }

    /// Every session not in a final phase, oldest first.
    pub fn unfinished(&self) -> Result<Vec<SessionRecord>, StoreError> {
        let finals: Vec<&str> = Phase::ALL
            .iter()
            .filter(|p| p.is_final())
            .map(|p| p.as_str())
            .collect();
        let sql = format!(
            "SELECT {} FROM sessions WHERE phase NOT IN ('{}') ORDER BY seq",
            rows::COLUMNS,
            finals.join("','")
        );
        self.with(|c| c.prepare(&sql)?.query_map([], rows::from_row)?.collect())
    }

    /// The phases a session went through, in order (for tests and the operator).
    pub fn transitions(&self, reference: &str) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            c.prepare("SELECT phase FROM transitions WHERE reference = ?1 ORDER BY id")?
                .query_map([reference], |r| r.get(0))?
                .collect()
        })
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|c| {
            c.execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2", [key, value])
                .map(drop)
        })
    }

    /// Records a webhook delivery; false when the same one was seen before.
    pub fn record_webhook(
        &self,
        reference: &str,
        name: &str,
        psp_reference: &str,
    ) -> Result<bool, StoreError> {
        self.write(|c| {
            c.execute(
                "INSERT OR IGNORE INTO webhook_deliveries (reference, name, psp_reference, received_at) VALUES (?1, ?2, ?3, datetime('now'))",
                params![reference, name, psp_reference],
            )
            .map(|n| n == 1)
        })
    }
}

fn log_transition(c: &Connection, reference: &str, phase: Phase) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO transitions (reference, phase, at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        params![reference, phase.as_str()],
    )
    .map(drop)
}

#[cfg(test)]
#[path = "store/tests.rs"]
mod tests;
