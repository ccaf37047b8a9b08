//! The SQL behind each `Store` call, run on one connection inside the
//! blocking pool. Times that are compared (due, lease) are unix ms.

use super::super::{names, Committed, Due, Inserted, OutboxKind, OutboxRow};
use super::rows::{self, ms};
use crate::domain::{OperatorReason, SessionRecord};
use rusqlite::{params, Connection, OptionalExtension};
use std::time::Duration;
use time::OffsetDateTime;

type R<T> = rusqlite::Result<T>;

fn now_ms() -> i64 {
    ms(OffsetDateTime::now_utc())
}

/// `due` as a unix-ms time on this store's clock.
fn due_ms(due: Due) -> Option<i64> {
    match due {
        Due::Never | Due::Unchanged => None,
        Due::Now => Some(now_ms()),
        Due::In(d) => Some(now_ms() + d.as_millis() as i64),
    }
}

/// Approved, neither captured nor released (`Store::unsettled`).
const UNSETTLED_PHASES: &str = "'authorized', 'vending', 'capturing', 'releasing'";

fn select(filter: &str) -> String {
    format!("SELECT {} FROM sessions {filter}", rows::COLUMNS)
}

pub fn install_tag(c: &Connection, fresh: &str) -> R<String> {
    c.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('install_tag', ?1)",
        [fresh],
    )?;
    c.query_row(
        "SELECT value FROM settings WHERE key = 'install_tag'",
        [],
        |r| r.get(0),
    )
}

/// One counter for the file: it holds one machine.
pub fn next_seq(c: &Connection) -> R<i64> {
    c.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = 'session' RETURNING value",
        [],
        |r| r.get(0),
    )
}

pub fn by_request(c: &Connection, machine: &str, request: &str) -> R<Option<SessionRecord>> {
    let sql = select("WHERE machine = ?1 AND request_id = ?2");
    c.query_row(&sql, [machine, request], rows::from_row)
        .optional()
}

pub fn insert(c: &Connection, s: &SessionRecord, due: Due) -> R<Inserted> {
    let by_request = |c: &Connection| -> R<Option<SessionRecord>> {
        match &s.request_id {
            Some(request) => by_request(c, &s.machine, request),
            None => Ok(None),
        }
    };
    if let Some(existing) = by_request(c)? {
        return Ok(Inserted::Existing(Box::new(existing)));
    }
    let tx = c.unchecked_transaction()?;
    let mut values = rows::insert_params(s);
    values.push(Box::new(due_ms(due)));
    match tx.execute(rows::INSERT, rusqlite::params_from_iter(values)) {
        // One open purchase per machine (or the same request, just stored).
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            drop(tx);
            return Ok(match by_request(c)? {
                Some(existing) => Inserted::Existing(Box::new(existing)),
                None => Inserted::Busy,
            });
        }
        other => other?,
    };
    log_transition(&tx, &s.reference, names::phase(s.status.phase()))?;
    tx.commit()?;
    Ok(Inserted::New)
}

pub fn get(c: &Connection, reference: &str) -> R<Option<SessionRecord>> {
    c.query_row(&select("WHERE reference = ?1"), [reference], rows::from_row)
        .optional()
}

pub fn latest(c: &Connection, machine: &str) -> R<Option<SessionRecord>> {
    c.query_row(
        &select("WHERE machine = ?1 ORDER BY seq DESC LIMIT 1"),
        [machine],
        rows::from_row,
    )
    .optional()
}

