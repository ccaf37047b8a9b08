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
    // When a person resolved a session the engine flagged (`operator` commands).
    "ALTER TABLE sessions ADD COLUMN operator_resolved_at TEXT;",
    // The store boundary (fleet mode): the machine a session belongs to, a
    // version for compare-and-set, the next step's time and lease (unix ms,
    // so that they compare as numbers), why a person must look, the edge's
    // request id and vend acknowledgement, and the machines' outboxes.
    r#"
    ALTER TABLE sessions ADD COLUMN machine TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN due_ms INTEGER;
    ALTER TABLE sessions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN lease_owner TEXT;
    ALTER TABLE sessions ADD COLUMN lease_until_ms INTEGER;
    ALTER TABLE sessions ADD COLUMN operator_reason TEXT;
    ALTER TABLE sessions ADD COLUMN request_id TEXT;
    ALTER TABLE sessions ADD COLUMN vend_acked_at TEXT;
    ALTER TABLE sessions ADD COLUMN phase_since TEXT;
    CREATE INDEX sessions_latest ON sessions(machine, seq);
    CREATE INDEX sessions_due ON sessions(due_ms) WHERE due_ms IS NOT NULL;
    CREATE UNIQUE INDEX one_open_purchase ON sessions(machine)
        WHERE phase IN ('creating', 'awaitingPayment', 'authorized', 'vending');
    CREATE UNIQUE INDEX sessions_by_request ON sessions(machine, request_id)
        WHERE request_id IS NOT NULL;
    CREATE TABLE outbox (
        machine   TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        kind      TEXT NOT NULL,
        reference TEXT,
        at        TEXT NOT NULL,
        PRIMARY KEY (machine, seq)
    );
    CREATE TABLE machine_counters (
        machine    TEXT PRIMARY KEY,
        outbox_seq INTEGER NOT NULL DEFAULT 0
    );
"#,
    // Refunds an operator made (`operator refund`), keyed by the
    // Idempotency-Key they were asked with; and the sales report's range.
    r#"
    CREATE TABLE refunds (
        idempotency_key TEXT PRIMARY KEY,
        reference       TEXT NOT NULL REFERENCES sessions(reference),
        amount          INTEGER NOT NULL,
        reason          TEXT NOT NULL,
        operator        TEXT NOT NULL,
        requested_at    TEXT NOT NULL,
        done_at         TEXT
    );
    CREATE INDEX refunds_by_reference ON refunds(reference);
    CREATE INDEX sessions_by_created ON sessions(created_at);
"#,
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
