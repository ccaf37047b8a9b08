//! Customers at the machines: each touches Cola on the edge's own display
//! API, then approves in "the app" (the simulator) or cancels at the
//! machine, with a fault planned around the vend.

use crate::link::Cut;
use crate::wait::wait_for;
use crate::world::{Machine, World};
use serde_json::json;
use std::time::Duration;
use vendscreen_server::store::Store;

/// What happens around one purchase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    Approve,
    /// The customer gives up at the machine.
    Cancel,
    /// The machine's ack never reaches the hub (the link breaks on it).
    CutBeforeAck,
    /// The hub takes the ack; its answer never reaches the machine.
    CutAfterAck,
    /// The machine's link is down for a while right after the approval.
    LinkDown,
}

impl Plan {
    /// Machine `i`'s plan: every fault on several machines at once.
    pub fn for_machine(i: usize) -> Plan {
        match i % 10 {
            0 => Plan::CutBeforeAck,
            1 => Plan::CutAfterAck,
            2 => Plan::Cancel,
            3 => Plan::LinkDown,
            _ => Plan::Approve,
        }
    }
}

const PURCHASE_ENDS: Duration = Duration::from_secs(240);

/// One purchase on `machine`, to its end; its reference.
pub async fn purchase(world: &World, machine: &Machine, plan: Plan) -> String {
    let http = reqwest::Client::new();
    let reference = touch(world, machine, &http).await;
    let awaiting = format!("{reference} to await payment");
    wait_for(&awaiting, PURCHASE_ENDS, async || {
        let record = world.store.get(&reference).await.ok()??;
        let phase = record.status.phase().as_str();
        (phase != "creating").then_some(())
    })
    .await;
    match plan {
        Plan::Cancel => cancel(machine, &reference, &http).await,
        Plan::CutBeforeAck => machine.link.cut_at_next_ack(Cut::BeforeAck),
        Plan::CutAfterAck => machine.link.cut_at_next_ack(Cut::AfterAck),
        Plan::Approve | Plan::LinkDown => {}
    }
    if plan != Plan::Cancel {
        let url = format!("{}/sim/payments/{reference}/approve", world.vipps);
        let _ = http.post(url).send().await;
    }
    if plan == Plan::LinkDown {
        // The fault's length, not a wait for something: the link is down
        // for two seconds whatever happens meanwhile.
        machine.link.set_down(true);
        tokio::time::sleep(Duration::from_secs(2)).await;
        machine.link.set_down(false);
    }
    let ended = format!("{reference} to end");
    wait_for(&ended, PURCHASE_ENDS, async || {
        let record = world.store.get(&reference).await.ok()??;
        record.status.phase().is_final().then_some(())
    })
    .await;
    reference
}

/// Touches Cola until a purchase starts (the machine may be out of service
/// while its link heals), or finds the one its earlier touch started.
async fn touch(world: &World, machine: &Machine, http: &reqwest::Client) -> String {
    let what = format!("a purchase to start on {}", machine.pos_id);
    wait_for(&what, PURCHASE_ENDS, async || {
        let url = format!("{}/api/sessions", machine.base);
        let sent = http.post(url).json(&json!({ "productId": "cola" }));
        if let Ok(res) = sent.send().await {
            if res.status().as_u16() == 201 {
                let body: serde_json::Value = res.json().await.ok()?;
                return body["reference"].as_str().map(str::to_string);
            }
        }
        // A touch whose answer was lost may still have started one.
        let latest = world.store.latest(&machine.pos_id).await.ok()??;
        (!latest.status.phase().is_final()).then_some(latest.reference)
    })
    .await
}

/// Presses Cancel until the machine takes it (a press whose answer was lost
/// to a dying replica is pressed again, as a customer would).
async fn cancel(machine: &Machine, reference: &str, http: &reqwest::Client) {
    let what = format!("{reference}'s cancel to be taken");
    wait_for(&what, PURCHASE_ENDS, async || {
        let url = format!("{}/api/sessions/{reference}/cancel", machine.base);
        let res = http.post(url).json(&json!({})).send().await.ok()?;
        res.status().is_success().then_some(())
    })
    .await
}
