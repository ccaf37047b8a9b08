//! Timed inside the page: touch → QR in the DOM (and the next frame), and
//! approval → screen changed, both from the approve request and from the
//! moment the same SSE message reached a probe EventSource in the page.

use crate::stats::Summary;
use anyhow::{bail, Result};
use serde_json::json;
use vendscreen_e2e::{sse, Screen};

pub const PURCHASES: usize = 60;

/// A probe stream beside the app's, and an observer for the pay screen leaving.
const PROBE: &str = r#"
window.__bench = { sse: null, dom: null, armed: false };
new EventSource('/api/events').addEventListener('session', (e) => {
  const b = window.__bench, s = JSON.parse(e.data);
  if (b.armed && b.sse === null && s.state !== 'awaitingPayment' && s.state !== 'creating') b.sse = performance.now();
});
new MutationObserver(() => {
  const b = window.__bench;
  if (b.armed && b.dom === null && !document.querySelector('[data-testid="screen-pay"]')) b.dom = performance.now();
}).observe(document.body, { childList: true, subtree: true });
"#;

/// Clicks the product; resolves with [ms until the QR is in the DOM, ms until the next frame].
const TOUCH: &str = r#"
const [product, done] = [arguments[0], arguments[arguments.length - 1]];
const t0 = performance.now();
const obs = new MutationObserver(() => {
  if (!document.querySelector('[data-testid="qr"]')) return;
  obs.disconnect();
  const t1 = performance.now();
  requestAnimationFrame(() => done([t1 - t0, performance.now() - t0]));
});
obs.observe(document.body, { childList: true, subtree: true, attributes: true });
document.querySelector(`[data-testid="product-${product}"]`).click();
"#;

/// Approves from the page; resolves with [ms SSE arrival → DOM, ms request → DOM].
const APPROVE: &str = r#"
const [reference, done] = [arguments[0], arguments[arguments.length - 1]];
const b = window.__bench;
Object.assign(b, { sse: null, dom: null, armed: true });
const t0 = performance.now();
fetch(`/sim/payments/${reference}/approve`, { method: 'POST' });
const check = () => {
  if (b.dom !== null && b.sse !== null) { b.armed = false; done([b.dom - b.sse, b.dom - t0]); }
  else setTimeout(check, 2);
};
check();
"#;

#[derive(Default)]
struct Samples {
    qr_dom: Vec<f64>,
    qr_frame: Vec<f64>,
    sse_to_dom: Vec<f64>,
    approve_to_dom: Vec<f64>,
}

/// The section, and the figures the goals are checked against.
pub struct InPage {
    pub markdown: String,
    pub touch_to_qr: Summary,
    pub approval_to_screen: Summary,
}

/// `PURCHASES` purchases, each approved from the page.
pub async fn measure(screen: &Screen) -> Result<InPage> {
    screen.run(PROBE, vec![]).await?;
    let mut s = Samples::default();
    for _ in 0..PURCHASES {
        one_purchase(screen, &mut s).await?;
    }
    let markdown = format!(
        "- touch → QR in the DOM: {}\n- touch → the next animation frame after it: {}\n\
         - approval SSE message arrives → pay screen replaced: {}\n\
         - approve request sent (simulator → webhook → engine → SSE → display) → pay screen replaced: {}\n",
        Summary::of(&s.qr_dom).line("ms"),
        Summary::of(&s.qr_frame).line("ms"),
        Summary::of(&s.sse_to_dom).line("ms"),
        Summary::of(&s.approve_to_dom).line("ms"),
    );
    Ok(InPage {
        markdown,
        touch_to_qr: Summary::of(&s.qr_dom),
        approval_to_screen: Summary::of(&s.sse_to_dom),
    })
}

async fn one_purchase(screen: &Screen, s: &mut Samples) -> Result<()> {
    screen.wait_for_screen("idle").await?;
    let [dom, frame] = pair(screen.run_async(TOUCH, vec![json!("cola")]).await?)?;
    s.qr_dom.push(dom);
    s.qr_frame.push(frame);
    let snapshot = sse::snapshot(screen.base_url()).await?;
    let Some(session) = snapshot.session else {
        bail!("no session after the touch")
    };
    let [sse_to_dom, approve_to_dom] = pair(
        screen
            .run_async(APPROVE, vec![json!(session.reference)])
            .await?,
    )?;
    s.sse_to_dom.push(sse_to_dom);
    s.approve_to_dom.push(approve_to_dom);
    Ok(())
}

fn pair(value: serde_json::Value) -> Result<[f64; 2]> {
    Ok(serde_json::from_value(value)?)
}
