//! Keeping the store file safe and small: it is created owner-only (it holds
//! the webhook secret), and webhook deliveries and the transitions of settled
//! purchases are deleted once older than `store.keep_days`.

use super::{Store, StoreError};
use crate::session::state::Phase;
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

impl Store {
    /// Deletes webhook deliveries received, and transitions of finished
    /// purchases (none still waiting for a person) logged, more than `keep`
    /// ago. Returns how many rows went. Sessions themselves stay: they are
    /// the sales record.
    pub fn prune(&self, keep: Duration) -> Result<usize, StoreError> {
        let finals: Vec<&str> = Phase::ALL
            .iter()
            .filter(|p| p.is_final())
            .map(|p| p.as_str())
            .collect();
        let age = format!("-{} seconds", keep.as_secs());
        let transitions = format!(
            "DELETE FROM transitions WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1) \
             AND reference IN (SELECT reference FROM sessions WHERE phase IN ('{}') \
             AND NOT (needs_operator = 1 AND operator_resolved_at IS NULL))",
            finals.join("','")
        );
        self.with(|c| {
            let deliveries = c.execute(
                "DELETE FROM webhook_deliveries WHERE received_at < datetime('now', ?1)",
                [&age],
            )?;
            Ok(deliveries + c.execute(&transitions, [&age])?)
        })
    }
}

/// Prunes now and then once a day, off the async threads.
pub fn spawn_pruning(store: Store, keep: Duration) {
    tokio::spawn(async move {
        let mut daily = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            daily.tick().await;
            let store = store.clone();
            match tokio::task::spawn_blocking(move || store.prune(keep)).await {
                Ok(Ok(n)) if n > 0 => tracing::info!(rows = n, "pruned old store rows"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "pruning the store failed"),
                Err(e) => tracing::warn!(error = %e, "pruning the store failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(store: &Store, reference: &str, seq: i64, phase: &str, flagged: bool) {
        store
            .with(|c| {
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
            })
            .unwrap();
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.with(|c| c.query_row(sql, [], |r| r.get(0))).unwrap()
    }

    #[test]
    fn old_deliveries_and_settled_transitions_go_the_rest_stays() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        session(&store, "vm-1-old-done", 1, Phase::Completed.as_str(), false);
        session(&store, "vm-1-old-open", 2, Phase::Vending.as_str(), false);
        session(&store, "vm-1-old-flag", 3, Phase::VendFailed.as_str(), true);
        store.record_webhook("vm-1-new", "authorized", "1").unwrap();
        store
            .with(|c| c.execute("INSERT INTO webhook_deliveries VALUES ('vm-1-old-done', 'authorized', '2', '2020-01-01 00:00:00')", []))
            .unwrap();
        let pruned = store.prune(Duration::from_secs(90 * 24 * 3600)).unwrap();
        assert_eq!(
            pruned, 2,
            "the old delivery and the settled purchase's transition"
        );
        assert_eq!(store.transitions("vm-1-old-done").unwrap().len(), 0);
        assert_eq!(store.transitions("vm-1-old-open").unwrap().len(), 1);
        assert_eq!(store.transitions("vm-1-old-flag").unwrap().len(), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM webhook_deliveries"), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM sessions"), 3);
    }
}
