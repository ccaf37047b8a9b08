//! The customer screen in Chromium, driven through its `data-testid`s: touch a
//! product, press Cancel, read which screen shows and the QR it draws.

use crate::anchored::Anchored;
use crate::qr;
use crate::wait::{self, SCREEN_TIMEOUT};
use anyhow::{Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::time::Duration;

/// Installed in the page: notes every screen that appears, so a screen shown
/// for a blink (dispensing) is seen without racing the WebDriver round trips.
/// Only the last 64: a page driven for thousands of purchases (the bench)
/// must not grow its heap with the harness's notes.
const RECORDER: &str = r#"
window.__e2e = { seen: [] };
const note = () => {
  const seen = window.__e2e.seen;
  for (const el of document.querySelectorAll('[data-testid^="screen-"]')) {
    const id = el.getAttribute('data-testid').slice('screen-'.length);
    if (seen[seen.length - 1] !== id) seen.push(id);
  }
  if (seen.length > 64) seen.splice(0, seen.length - 64);
};
new MutationObserver(note).observe(document.documentElement,
  { childList: true, subtree: true, attributes: true, attributeFilter: ['data-testid'] });
note();
"#;

/// The display's tab. Scripts and element searches go through `page`,
/// which leaves nothing behind in the page's heap (see `anchored.rs`).
#[derive(Clone)]
pub struct Screen {
    pub client: Client,
    page: Anchored,
    base_url: String,
    handle: fantoccini::wd::WindowHandle,
}

impl Screen {
    /// Opens the display and waits until it shows the product choice.
    pub async fn open(client: Client, base_url: &str) -> Result<Screen> {
        client.goto(base_url).await?;
        let handle = client.window().await?;
        let screen = Screen {
            page: Anchored::new(client.clone()),
            client,
            base_url: base_url.to_string(),
            handle,
        };
        screen.wait_for_screen("idle").await?;
        screen.page.execute(RECORDER, vec![]).await?;
        Ok(screen)
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Brings this tab to the front (after the phone was used).
    pub async fn focus(&self) -> Result<()> {
        self.client.switch_to_window(self.handle.clone()).await?;
        Ok(())
    }

    /// Touches a product tile.
    pub async fn touch_product(&self, id: &str) -> Result<()> {
        self.click(&format!("product-{id}")).await
    }

    /// Touches a language chip (`en`, `nb`, …).
    pub async fn choose_language(&self, tag: &str) -> Result<()> {
        self.click(&format!("lang-{tag}")).await
    }

    /// The text of the element with this `data-testid`.
    pub async fn text_of(&self, testid: &str) -> Result<String> {
        let css = format!("[data-testid=\"{testid}\"]");
        let found = self.first(&css).await?;
        Ok(found
            .with_context(|| format!("no `{testid}`"))?
            .text()
            .await?)
    }

    /// Touches the element with this `data-testid`.
    pub async fn touch(&self, testid: &str) -> Result<()> {
        self.click(testid).await
    }

    /// Types a slot number on the keypad (open) and presses OK, key by key.
    pub async fn type_slot(&self, slot: &str) -> Result<()> {
        let keys = slot.chars().map(|c| c.to_string()).chain(["ok".into()]);
        for k in keys {
            let css = format!("[data-k=\"{k}\"]");
            let key = self.first(&css).await?;
            key.with_context(|| format!("no key `{k}` on the keypad"))?
                .click()
                .await?;
        }
        Ok(())
    }

    /// Presses Cancel on the pay screen.
    pub async fn press_cancel(&self) -> Result<()> {
        self.click("cancel").await
    }

    /// Waits until `screen-<name>` is shown.
    pub async fn wait_for_screen(&self, name: &str) -> Result<()> {
        self.wait_for_screen_within(name, SCREEN_TIMEOUT).await
    }

    /// The same, for changes the server deliberately makes late.
    pub async fn wait_for_screen_within(&self, name: &str, timeout: Duration) -> Result<()> {
        let shown = self.current_screen().await.ok().flatten();
        let what = format!("screen `{name}` (showing {shown:?} when the wait began)");
        let css = format!("[data-testid=\"screen-{name}\"]");
        wait::until(&what, timeout, async || {
            Ok(self.exists(&css).await?.then_some(()))
        })
        .await
    }

    /// The screen shown now, without its `screen-` prefix.
    pub async fn current_screen(&self) -> Result<Option<String>> {
        let js = r#"const el = document.querySelector('[data-testid^="screen-"]');
                    return el ? el.getAttribute('data-testid').slice(7) : null;"#;
        Ok(self
            .page
            .execute(js, vec![])
            .await?
            .as_str()
            .map(String::from))
    }

    /// Every screen shown since the page was opened (or reloaded), in order.
    pub async fn screens_seen(&self) -> Result<Vec<String>> {
        let seen = self
            .page
            .execute("return window.__e2e ? window.__e2e.seen : [];", vec![])
            .await?;
        Ok(serde_json::from_value(seen)?)
    }

    /// Whether the element with this `data-testid` is in the page.
    pub async fn shows(&self, testid: &str) -> Result<bool> {
        self.exists(&format!("[data-testid=\"{testid}\"]")).await
    }

    /// The visible text of the whole page.
    pub async fn text(&self) -> Result<String> {
        let text = self
            .page
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// A PNG of the whole window.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        Ok(self.client.screenshot().await?)
    }

    /// Takes a screenshot and decodes the QR drawn in it.
    pub async fn read_qr(&self) -> Result<(String, Vec<u8>)> {
        self.wait_until_shown("qr").await?;
        let png = self.screenshot().await?;
        let text = qr::decode(&png).context("decoding the QR in a screenshot of the pay screen")?;
        Ok((text, png))
    }

    /// Waits until the element with this `data-testid` is present.
    pub async fn wait_until_shown(&self, testid: &str) -> Result<()> {
        self.wait_until_shown_within(testid, SCREEN_TIMEOUT).await
    }

    /// The same, for things the display deliberately does late.
    pub async fn wait_until_shown_within(&self, testid: &str, timeout: Duration) -> Result<()> {
        let css = format!("[data-testid=\"{testid}\"]");
        wait::until(&format!("`{testid}` to show"), timeout, async || {
            Ok(self.exists(&css).await?.then_some(()))
        })
        .await
    }

    /// Waits until the element with this `data-testid` is gone.
    pub async fn wait_until_gone(&self, testid: &str) -> Result<()> {
        self.wait_until_gone_within(testid, SCREEN_TIMEOUT).await
    }

    /// The same, for things the display deliberately does late.
    pub async fn wait_until_gone_within(&self, testid: &str, timeout: Duration) -> Result<()> {
        let css = format!("[data-testid=\"{testid}\"]");
        wait::until(&format!("`{testid}` to go"), timeout, async || {
            Ok((!self.exists(&css).await?).then_some(()))
        })
        .await
    }

    /// Runs `script` in the page (for the benchmark's in-page timers).
    /// Scripts read their own arguments from the front (`arguments[0]`):
    /// the page adds one of its own after them.
    pub async fn run(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.page.execute(script, args).await
    }

    /// The same for an asynchronous script, whose callback stays the last argument.
    pub async fn run_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.page.execute_async(script, args).await
    }

    /// Presses the element with this `data-testid`, once it is there.
    async fn click(&self, testid: &str) -> Result<()> {
        let css = format!("[data-testid=\"{testid}\"]");
        let element: Result<Element> =
            wait::until(&format!("`{testid}`"), SCREEN_TIMEOUT, async || {
                self.first(&css).await
            })
            .await;
        element
            .with_context(|| format!("no `{testid}` to press"))?
            .click()
            .await?;
        Ok(())
    }

    /// The first element matching `css`, if any.
    async fn first(&self, css: &str) -> Result<Option<Element>> {
        Ok(self
            .page
            .find_all(Locator::Css(css))
            .await?
            .into_iter()
            .next())
    }

    async fn exists(&self, css: &str) -> Result<bool> {
        Ok(!self.page.find_all(Locator::Css(css)).await?.is_empty())
    }
}
