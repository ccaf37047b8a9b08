//! What must not break the screen: the server dying mid-payment, bad input at
//! the API, a second purchase while one is open, the machine out of order.

use serde_json::json;
use std::time::Duration;
use vendscreen_e2e::wire::SessionState;
use vendscreen_e2e::{scenario, Phone, Screen, ServerOptions, Setup};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_screen_recovers_its_payment_after_the_server_is_killed_and_can_still_complete() {
    // Vipps runs apart, as in real life, so the payment outlives the crash.
    let setup = Setup::MachineAndVippsApart(ServerOptions::default());
    scenario("server_restart", setup, async |kiosk| {
        let screen = kiosk.screen().clone();
        screen.touch_product("cola").await?;
        screen.wait_for_screen("pay").await?;
        let (qr_before, _) = screen.read_qr().await?;
        let reference = kiosk.current_session().await?.reference;

        kiosk.server.kill().await?;
        // The display can only react once its thresholds pass: stale after
        // 20 s of silence (a banner over the QR), lost after 50 s (the QR
        // dimmed, with a notice that payment cannot be confirmed). The QR
        // stays up through both: the payment outlives the machine's server.
        screen
            .wait_until_shown_within("connection-banner", Duration::from_secs(30))
            .await?;
        expect_the_qr_still_up(&screen, "stale").await?;
        screen
            .wait_until_shown_within("qr-notice", Duration::from_secs(45))
            .await?;
        expect_the_qr_still_up(&screen, "lost").await?;

        kiosk.server.restart().await?;
        screen.wait_for_screen("pay").await?;
        // Reconnecting backs off to 30 s after a long silence.
        screen
            .wait_until_gone_within("qr-notice", Duration::from_secs(40))
            .await?;
        let (qr_after, _) = screen.read_qr().await?;
        assert_eq!(qr_before, qr_after, "the same QR is shown again");

        Phone::scan(&screen, &qr_after).await?.approve().await?;
        screen.wait_for_screen("completed").await?;
        kiosk
            .wait_for_state(&reference, SessionState::Completed)
            .await
    })
    .await;
}

/// The pay screen, with its QR, is what the customer still sees.
async fn expect_the_qr_still_up(screen: &Screen, link: &str) -> anyhow::Result<()> {
    let shown = screen.current_screen().await?;
    anyhow::ensure!(shown.as_deref() == Some("pay"), "{link}: showing {shown:?}");
    anyhow::ensure!(screen.shows("qr").await?, "{link}: the QR is gone");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_outage_puts_a_banner_over_the_screen_that_clears_when_the_server_is_back() {
    scenario("outage_banner", ServerOptions::default(), async |kiosk| {
        let screen = kiosk.screen().clone();
        kiosk.server.kill().await?;
        // The display waits 20 s of silence (two missed pings) before it worries.
        screen
            .wait_until_shown_within("connection-banner", Duration::from_secs(30))
            .await?;
        let shown = screen.current_screen().await?;
        assert_eq!(
            shown.as_deref(),
            Some("idle"),
            "the banner is over the screen, not instead of it"
        );

        kiosk.server.restart().await?;
        screen
            .wait_until_gone_within("connection-banner", Duration::from_secs(40))
            .await?;
        screen.touch_product("water").await?;
        screen.wait_for_screen("pay").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_at_the_api_is_refused_with_a_problem_and_never_blanks_the_screen() {
    scenario("bad_input", ServerOptions::default(), async |kiosk| {
        let api = &kiosk.api;
        let answers = [
            api.post_raw("/api/sessions", "application/json", "{not json")
                .await?,
            api.post_raw("/api/sessions", "text/plain", "cola please")
                .await?,
            api.post_raw("/api/sessions", "application/json", &"[".repeat(100_000))
                .await?,
            api.post("/api/sessions", Some(json!({}))).await?,
            api.post("/api/sessions", Some(json!({ "productId": 42 })))
                .await?,
            api.post("/api/sessions", Some(json!({ "productId": "unicorn" })))
                .await?,
            api.post("/api/sessions", Some(json!({ "productId": "sandwich" })))
                .await?,
            api.get("/api/sessions/no-such-reference").await?,
            api.post("/api/sessions/no-such-reference/cancel", Some(json!({})))
                .await?,
            api.get("/api/no-such-thing").await?,
        ];
        for answer in &answers {
            assert!(
                answer.status.is_client_error(),
                "refused with a 4xx: {answer:?}"
            );
            assert!(
                answer.is_problem(),
                "as application/problem+json: {answer:?}"
            );
        }
        let screen = kiosk.screen();
        assert_eq!(screen.current_screen().await?.as_deref(), Some("idle"));
        assert!(
            screen.shows("product-cola").await?,
            "the catalog is still shown"
        );
        assert_eq!(
            screen.screens_seen().await?,
            ["idle"],
            "the screen never changed"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_purchase_while_one_is_open_is_refused_and_the_screen_keeps_the_first() {
    scenario("busy", ServerOptions::default(), async |kiosk| {
        let first = kiosk.api.buy("water").await?;
        let screen = kiosk.screen();
        screen.wait_for_screen("pay").await?;
        let second = kiosk
            .api
            .post("/api/sessions", Some(json!({ "productId": "cola" })))
            .await?;
        assert_eq!(second.status.as_u16(), 409, "{second:?}");
        assert!(second.is_problem(), "{second:?}");
        assert_eq!(kiosk.current_session().await?.reference, first.reference);
        assert_eq!(screen.text_of("pay-product").await?, first.product.name);
        screen.press_cancel().await?;
        screen.wait_for_screen("cancelled").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_going_out_of_order_says_so_at_once_and_sells_again_when_repaired() {
    // The machine's status is pushed over the stream the moment it changes,
    // so the idle screen turns to out-of-service before anyone touches it.
    scenario("out_of_order", ServerOptions::default(), async |kiosk| {
        let screen = kiosk.screen();
        kiosk.api.set_out_of_order(true).await?;
        screen.wait_for_screen("out-of-service").await?;

        kiosk.api.set_out_of_order(false).await?;
        screen.wait_for_screen("idle").await?;
        kiosk.api.buy("water").await?;
        screen.wait_for_screen("pay").await?;
        screen.press_cancel().await?;
        screen.wait_for_screen("cancelled").await
    })
    .await;
}
