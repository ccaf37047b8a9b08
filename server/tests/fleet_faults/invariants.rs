//! design.md's invariants, checked at "Vipps" (its payments and request
//! log), at every machine (dispenser and journal) and in the hub's database.

use crate::vipps::RawVipps;
use crate::world::World;
use serde_json::Value;
use sqlx::Row;
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vendscreen_server::edge::Stage;

/// What a run did, and what it broke.
#[derive(Debug, Default)]
pub struct Tally {
    pub purchases: usize,
    pub captures: usize,
    pub vends: usize,
    pub released: usize,
    pub flagged: usize,
    pub violations: Vec<String>,
}

/// Money calls a payment may take in any minute.
const MONEY_CALLS_PER_MINUTE: usize = 5;

pub async fn check(world: &World) -> Tally {
    let mut tally = Tally::default();
    let vipps = RawVipps::at(&world.vipps);
    let vended = vends_by_reference(world, &mut tally).await;
    let sessions = sqlx::query("SELECT reference, phase, needs_operator FROM sessions")
        .fetch_all(world.store.pool())
        .await
        .unwrap();
    tally.purchases = sessions.len();
    for row in &sessions {
        let reference: String = row.get("reference");
        let phase: String = row.get("phase");
        let flagged: bool = row.get("needs_operator");
        tally.flagged += usize::from(flagged);
        let (status, payment) = vipps
            .get(&format!("/epayment/v1/payments/{reference}"))
            .await;
        if status == 404 {
            continue; // never created at Vipps (its creation failed)
        }
        let sum = |k: &str| payment["aggregate"][k]["value"].as_i64().unwrap_or(0);
        let (authorized, captured, cancelled) = (
            sum("authorizedAmount"),
            sum("capturedAmount"),
            sum("cancelledAmount"),
        );
        let vends = vended.get(&reference).copied().unwrap_or(0);
        let mut broken = |what: String| {
            tally
                .violations
                .push(format!("{reference} ({phase}): {what}: {payment}"))
        };
        if captured > 0 {
            tally.captures += 1;
            if vends != 1 {
                broken(format!("captured with {vends} confirmed vends"));
            }
            if captured != authorized {
                broken(format!("captured {captured} of {authorized}"));
            }
        }
        if vends > 0 && captured == 0 && !flagged {
            broken("vended, not captured, and nobody told".into());
        }
        if authorized > 0 && captured + cancelled != authorized {
            broken("reservation left open".into());
        }
        if cancelled > 0 {
            tally.released += 1;
        }
    }
    let log = vipps.log().await;
    money_call_rate(&log, &mut tally);
    one_key_per_capture(&log, &mut tally);
    tally
}

/// Every capture of a reference carried the same Idempotency-Key and none
/// was refused: a replica that died after sending a capture left its retry
/// to another, which must send the same request again, not a new one.
fn one_key_per_capture(log: &[Value], tally: &mut Tally) {
    let mut keys: HashMap<&str, Vec<&str>> = HashMap::new();
    for entry in log.iter().filter(|e| e["operation"] == "capture") {
        let reference = entry["reference"].as_str().unwrap_or("?");
        if entry["refused"] == true {
            tally
                .violations
                .push(format!("{reference}: a capture was refused: {entry}"));
        }
        let key = entry["idempotencyKey"].as_str().unwrap_or("(none)");
        keys.entry(reference).or_default().push(key);
    }
    for (reference, mut keys) in keys {
        keys.sort_unstable();
        keys.dedup();
        if keys.len() > 1 {
            let what = format!("{reference}: captures under {} keys: {keys:?}", keys.len());
            tally.violations.push(what);
        }
    }
}

/// Confirmed vends per reference across every machine; a reference vended
/// twice (by one dispenser or two) or a vend the journal does not confirm
/// is a violation.
async fn vends_by_reference(world: &World, tally: &mut Tally) -> HashMap<String, usize> {
    let mut vended: HashMap<String, usize> = HashMap::new();
    for machine in &world.machines {
        let journal = machine.journal().await;
        for reference in machine.vends() {
            tally.vends += 1;
            *vended.entry(reference.clone()).or_default() += 1;
            let confirmed = journal
                .iter()
                .any(|e| e.reference == reference && e.stage == Stage::Vended);
            if !confirmed {
                let what = format!(
                    "{reference}: vended on {} but not journalled",
                    machine.pos_id
                );
                tally.violations.push(what);
            }
        }
    }
    for (reference, n) in &vended {
        if *n > 1 {
            tally
                .violations
                .push(format!("{reference} vended {n} times"));
        }
    }
    vended
}

/// At most five money calls (capture, cancel, refund) per reference in any
/// minute, by the simulator's clock.
fn money_call_rate(log: &[Value], tally: &mut Tally) {
    let mut times: HashMap<&str, Vec<OffsetDateTime>> = HashMap::new();
    for entry in log {
        let money = matches!(
            entry["operation"].as_str(),
            Some("capture" | "cancel" | "refund")
        );
        let (Some(reference), Some(time)) = (entry["reference"].as_str(), entry["time"].as_str())
        else {
            continue;
        };
        if money {
            let at = OffsetDateTime::parse(time, &Rfc3339).unwrap();
            times.entry(reference).or_default().push(at);
        }
    }
    for (reference, mut at) in times {
        at.sort();
        let window = at
            .windows(MONEY_CALLS_PER_MINUTE + 1)
            .any(|w| w[MONEY_CALLS_PER_MINUTE] - w[0] < time::Duration::minutes(1));
        if window {
            let n = at.len();
            let what = format!("{reference}: more than {MONEY_CALLS_PER_MINUTE} money calls in a minute ({n} in all)");
            tally.violations.push(what);
        }
    }
}

/// Machines with more than one open purchase right now (a sample; the test
/// takes it all through the run).
pub async fn machines_with_two_open(world: &World) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT machine FROM sessions WHERE phase NOT IN \
         ('completed', 'vendFailed', 'cancelled', 'rejected', 'expired', 'failed') \
         GROUP BY machine HAVING count(*) > 1",
    )
    .fetch_all(world.store.pool())
    .await;
    match rows {
        Ok(rows) => rows.iter().map(|r| r.get("machine")).collect(),
        Err(_) => Vec::new(), // the database is restarting; sampled again soon
    }
}