pub fn transition(
    c: &Connection,
    after: &SessionRecord,
    due: Due,
    vend: bool,
) -> R<Option<Committed>> {
    let tx = c.unchecked_transaction()?;
    let mut values = rows::transition_params(after);
    values.push(Box::new(due_ms(due)));
    values.push(Box::new(after.version));
    if tx.execute(rows::TRANSITION, rusqlite::params_from_iter(values))? == 0 {
        return Ok(None);
    }
    log_transition(&tx, &after.reference, names::phase(after.status.phase()))?;
    let newest = latest(&tx, &after.machine)?.is_some_and(|l| l.reference == after.reference);
    let (machine, reference) = (&after.machine, Some(after.reference.as_str()));
    let outbox_seq = if newest {
        Some(append_outbox(&tx, machine, OutboxKind::Session, reference)?)
    } else {
        None
    };
    if vend {
        append_outbox(&tx, machine, OutboxKind::Vend, reference)?;
    }
    let record = get(&tx, &after.reference)?;
    tx.commit()?;
    Ok(record.map(|record| Committed { record, outbox_seq }))
}

pub fn schedule(
    c: &Connection,
    reference: &str,
    version: i64,
    attempts: u32,
    owner: &str,
    due: Due,
) -> R<()> {
    // Decided on an older version: something happened meanwhile, so the
    // session is due now rather than when this step thought.
    let keep = due == Due::Unchanged;
    c.execute(
        "UPDATE sessions SET \
           due_ms = CASE WHEN version <> ?2 THEN ?5 WHEN ?7 THEN due_ms ELSE ?4 END, \
           attempts = CASE WHEN version = ?2 AND NOT ?7 THEN ?3 ELSE attempts END, \
           lease_owner = NULL, lease_until_ms = NULL \
         WHERE reference = ?1 AND (lease_owner IS NULL OR lease_owner = ?6)",
        params![
            reference,
            version,
            attempts,
            due_ms(due),
            now_ms(),
            owner,
            keep
        ],
    )
    .map(drop)
}

pub fn flag_operator(c: &Connection, reference: &str, why: OperatorReason) -> R<bool> {
    let changed = c.execute(
        "UPDATE sessions SET needs_operator = 1, operator_reason = ?2 \
         WHERE reference = ?1 AND needs_operator = 0",
        [reference, names::operator_reason(why)],
    )?;
    Ok(changed == 1)
}

pub fn resolve_operator(c: &Connection, reference: &str, at: OffsetDateTime) -> R<bool> {
    let changed = c.execute(
        "UPDATE sessions SET operator_resolved_at = ?2 \
         WHERE reference = ?1 AND needs_operator = 1 AND operator_resolved_at IS NULL",
        (reference, rows::rfc3339(at)),
    )?;
    Ok(changed == 1)
}

pub fn awaiting_operator(c: &Connection, machine: Option<&str>) -> R<Vec<SessionRecord>> {
    let sql = select(
        "WHERE needs_operator = 1 AND operator_resolved_at IS NULL \
         AND (?1 IS NULL OR machine = ?1) ORDER BY seq",
    );
    c.prepare(&sql)?
        .query_map([machine], rows::from_row)?
        .collect()
}

pub fn unsettled(c: &Connection, machine: Option<&str>) -> R<Vec<SessionRecord>> {
    let sql = select(&format!(
        "WHERE phase IN ({UNSETTLED_PHASES}) AND (?1 IS NULL OR machine = ?1) ORDER BY seq"
    ));
    c.prepare(&sql)?
        .query_map([machine], rows::from_row)?
        .collect()
}

/// Claims due sessions (one, when `reference` is given) whose lease is free.
pub fn claim(
    c: &Connection,
    reference: Option<&str>,
    owner: &str,
    lease: Duration,
    limit: usize,
) -> R<Vec<SessionRecord>> {
    let now = now_ms();
    let until = now + lease.as_millis() as i64;
    let tx = c.unchecked_transaction()?;
    let references: Vec<String> = tx
        .prepare(
            "SELECT reference FROM sessions WHERE due_ms IS NOT NULL AND due_ms <= ?1 \
             AND (lease_until_ms IS NULL OR lease_until_ms <= ?1) \
             AND (?2 IS NULL OR reference = ?2) ORDER BY due_ms LIMIT ?3",
        )?
        .query_map(params![now, reference, limit as i64], |r| r.get(0))?
        .collect::<R<_>>()?;
    let mut claimed = Vec::with_capacity(references.len());
    for r in references {
        tx.execute(
            "UPDATE sessions SET lease_owner = ?2, lease_until_ms = ?3 WHERE reference = ?1",
            params![r, owner, until],
        )?;
        claimed.extend(get(&tx, &r)?);
    }
    tx.commit()?;
    Ok(claimed)
}

