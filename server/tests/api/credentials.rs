//! With real credentials the server is a machine in the field: none of the
//! simulator's unauthenticated `/sim/` controls exist.

use crate::helpers::{spawn_app_with, spawn_machine_paying_at};
use serde_json::json;

#[tokio::test]
async fn with_credentials_the_simulated_dispenser_has_no_control_route() {
    let vipps = spawn_app_with(&[("VENDSCREEN_WEBHOOK_ENABLED", "false")]).await;
    let machine = spawn_machine_paying_at(&vipps, &[]).await;
    let resp = machine
        .post_json("/sim/dispenser", json!({ "outOfOrder": true }))
        .await;
    assert_eq!(resp.status(), 404);
    let resp = machine
        .post_json("/sim/payments/vm-042-000001/approve", json!({}))
        .await;
    assert_eq!(resp.status(), 404);
    // Nobody outside could take the machine out of service.
    machine.buy("cola").await;
}
