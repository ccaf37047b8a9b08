//! Purchases that end without the customer paying, each with the screen the
//! customer must understand: declined, expired, cancelled, vend failed; and
//! at "Vipps" itself, that nothing was captured and no reservation is left.

use serde_json::Value;
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
        expect_at_vipps(kiosk, &reference, "ABORTED", Reservation::None).await?;
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
        expect_at_vipps(kiosk, &reference, "EXPIRED", Reservation::None).await?;
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
        expect_at_vipps(kiosk, &reference, "TERMINATED", Reservation::None).await?;
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
        expect_at_vipps(kiosk, &reference, "AUTHORIZED", Reservation::Released).await?;
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
    let hold = kiosk.screen().text_of("bank-hold").await?;
    anyhow::ensure!(
        hold == "A reservation may still show in your bank for a few days. It goes away by itself.",
        "the ending explains a reservation in the bank: {hold:?}"
    );
    Ok(())
}

/// Whether the customer's money was ever reserved.
#[derive(PartialEq)]
enum Reservation {
    /// They never approved (or the QR was voided first): nothing to release.
    None,
    /// They approved: the reservation must be cancelled in full.
    Released,
}

/// At the simulated Vipps: the payment ended in `state`, no capture was ever
/// asked for, and the reservation, if there was one, was cancelled in full.
async fn expect_at_vipps(
    kiosk: &Kiosk,
    reference: &str,
    state: &str,
    reservation: Reservation,
) -> anyhow::Result<()> {
    let payment = kiosk.api.vipps_payment(reference).await?;
    let amount = |name: &str| payment["aggregate"][name]["value"].as_i64();
    anyhow::ensure!(payment["state"] == state, "at Vipps: {payment}");
    anyhow::ensure!(amount("capturedAmount") == Some(0), "captured: {payment}");
    let (authorized, cancelled) = (amount("authorizedAmount"), amount("cancelledAmount"));
    match reservation {
        Reservation::Released => anyhow::ensure!(
            authorized > Some(0) && cancelled == authorized,
            "the reservation is not released in full: {payment}"
        ),
        Reservation::None => anyhow::ensure!(authorized == Some(0), "reserved: {payment}"),
    }
    let calls = kiosk.api.vipps_money_calls(reference).await?;
    let captures: Vec<&Value> = calls
        .iter()
        .filter(|c| c["operation"] == "capture")
        .collect();
    anyhow::ensure!(
        captures.is_empty(),
        "capture calls reached Vipps: {captures:?}"
    );
    if reservation == Reservation::Released {
        let released = calls
            .iter()
            .any(|c| c["operation"] == "cancel" && c["status"] == 200);
        anyhow::ensure!(released, "no cancel was accepted: {calls:?}");
    }
    Ok(())
}
