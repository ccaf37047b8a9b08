//! WebDriver calls that leave nothing behind in the page's JS heap.
//!
//! chromedriver (seen in 156) runs every script and every element search as
//! `Runtime.callFunctionOn` with deep serialization but without
//! `returnByValue`, so V8 binds each result to a DevTools remote object. When
//! the call's arguments hold an element, chromedriver names an object group
//! and releases it after the call; when they hold none (`execute` without
//! elements, `find_all` from the document) it names no group, and the result,
//! with every element it returned, stays in the page until the page goes. A
//! heap snapshot shows them under `(Global handles)` as "DevTools console".
//! So each call here carries the page's root element: one leaked lookup per
//! page load instead of one per call (issue 12: a page driven for 1,000
//! purchases otherwise grows its heap by the harness's own results).

use anyhow::Result;
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// A client whose calls carry an element of the current page.
#[derive(Clone)]
pub struct Anchored {
    client: Client,
    /// The current page's root element; looked up again after a reload.
    root: Arc<Mutex<Option<Element>>>,
}

impl Anchored {
    pub fn new(client: Client) -> Anchored {
        Anchored {
            client,
            root: Arc::default(),
        }
    }

    /// `executeScript`; the root element is an extra last argument.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.with_root(async |root| self.client.execute(script, with_root(&args, root)).await)
            .await
    }

    /// `executeAsyncScript`; the callback is still the last argument (the root
    /// element comes just before it).
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.with_root(async |root| {
            self.client
                .execute_async(script, with_root(&args, root))
                .await
        })
        .await
    }

    /// The elements matching `locator`, searched from the root element.
    pub async fn find_all(&self, locator: Locator<'_>) -> Result<Vec<Element>> {
        self.with_root(async |root| root.find_all(locator).await)
            .await
    }

    /// Runs `call` with the root element, looking it up again once if the
    /// page was reloaded since (the old one is then stale).
    async fn with_root<T>(&self, call: impl AsyncFn(&Element) -> Result<T, CmdError>) -> Result<T> {
        let root = self.root(false).await?;
        match call(&root).await {
            Err(e) if e.is_stale_element_reference() || e.is_no_such_element() => {
                Ok(call(&self.root(true).await?).await?)
            }
            other => Ok(other?),
        }
    }

    async fn root(&self, renew: bool) -> Result<Element> {
        if let (false, Some(root)) = (renew, self.root.lock().unwrap().clone()) {
            return Ok(root);
        }
        // The one lookup that carries no element (so it is never released).
        let root = self.client.find(Locator::Css(":root")).await?;
        *self.root.lock().unwrap() = Some(root.clone());
        Ok(root)
    }
}

fn with_root(args: &[Value], root: &Element) -> Vec<Value> {
    let mut args = args.to_vec();
    args.push(serde_json::to_value(root).unwrap_or(Value::Null));
    args
}
