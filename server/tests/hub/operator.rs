//! The operator's tools on a hub's PostgreSQL, as the real binary run with
//! the hub's configuration: a refund at the fleet's "Vipps" (once, however
//! often it is asked) and the sales report of every machine.

use crate::cli::Ran;
use crate::harness::Fleet;
use crate::vipps::RawVipps;
use serde_json::json;

/// Runs `vendscreen-server operator ARGS` configured as the fleet's hub.
async fn operator(fleet: &Fleet, args: &[&str]) -> Ran {
    let mut env = crate::vipps::paying_at(&fleet.vipps);
    env.push(("VENDSCREEN_SERVER_ROLE", "hub".into()));
    env.push(("VENDSCREEN_STORE_URL", fleet.db_url.clone()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args: Vec<&str> = ["operator"].iter().chain(args).copied().collect();
    crate::cli::run(&env, &args).await
}

#[tokio::test]
async fn a_hub_purchase_is_refunded_once_and_reported() {
    let fleet = Fleet::new(1, &[]).await;
    let edge = fleet.machine("vm-op-1").await;
    let reference = crate::handshake::approved(&edge, "op-1").await;
    let ack = format!("/fleet/v1/vends/{reference}/ack");
    assert_eq!(edge.post(&ack, json!({})).await.0, 200);
    let result = format!("/fleet/v1/vends/{reference}/result");
    let vended = json!({ "outcome": "vended" });
    assert_eq!(edge.post(&result, vended).await.0, 200);
    edge.wait_for(&reference, "completed").await;

    for _ in 0..2 {
        let ran = operator(&fleet, &["refund", &reference, "--amount", "500"]).await;
        assert_eq!(ran.code, 0, "{}", ran.err);
    }
    let vipps = RawVipps::at(&fleet.vipps);
    let calls = vipps.money_calls(&reference).await;
    let refunds = calls.iter().filter(|c| c["operation"] == "refund").count();
    assert_eq!(refunds, 1);
    let payment = vipps.payment(&reference).await;
    assert_eq!(payment["aggregate"]["refundedAmount"]["value"], 500);

    let today = time::OffsetDateTime::now_utc().date().to_string();
    let ran = operator(
        &fleet,
        &["sales", "--from", &today, "--to", &today, "--format", "csv"],
    )
    .await;
    assert_eq!(ran.code, 0, "{}", ran.err);
    let total = ran.out.lines().last().unwrap_or_default();
    assert!(total.starts_with("TOTAL,,1 purchases,"), "{}", ran.out);
    assert!(total.ends_with(",35.00,0.00,5.00,30.00"), "{}", ran.out);
    assert!(
        ran.out.contains(&format!(",vm-op-1,{reference},")),
        "{}",
        ran.out
    );
}
