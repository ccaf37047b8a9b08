//! Purchases that end with the customer paying: the happy path, with the QR
//! read back from the pixels, and the race of Cancel against an approval.

use vendscreen_e2e::wire::SessionState;
use vendscreen_e2e::{scenario, Phone, ServerOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_scans_the_qr_and_approves_gets_the_product_and_the_screen_returns_to_idle()
{
    scenario("happy_path", ServerOptions::default(), async |kiosk| {
        let screen = kiosk.screen();
        screen.touch_product("cola").await?;
        screen.wait_for_screen("pay").await?;
        let (qr_text, _png) = screen.read_qr().await?;
        let session = kiosk.current_session().await?;
        assert_eq!(
            Some(&qr_text),
            session.qr_url.as_ref(),
            "the QR encodes the session's qrUrl"
        );

        let phone = Phone::scan(screen, &qr_text).await?;
        phone.approve().await?;
        screen.wait_for_screen("completed").await?;
        let reference = screen.text_of("reference").await?;
        assert!(
            reference.ends_with(&session.reference),
            "a paid purchase shows its reference, for a complaint to name: {reference:?}"
        );
        kiosk
            .wait_for_state(&session.reference, SessionState::Completed)
            .await?;
        screen.wait_for_screen("idle").await?;

        let seen = screen.screens_seen().await?;
        let order = ["pay", "dispensing", "completed", "idle"];
        assert!(
            in_order(&seen, &order),
            "screens {seen:?} should pass through {order:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_pressed_while_the_customer_approves_ends_in_a_paid_vend() {
    // Polling only, and late: the server learns of the approval solely from
    // the answer to its cancel, which is the race this test is about.
    let options = ServerOptions {
        webhook_enabled: false,
        poll_first_ms: 120_000,
        ..ServerOptions::default()
    };
    scenario("cancel_race", options, async |kiosk| {
        let screen = kiosk.screen();
        screen.touch_product("coffee").await?;
        screen.wait_for_screen("pay").await?;
        let session = kiosk.current_session().await?;

        kiosk.api.approve(&session.reference).await?;
        screen.press_cancel().await?;
        screen.wait_for_screen("completed").await?;
        kiosk
            .wait_for_state(&session.reference, SessionState::Completed)
            .await?;
        let seen = screen.screens_seen().await?;
        assert!(
            !seen.iter().any(|s| s == "cancelled"),
            "never claimed a cancel: {seen:?}"
        );
        Ok(())
    })
    .await;
}

/// Whether `wanted` occurs in `seen` in this order (other screens between).
fn in_order(seen: &[String], wanted: &[&str]) -> bool {
    let mut rest = seen.iter();
    wanted.iter().all(|w| rest.any(|s| s == w))
}
