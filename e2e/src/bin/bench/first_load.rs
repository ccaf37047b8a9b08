//! First load: what a fresh kiosk fetches (per file raw / gzip / brotli) and
//! how long from navigation to the first contentful paint, over cold loads.

use crate::stats::Summary;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::io::Write;
use vendscreen_e2e::{Browser, Screen};

const COLD_LOADS: usize = 5;

/// What the page reports about its own load.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Timing {
    fcp: Option<f64>,
    dcl: f64,
    load: f64,
    files: Vec<String>,
}

/// Waits for the paint entry (it is recorded after the frame, which may be
/// later than the idle screen entering the DOM), then reports.
const TIMING: &str = r#"
const done = arguments[arguments.length - 1];
new PerformanceObserver((list, observer) => {
  const fcp = list.getEntries().find(p => p.name === 'first-contentful-paint');
  if (!fcp) return;
  observer.disconnect();
  const nav = performance.getEntriesByType('navigation')[0];
  const files = [location.href].concat(performance.getEntriesByType('resource').map(r => r.name));
  done({ fcp: fcp.startTime, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, files });
}).observe({ type: 'paint', buffered: true });
"#;

/// The section, and the figures the goals are checked against.
pub struct FirstLoad {
    pub markdown: String,
    pub brotli_total: usize,
    pub fcp: Summary,
}

/// Cold loads in fresh browsers, then the size of every file they fetched.
pub async fn measure(base_url: &str) -> Result<FirstLoad> {
    let mut fcp = Vec::new();
    let mut dcl = Vec::new();
    let mut load = Vec::new();
    let mut files = Vec::new();
    for _ in 0..COLD_LOADS {
        let browser = Browser::launch(&[]).await?;
        let screen = Screen::open(browser.client.clone(), base_url).await?;
        let timing: Timing = serde_json::from_value(screen.run_async(TIMING, vec![]).await?)?;
        fcp.push(timing.fcp.context("no first-contentful-paint entry")?);
        dcl.push(timing.dcl);
        load.push(timing.load);
        files = timing.files;
        browser.close().await?;
    }
    let (table, brotli_total) = sizes(&files).await?;
    let markdown = format!(
        "{table}\nNavigation → first contentful paint, {COLD_LOADS} cold loads (fresh profile each): {}  \n\
         DOMContentLoaded: {}; load event: {}\n",
        Summary::of(&fcp).line("ms"),
        Summary::of(&dcl).line("ms"),
        Summary::of(&load).line("ms"),
    );
    Ok(FirstLoad {
        markdown,
        brotli_total,
        fcp: Summary::of(&fcp),
    })
}

/// Whether a fetched file counts against the display's budget: the page,
/// its script, wasm and style do; the machine's data (`/api/…`), the
/// product pictures and the pay screen's pictograms are content (issue 14:
/// "pictures are content, not part of the 110,000 B first-load budget").
fn is_display(url: &str) -> bool {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.find('/').map_or("/", |i| &path[i..]);
    let content = path.starts_with("/api/")
        || path.starts_with("/images/")
        || path.starts_with("/howto/")
        || path == "/favicon.ico";
    !content
}

/// One row per fetched file, then the display's total (the budget's) and
/// everything's; and the display's brotli total.
async fn sizes(urls: &[String]) -> Result<(String, usize)> {
    let http = reqwest::Client::new();
    let mut rows = String::from(
        "| file | counts | raw (as served) | gzip -9 | brotli q11 |\n| --- | --- | ---: | ---: | ---: |\n",
    );
    let (mut display, mut all) = ([0usize; 3], [0usize; 3]);
    for url in urls {
        let body = http.get(url).send().await?.bytes().await?;
        let row = [body.len(), gzip(&body)?, brotli(&body)?];
        let name = url
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("index.html");
        let counts = if is_display(url) {
            "display"
        } else {
            "content"
        };
        rows.push_str(&format!(
            "| {name} | {counts} | {} | {} | {} |\n",
            row[0], row[1], row[2]
        ));
        for (t, r) in all.iter_mut().zip(row) {
            *t += r;
        }
        if is_display(url) {
            for (t, r) in display.iter_mut().zip(row) {
                *t += r;
            }
        }
    }
    rows.push_str(&format!(
        "| **the display (the budget)** | | **{}** | **{}** | **{}** |\n\
         | everything fetched | | {} | {} | {} |\n",
        display[0], display[1], display[2], all[0], all[1], all[2]
    ));
    Ok((rows, display[2]))
}

fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn pictures_and_data_are_content_the_page_and_its_code_are_the_display() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://h/main-1.css",
            "http://h/x_bg.wasm",
        ] {
            assert!(super::is_display(url), "{url}");
        }
        for url in [
            "http://h/api/catalog",
            "http://h/images/cola.svg",
            "http://h/howto/scan.svg",
        ] {
            assert!(!super::is_display(url), "{url}");
        }
    }
}
