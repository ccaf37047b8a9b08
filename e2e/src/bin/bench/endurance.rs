//! 1,000 purchases in one page without a reload (touch → QR → Cancel → idle,
//! all inside the page): JS heap, wasm memory and DOM nodes before and after.

use anyhow::{bail, Result};
use serde::Deserialize;
use serde_json::json;
use vendscreen_e2e::Screen;

pub const PURCHASES: usize = 1_000;
const BATCH: usize = 100;

/// Runs `n` purchases; resolves with the touch → QR times, or an error text.
pub const CYCLES: &str = r#"
const [n, done] = [arguments[0], arguments[arguments.length - 1]];
const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const until = (pred, what) => new Promise((resolve, reject) => {
  if (pred()) return resolve(performance.now());
  const timer = setTimeout(() => { o.disconnect(); reject(new Error('timed out: ' + what)); }, 15000);
  const o = new MutationObserver(() => {
    if (pred()) { clearTimeout(timer); o.disconnect(); resolve(performance.now()); }
  });
  o.observe(document.body, { childList: true, subtree: true, attributes: true });
});
(async () => {
  const samples = [];
  for (let i = 0; i < n; i++) {
    await until(() => q('screen-idle') && q('product-water'), 'idle');
    const t0 = performance.now();
    q('product-water').click();
    samples.push(await until(() => q('qr'), 'the QR') - t0);
    await until(() => q('cancel'), 'cancel');
    q('cancel').click();
    await until(() => !q('screen-pay'), 'the pay screen to go');
  }
  return samples;
})().then(done, (e) => done(String(e)));
"#;

const MEASURE: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  if (window.gc) { gc(); gc(); }
  const wasm = await window.wasmBindings.default();
  done({ heap: performance.memory.usedJSHeapSize, wasm: wasm.memory.buffer.byteLength,
         nodes: document.getElementsByTagName('*').length });
})();
"#;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Memory {
    pub heap: u64,
    pub wasm: u64,
    pub nodes: u64,
}

/// The section, the memory at start and end, and every touch → QR time.
pub struct Endurance {
    pub markdown: String,
    pub start: Memory,
    pub end: Memory,
    pub touch_to_qr: Vec<f64>,
}

/// A row every `BATCH` purchases.
pub async fn measure(screen: &Screen) -> Result<Endurance> {
    let mut rows = String::from("| purchases | JS heap (after GC) | wasm memory | DOM nodes |\n| ---: | ---: | ---: | ---: |\n");
    let mut touch_to_qr = Vec::new();
    screen.wait_for_screen("idle").await?;
    let start = memory(screen).await?;
    let mut end = start;
    rows.push_str(&row(0, &start));
    for done in (BATCH..=PURCHASES).step_by(BATCH) {
        let answer = screen.run_async(CYCLES, vec![json!(BATCH)]).await?;
        match answer {
            serde_json::Value::Array(_) => {
                touch_to_qr.extend(serde_json::from_value::<Vec<f64>>(answer)?)
            }
            other => bail!("after {} purchases: {other}", done - BATCH),
        }
        screen.wait_for_screen("idle").await?;
        end = memory(screen).await?;
        eprintln!("[bench]   {done} purchases: {end:?}");
        rows.push_str(&row(done, &end));
    }
    Ok(Endurance {
        markdown: rows,
        start,
        end,
        touch_to_qr,
    })
}

pub async fn memory(screen: &Screen) -> Result<Memory> {
    Ok(serde_json::from_value(
        screen.run_async(MEASURE, vec![]).await?,
    )?)
}

pub fn row(purchases: usize, m: &Memory) -> String {
    let kib = |b: u64| format!("{:.0} KiB", b as f64 / 1024.0);
    format!(
        "| {purchases} | {} | {} | {} |\n",
        kib(m.heap),
        kib(m.wasm),
        m.nodes
    )
}
