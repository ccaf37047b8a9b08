//! The customer's phone: the simulator's payment page at the QR's URL, opened
//! in a second tab of the same browser, with its Approve and Decline buttons.

use crate::screen::Screen;
use crate::wait::{self, SCREEN_TIMEOUT};
use anyhow::{bail, Result};
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, Locator};

/// The phone page in its own tab. Every action brings the screen's tab back
/// to the front afterwards, so the screen's helpers can assume it is shown.
pub struct Phone {
    client: Client,
    handle: WindowHandle,
    screen: Screen,
}

impl Phone {
    /// "Scans" the QR: opens `url` in a new tab.
    pub async fn scan(screen: &Screen, url: &str) -> Result<Phone> {
        let client = screen.client.clone();
        let window = client.new_window(true).await?;
        let phone = Phone {
            client,
            handle: window.handle,
            screen: screen.clone(),
        };
        phone.focus().await?;
        phone.client.goto(url).await?;
        phone.screen.focus().await?;
        Ok(phone)
    }

    /// Presses Approve and waits until the app says so.
    pub async fn approve(&self) -> Result<()> {
        self.press("button.ok", "Approved").await
    }

    /// Presses Decline and waits until the app says so.
    pub async fn decline(&self) -> Result<()> {
        self.press("button.no", "Declined").await
    }

    /// The phone page's text (for artifacts and assertions).
    pub async fn text(&self) -> Result<String> {
        self.focus().await?;
        let text = self.client.find(Locator::Css("body")).await?.text().await;
        self.screen.focus().await?;
        Ok(text?)
    }

    async fn press(&self, button: &str, answer: &str) -> Result<()> {
        self.focus().await?;
        let result = self.press_here(button, answer).await;
        self.screen.focus().await?;
        result
    }

    async fn press_here(&self, button: &str, answer: &str) -> Result<()> {
        self.client
            .find(Locator::Css(button))
            .await?
            .click()
            .await?;
        let said = wait::until("the phone to answer", SCREEN_TIMEOUT, async || {
            let text = self.client.find(Locator::Css("#r")).await?.text().await?;
            Ok((!text.is_empty() && text != "…").then_some(text))
        })
        .await?;
        if !said.starts_with(answer) {
            bail!("the phone said {said:?}, not {answer:?}");
        }
        Ok(())
    }

    async fn focus(&self) -> Result<()> {
        self.client.switch_to_window(self.handle.clone()).await?;
        Ok(())
    }
}
