//! Item 4 of issue 10: the simulator is no free-vend switch. It never runs
//! beside a machine that vends real goods, and its clock takes no absurd step.

use crate::helpers::spawn_app;
use serde_json::json;
use vendscreen_protocol::SessionState as S;
use vendscreen_server::config::Config;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_simulator_refuses_to_start_beside_a_dispenser_that_vends_real_goods() {
    let real = [
        vec![
            ("VENDSCREEN_DISPENSER_KIND", "command"),
            ("VENDSCREEN_DISPENSER_COMMAND", "/usr/local/bin/vend"),
        ],
        vec![
            ("VENDSCREEN_DISPENSER_KIND", "http"),
            ("VENDSCREEN_DISPENSER_URL", "http://127.0.0.1:9/vend"),
        ],
    ];
    for dispenser in real {
        let error = Config::from_sources("", env(&dispenser))
            .expect_err("a simulator with a real dispenser must not start")
            .to_string();
        assert!(
            error.contains("dispenser.kind") && error.contains("epayment"),
            "the error names both settings: {error}"
        );
        // With credentials the same dispenser is a machine in the field.
        let mut with_credentials = dispenser.clone();
        with_credentials.extend([
            ("VENDSCREEN_EPAYMENT_CLIENT_ID", "id"),
            ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", "secret"),
            ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", "key"),
            ("VENDSCREEN_EPAYMENT_MSN", "123456"),
            ("VENDSCREEN_MACHINE_POS_ID", "vm-field-1"),
        ]);
        Config::from_sources("", env(&with_credentials)).expect("a machine with credentials");
    }
}

#[tokio::test]
async fn an_absurd_clock_step_is_a_400_problem_and_the_simulator_keeps_working() {
    let app = spawn_app().await;
    // u64::MAX overflowed the offset; half of it overflowed every later `now`.
    for seconds in [u64::MAX, u64::MAX / 2, 40 * 24 * 3600] {
        let resp = app
            .post_json("/sim/clock/advance", json!({ "seconds": seconds }))
            .await;
        assert_eq!(resp.status(), 400, "{seconds} s");
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
    }
    let resp = app
        .post_json("/sim/clock/advance", json!({ "seconds": 60 }))
        .await;
    assert_eq!(resp.status(), 200);
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
}
