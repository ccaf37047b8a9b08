//! Purchases that end without the customer paying, each with the screen the
//! customer must understand: declined, expired, cancelled, vend failed.

use vendscreen_e2e::wire::SessionState;
use vendscreen_e2e::{scenario, Kiosk, Phone, ServerOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_declines_in_the_app_is_told_so_and_nothing_is_charged() {
    scenario("declined", ServerOptions::default(), async |kiosk| {
        let reference = start_paying(kiosk, "water").await?;
        let (qr_text, _) = kiosk.screen().read_qr().await?;
        Phone::scan(kiosk.screen(), &qr_text)
            .await?
            .decline()
            .await?;
        kiosk.screen().wait_for_screen("rejected").await?;
        expect_not_charged(kiosk).await?;
        kiosk
            .wait_for_state(&reference, SessionState::Rejected)
            .await?;
        kiosk.screen().wait_for_screen("idle").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_nobody_pays_expires_when_ten_minutes_pass_on_the_payment_clock() {
    scenario("expired", ServerOptions::default(), async |kiosk| {
        let reference = start_paying(kiosk, "chocolate").await?;
        kiosk.api.advance_clock(601).await?;
        kiosk.screen().wait_for_screen("expired").await?;
        expect_not_charged(kiosk).await?;
        kiosk
            .wait_for_state(&reference, SessionState::Expired)
            .await?;
        kiosk.screen().wait_for_screen("idle").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_pressed_on_the_screen_ends_the_purchase_without_charge() {
    scenario("cancelled", ServerOptions::default(), async |kiosk| {
        let reference = start_paying(kiosk, "crisps").await?;
        kiosk.screen().press_cancel().await?;
        kiosk.screen().wait_for_screen("cancelled").await?;
        expect_not_charged(kiosk).await?;
        kiosk
            .wait_for_state(&reference, SessionState::Cancelled)
            .await?;
        kiosk.screen().wait_for_screen("idle").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vend_that_fails_after_approval_releases_the_money_and_says_not_charged() {
    scenario("vend_failed", ServerOptions::default(), async |kiosk| {
        kiosk.api.fail_next_vends(1).await?;
        let reference = start_paying(kiosk, "cola").await?;
        kiosk.api.approve(&reference).await?;
        kiosk.screen().wait_for_screen("vendFailed").await?;
        expect_not_charged(kiosk).await?;
        kiosk
            .wait_for_state(&reference, SessionState::VendFailed)
            .await?;
        kiosk.screen().wait_for_screen("idle").await
    })
    .await;
}

/// In English, touches `product` and waits for its QR; returns the reference.
async fn start_paying(kiosk: &Kiosk, product: &str) -> anyhow::Result<String> {
    let screen = kiosk.screen();
    screen.choose_language("en").await?;
    screen.touch_product(product).await?;
    screen.wait_for_screen("pay").await?;
    screen.wait_until_shown("qr").await?;
    Ok(kiosk.current_session().await?.reference)
}

/// The ending says, in words, that no money was taken.
async fn expect_not_charged(kiosk: &Kiosk) -> anyhow::Result<()> {
    let line = kiosk.screen().text_of("money-line").await?;
    anyhow::ensure!(
        line.contains("not been charged"),
        "the ending says {line:?}"
    );
    Ok(())
}
