//! The edge's vend journal: one SQLite file (WAL, synchronous=FULL) with a
//! row per vend command, written before each step of the handshake it
//! records, so a restarted edge knows what it did and never vends twice.

use rusqlite::{Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How far one vend got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The command arrived; not yet acknowledged.
    Received,
    /// The hub accepted the acknowledgement: the dispenser may run (once).
    Acked,
    /// The hub refused the acknowledgement (409): nothing vended.
    Refused,
    /// The dispenser reported the product dropped.
    Vended,
    /// The dispenser reported it did not.
    Failed,
    /// Acknowledged, but no outcome is known (a restart mid-vend, a dispenser
    /// that did not answer): never vended again; the hub releases and flags it.
    Uncertain,
}

/// Whether the hub has the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    No,
    Yes,
    /// The hub holds another answer (409): a person must look.
    Conflict,
}

/// One journalled vend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub reference: String,
    pub slot: String,
    pub stage: Stage,
    pub sent: Sent,
}

/// Why the journal could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("vend journal: {0}")]
pub struct JournalError(String);

type Result<T> = std::result::Result<T, JournalError>;

/// A handle to the journal; cheap to clone.
#[derive(Clone)]
pub struct Journal {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS vends (
    reference   TEXT PRIMARY KEY,
    slot        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    sent        TEXT NOT NULL DEFAULT 'no',
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);";

impl Journal {
    /// Opens (creating if needed) the journal at `path`.
    pub fn open(path: &Path) -> Result<Journal> {
        let conn = Connection::open(path).map_err(err)?;
        // FULL: a journalled step survives power loss; never-vend-twice
        // depends on it. A vend is a few small writes.
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .and_then(|_| conn.execute_batch(SCHEMA))
            .map_err(err)?;
        Ok(Journal {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub async fn get(&self, reference: &str) -> Result<Option<Entry>> {
        let reference = reference.to_string();
        self.run(move |c| {
            c.query_row(
                "SELECT reference, slot, stage, sent FROM vends WHERE reference = ?1",
                [reference],
                entry,
            )
            .optional()
        })
        .await
    }

    /// Journals a newly received command; false if it was there already.
    pub async fn receive(&self, reference: &str, slot: &str) -> Result<bool> {
        let (reference, slot) = (reference.to_string(), slot.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO vends (reference, slot, stage) VALUES (?1, ?2, 'received')",
                [reference, slot],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub async fn set_stage(&self, reference: &str, stage: Stage) -> Result<()> {
        self.update("stage", reference, stage_name(stage)).await
    }

    pub async fn set_sent(&self, reference: &str, sent: Sent) -> Result<()> {
        self.update("sent", reference, sent_name(sent)).await
    }

    /// Every vend, oldest first (restart work, and tests' invariants).
    pub async fn all(&self) -> Result<Vec<Entry>> {
        self.run(|c| {
            let mut statement = c.prepare(
                "SELECT reference, slot, stage, sent FROM vends ORDER BY received_at, reference",
            )?;
            let rows = statement.query_map([], entry)?;
            rows.collect()
        })
        .await
    }

    async fn update(
        &self,
        column: &'static str,
        reference: &str,
        value: &'static str,
    ) -> Result<()> {
        let reference = reference.to_string();
        let sql = format!(
            "UPDATE vends SET {column} = ?2, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE reference = ?1"
        );
        self.run(move |c| c.execute(&sql, [reference.as_str(), value]).map(drop))
            .await
    }

    /// Runs a call off the async runtime (a write waits for the disk).
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        crate::store::sqlite::off_runtime(&self.conn, f)
            .await
            .map_err(|e| JournalError(e.to_string()))?
            .map_err(err)
    }
}

fn err(e: rusqlite::Error) -> JournalError {
    JournalError(e.to_string())
}

fn entry(row: &rusqlite::Row) -> rusqlite::Result<Entry> {
    let stage: String = row.get(2)?;
    let sent: String = row.get(3)?;
    Ok(Entry {
        reference: row.get(0)?,
        slot: row.get(1)?,
        // An unknown word is read as the most careful one: never vend again.
        stage: STAGES
            .iter()
            .find(|(_, name)| *name == stage)
            .map_or(Stage::Uncertain, |(s, _)| *s),
        sent: match sent.as_str() {
            "yes" => Sent::Yes,
            "conflict" => Sent::Conflict,
            _ => Sent::No,
        },
    })
}

/// Each stage and its stored word (renaming a variant never changes the file).
const STAGES: [(Stage, &str); 6] = [
    (Stage::Received, "received"),
    (Stage::Acked, "acked"),
    (Stage::Refused, "refused"),
    (Stage::Vended, "vended"),
    (Stage::Failed, "failed"),
    (Stage::Uncertain, "uncertain"),
];

fn stage_name(stage: Stage) -> &'static str {
    STAGES
        .iter()
        .find(|(s, _)| *s == stage)
        .map_or("uncertain", |(_, name)| name)
}

fn sent_name(sent: Sent) -> &'static str {
    match sent {
        Sent::No => "no",
        Sent::Yes => "yes",
        Sent::Conflict => "conflict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_vend_s_steps_survive_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let journal = Journal::open(&path).unwrap();
        assert!(journal.receive("r-1", "A1").await.unwrap());
        assert!(!journal.receive("r-1", "A1").await.unwrap(), "once only");
        journal.set_stage("r-1", Stage::Vended).await.unwrap();
        drop(journal);
        let journal = Journal::open(&path).unwrap();
        let found = journal.get("r-1").await.unwrap().unwrap();
        assert_eq!((found.stage, found.sent), (Stage::Vended, Sent::No));
        journal.set_sent("r-1", Sent::Yes).await.unwrap();
        assert_eq!(journal.all().await.unwrap()[0].sent, Sent::Yes);
        assert_eq!(journal.get("r-2").await.unwrap(), None);
    }
}
