//! A customer's Cancel is never lost (issue 12). `scripts/bench`'s loop lost
//! one press in a few hundred: the answer to a purchase's `POST /api/sessions`
//! reached the page after that purchase had been cancelled and the next one
//! had started, put the old purchase back on the pay screen, and the next
//! press cancelled the dead one. Here the page's answers to that POST are held
//! back (as a slow network or a long GC pause would) while Cancel is pressed
//! at the racy moments: the instant the QR shows, twice in a row, and while
//! the payment is still being created. Every purchase must end, at once.

use anyhow::bail;
use fantoccini::wd::TimeoutConfiguration;
use serde_json::{json, Value};
use std::time::Duration;
use vendscreen_e2e::wire::SessionState;
use vendscreen_e2e::{scenario, ServerOptions};

/// Purchases per run; each press style gets a third of them.
const PURCHASES: u64 = 90;

/// Holds back the page's answers to `POST /api/sessions` by a delay from
/// `arguments[0]` (ms, in turn), so an answer may land in a later purchase.
const SLOW_CREATE_ANSWERS: &str = r#"
const delays = arguments[0];
const real = window.fetch.bind(window);
let n = 0;
window.fetch = async (input, init) => {
  const answer = await real(input, init);
  const req = input instanceof Request ? input : new Request(input, init);
  if (req.method === 'POST' && new URL(req.url).pathname === '/api/sessions') {
    const ms = delays[n++ % delays.length];
    await new Promise((r) => setTimeout(r, ms));
  }
  return answer;
};
"#;

/// Runs `arguments[0]` purchases, pressing Cancel in turn: (0) the instant the
/// QR shows, (1) twice in a row, (2) on the "preparing" screen when it has a
/// Cancel, else as (0). Resolves with null, or what went wrong where.
const PRESSES: &str = r#"
const [n, done] = [arguments[0], arguments[arguments.length - 1]];
const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const until = (pred, what, ms) => new Promise((resolve, reject) => {
  if (pred()) return resolve();
  const timer = setTimeout(() => { o.disconnect(); reject(new Error(what)); }, ms);
  const o = new MutationObserver(() => {
    if (pred()) { clearTimeout(timer); o.disconnect(); resolve(); }
  });
  o.observe(document.body, { childList: true, subtree: true, attributes: true });
});
const press = () => q('cancel').click();
const ended = () => !q('screen-pay') && !q('screen-creating');
(async () => {
  for (let i = 0; i < n; i++) {
    await until(() => q('screen-idle') && q('product-water'), `purchase ${i}: idle`, 15000);
    q('product-water').click();
    const style = i % 3;
    if (style === 2 && q('screen-creating') && q('cancel')) {
      press();
    } else {
      await until(() => q('qr') && q('cancel'), `purchase ${i}: the QR`, 15000);
      press();
      if (style === 1) press();
    }
    // Five seconds is generous: a cancel settles in milliseconds here.
    await until(ended, `purchase ${i} (press style ${style}): still on ` +
      `${document.querySelector('[data-testid^="screen-"]')?.dataset.testid} ` +
      `5 s after Cancel`, 5000);
  }
  return null;
})().then(done, (e) => done(String(e.message || e)));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cancel_press_ends_the_purchase_even_when_answers_arrive_late() {
    // Endings give way at once, as in the benchmark: the next purchase starts
    // while the last one's answer may still be on its way.
    let options = ServerOptions {
        outcome_display_s: 0,
        dispenser_ms: 0,
        ..ServerOptions::default()
    };
    scenario("cancel_never_lost", options, async |kiosk| {
        let screen = kiosk.screen();
        let delays = json!([0, 120, 350, 700, 1100, 1600]);
        screen.run(SLOW_CREATE_ANSWERS, vec![delays]).await?;
        let patience = Duration::from_secs(PURCHASES * 6);
        let timeouts = TimeoutConfiguration::new(Some(patience), None, None);
        screen.client.update_timeouts(timeouts).await?;
        let answer = screen
            .client
            .execute_async(PRESSES, vec![json!(PURCHASES)])
            .await?;
        if let Value::String(failure) = answer {
            bail!("a Cancel was lost: {failure}");
        }
        // The last purchase is the machine's current one: cancelled, not paid.
        let last = kiosk.current_session().await;
        if let Ok(session) = last {
            if session.state != SessionState::Cancelled {
                bail!("the last purchase ended {:?}", session.state);
            }
        }
        Ok(())
    })
    .await;
}
