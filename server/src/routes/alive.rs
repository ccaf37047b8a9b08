//! `POST /api/display/alive`: the screen's page says it is alive, every few
//! seconds while it works (the display's `use_alive`). `/healthz` shows when
//! it last did, so a monitor sees a dead screen before a customer does.

use super::extract::JsonRequest;
use super::DisplayState;
use crate::telemetry::metrics;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

pub fn router() -> Router<DisplayState> {
    Router::new().route("/api/display/alive", post(display_alive))
}

/// When the screen last said it was alive (also the metrics gauge
/// `screen_last_alive_timestamp_seconds`). Shared, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ScreenAlive {
    /// Unix milliseconds of the last report; 0 until the first.
    last_ms: Arc<AtomicI64>,
}

impl ScreenAlive {
    /// The screen is alive now.
    pub fn record_now(&self) {
        let now = OffsetDateTime::now_utc();
        metrics::screen_alive(now);
        let ms = now.unix_timestamp_nanos() / 1_000_000;
        self.last_ms.store(ms as i64, Ordering::Relaxed);
    }

    /// When it last said so; `None` since start until it does.
    pub fn last(&self) -> Option<OffsetDateTime> {
        let ms = self.last_ms.load(Ordering::Relaxed);
        let nanos = i128::from(ms) * 1_000_000;
        (ms > 0).then(|| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())?
    }
}

/// JSON only, like every display POST: no cross-site form can fake a live screen.
async fn display_alive(State(state): State<DisplayState>, _json: JsonRequest) -> StatusCode {
    state.screen_alive.record_now();
    StatusCode::NO_CONTENT
}