pub fn renew(c: &Connection, reference: &str, owner: &str, lease: Duration) -> R<bool> {
    let until = now_ms() + lease.as_millis() as i64;
    let changed = c.execute(
        "UPDATE sessions SET lease_until_ms = ?3 WHERE reference = ?1 AND lease_owner = ?2",
        params![reference, owner, until],
    )?;
    Ok(changed == 1)
}

pub fn recover_all(c: &Connection) -> R<usize> {
    let finals: Vec<String> = names::final_phases().map(|p| format!("'{p}'")).collect();
    c.execute(
        &format!(
            "UPDATE sessions SET due_ms = ?1, lease_owner = NULL, lease_until_ms = NULL \
             WHERE phase NOT IN ({})",
            finals.join(", ")
        ),
        [now_ms()],
    )
}

pub fn record_webhook(c: &Connection, [reference, name, psp]: &[String; 3]) -> R<bool> {
    let tx = c.unchecked_transaction()?;
    let fresh = tx.execute(
        "INSERT OR IGNORE INTO webhook_deliveries (reference, name, psp_reference, received_at) \
         VALUES (?1, ?2, ?3, datetime('now'))",
        params![reference, name, psp],
    )? == 1;
    if fresh {
        wake(&tx, reference)?;
    }
    tx.commit()?;
    Ok(fresh)
}

pub fn wake(c: &Connection, reference: &str) -> R<()> {
    c.execute(
        "UPDATE sessions SET due_ms = ?2 WHERE reference = ?1 AND phase = 'awaitingPayment'",
        params![reference, now_ms()],
    )
    .map(drop)
}

pub fn setting(c: &Connection, key: &str) -> R<Option<String>> {
    c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

pub fn set_setting(c: &Connection, key: &str, value: &str) -> R<()> {
    c.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET value = ?2",
        [key, value],
    )
    .map(drop)
}

pub fn append_outbox(
    c: &Connection,
    machine: &str,
    kind: OutboxKind,
    reference: Option<&str>,
) -> R<i64> {
    let seq: i64 = c.query_row(
        "INSERT INTO machine_counters (machine, outbox_seq) VALUES (?1, 1) \
         ON CONFLICT(machine) DO UPDATE SET outbox_seq = outbox_seq + 1 RETURNING outbox_seq",
        [machine],
        |r| r.get(0),
    )?;
    c.execute(
        "INSERT INTO outbox (machine, seq, kind, reference, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            machine,
            seq,
            names::outbox_kind(kind),
            reference,
            rows::rfc3339(OffsetDateTime::now_utc())
        ],
    )?;
    Ok(seq)
}

pub fn outbox_after(c: &Connection, machine: &str, after: i64, limit: i64) -> R<Vec<OutboxRow>> {
    c.prepare(
        "SELECT seq, kind, reference FROM outbox WHERE machine = ?1 AND seq > ?2 \
         ORDER BY seq LIMIT ?3",
    )?
    .query_map(params![machine, after, limit], |r| {
        let kind: String = r.get(1)?;
        Ok(OutboxRow {
            seq: r.get(0)?,
            kind: names::parse_outbox_kind(&kind).unwrap_or(OutboxKind::Session),
            reference: r.get(2)?,
        })
    })?
    .collect()
}

fn log_transition(c: &Connection, reference: &str, phase: &str) -> R<()> {
    c.execute(
        "INSERT INTO transitions (reference, phase, at) \
         VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        params![reference, phase],
    )
    .map(drop)
}
