//! Keeping the store file safe and small: it is created owner-only (it holds
//! the webhook secret), and webhook deliveries and the transitions of settled
//! purchases are deleted once older than `store.keep_days`.

use crate::store::names;
use std::path::Path;
use std::time::Duration;

/// Creates the file 0600, or takes group and other access away from an
/// existing one. SQLite gives its `-wal` and `-shm` files the same mode.
pub fn owner_only(path: &Path) {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path.as_os_str() == ":memory:" {
        return;
    }
    let tightened = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .and_then(|file| {
            let mode = file.metadata()?.permissions().mode();
            if mode & 0o077 != 0 {
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(())
        });
    if let Err(e) = tightened {
        tracing::warn!(path = %path.display(), error = %e, "could not make the store owner-only");
    }
}

/// Deletes webhook deliveries received, transitions of finished purchases
/// (none still waiting for a person) logged, and outbox rows written, more
/// than `keep` ago. Returns how many rows went. Sessions themselves stay:
/// they are the sales record.
pub fn prune(c: &rusqlite::Connection, keep: Duration) -> rusqlite::Result<usize> {
    let finals: Vec<String> = names::final_phases().map(|p| format!("'{p}'")).collect();
    let age = format!("-{} seconds", keep.as_secs());
    let transitions = format!(
        "DELETE FROM transitions WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1) \
         AND reference IN (SELECT reference FROM sessions WHERE phase IN ({}) \
         AND NOT (needs_operator = 1 AND operator_resolved_at IS NULL))",
        finals.join(", ")
    );
    let deliveries = c.execute(
        "DELETE FROM webhook_deliveries WHERE received_at < datetime('now', ?1)",
        [&age],
    )?;
    let outbox = c.execute(
        "DELETE FROM outbox WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)",
        [&age],
    )?;
    Ok(deliveries + outbox + c.execute(&transitions, [&age])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(c: &rusqlite::Connection, reference: &str, seq: i64, phase: &str, flagged: bool) {
        (|| -> rusqlite::Result<usize> {
                c.execute(
                    "INSERT INTO sessions (reference, seq, product_id, product_name, slot, amount, \
                     currency, tax_rate, phase, needs_operator, created_at, expires_at) \
                     VALUES (?1, ?2, 'cola', 'Cola', 'A1', 3500, 'NOK', 1500, ?3, ?4, '2020-01-01T00:00:00Z', '2020-01-01T00:10:00Z')",
                    rusqlite::params![reference, seq, phase, flagged],
                )?;
                c.execute(
                    "INSERT INTO transitions (reference, phase, at) VALUES (?1, ?2, '2020-01-01T00:00:01.000Z')",
                    [reference, phase],
                )
        })()
        .unwrap();
    }

    fn count(c: &rusqlite::Connection, sql: &str) -> i64 {
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[tokio::test]
    async fn old_deliveries_and_settled_transitions_go_the_rest_stays() {
        use crate::store::{SqliteStore, Store};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = SqliteStore::open(&path, "vm-1").unwrap();
        let c = rusqlite::Connection::open(&path).unwrap();
        session(&c, "vm-1-old-done", 1, "completed", false);
        session(&c, "vm-1-old-open", 2, "vending", false);
        session(&c, "vm-1-old-flag", 3, "vendFailed", true);
        store
            .record_webhook("vm-1-new", "authorized", "1")
            .await
            .unwrap();
        c.execute("INSERT INTO webhook_deliveries VALUES ('vm-1-old-done', 'authorized', '2', '2020-01-01 00:00:00')", [])
            .unwrap();
        let pruned = store
            .prune(Duration::from_secs(90 * 24 * 3600))
            .await
            .unwrap();
        assert_eq!(
            pruned, 2,
            "the old delivery and the settled purchase's transition"
        );
        assert_eq!(store.transitions("vm-1-old-done").await.unwrap().len(), 0);
        assert_eq!(store.transitions("vm-1-old-open").await.unwrap().len(), 1);
        assert_eq!(store.transitions("vm-1-old-flag").await.unwrap().len(), 1);
        assert_eq!(count(&c, "SELECT count(*) FROM webhook_deliveries"), 1);
        assert_eq!(count(&c, "SELECT count(*) FROM sessions"), 3);
    }
}
