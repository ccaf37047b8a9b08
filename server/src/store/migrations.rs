//! Schema migrations, applied in order at start; `PRAGMA user_version` counts them.

use rusqlite::Connection;

/// Each entry runs once, in a transaction. Append; never edit a shipped one.
const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE sessions (
        reference      TEXT PRIMARY KEY,
        seq            INTEGER NOT NULL UNIQUE,
        product_id     TEXT NOT NULL,
        product_name   TEXT NOT NULL,
        slot           TEXT NOT NULL,
        amount         INTEGER NOT NULL,
        currency       TEXT NOT NULL,
        tax_rate       INTEGER NOT NULL,
        qr_url         TEXT,
        qr_image       TEXT,
        phase          TEXT NOT NULL,
        reason         TEXT,
        cancelling     TEXT,
        needs_operator INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        expires_at     TEXT NOT NULL,
        authorized_at  TEXT,
        ended_at       TEXT
    );
    CREATE TABLE transitions (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        reference TEXT NOT NULL REFERENCES sessions(reference),
        phase     TEXT NOT NULL,
        at        TEXT NOT NULL
    );
    CREATE INDEX transitions_by_reference ON transitions(reference);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counters (name, value) VALUES ('session', 0);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE webhook_deliveries (
        reference     TEXT NOT NULL,
        name          TEXT NOT NULL,
        psp_reference TEXT NOT NULL,
        received_at   TEXT NOT NULL,
        PRIMARY KEY (reference, name, psp_reference)
    );
"#,
    // When a person resolved a session the engine flagged (store/operator.rs).
    "ALTER TABLE sessions ADD COLUMN operator_resolved_at TEXT;",
];

pub fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}
