//! `GET /api/events`: a snapshot on connect, then every change, as SSE.
//! Reconnecting clients (with `Last-Event-ID` or not) get a fresh snapshot,
//! which supersedes anything they missed.

use super::extract::PeerIp;
use super::{DisplayApi, DisplayState};
use crate::error::AppError;
use crate::session::Update;
use crate::telemetry::metrics;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::{extract::State, routing::get, Router};
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream, IntervalStream};
use vendscreen_protocol::event_names;

/// EventSource cannot see SSE comments, so a named `ping` lets the display's
/// watchdog tell a live stream from a dead one.
const PING_EVERY: Duration = Duration::from_secs(10);

pub fn router() -> Router<DisplayState> {
    Router::new().route("/api/events", get(events_stream))
}

async fn events_stream(
    State(state): State<DisplayState>,
    PeerIp(client): PeerIp,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    // Held by the stream: its place is given back when the stream is dropped.
    let slot = state.streams.take(client)?;
    // A screen holding its stream is alive (until the display's own
    // heartbeat says more): at connect and at every ping it is sent.
    metrics::screen_alive(time::OffsetDateTime::now_utc());
    let api = state.api;
    let mut shutdown = state.shutdown;
    // Subscribe first, then snapshot: nothing can fall between the two.
    let updates = BroadcastStream::new(api.subscribe());
    let first = snapshot_event(api.as_ref()).await?;
    let api_for_lag = api.clone();
    let changes = updates.then(move |update| {
        let api = api_for_lag.clone();
        async move {
            match update {
                Ok(Update::Session(id, session)) => json_event(event_names::SESSION, id, &*session),
                Ok(Update::Machine(id, status)) => json_event(event_names::MACHINE, id, &status),
                // Too slow to keep up: start it over from a snapshot.
                Err(BroadcastStreamRecvError::Lagged(_)) => snapshot_event(api.as_ref())
                    .await
                    .unwrap_or_else(|_| Event::default().comment("lagged")),
            }
        }
    });
    let pings = IntervalStream::new(tokio::time::interval(PING_EVERY))
        .skip(1)
        .map(move |_| {
            metrics::screen_alive(time::OffsetDateTime::now_utc());
            let now = crate::store::rfc3339(time::OffsetDateTime::now_utc());
            Event::default()
                .event("ping")
                .id(api.last_event_id().to_string())
                .data(now)
        });
    let ended = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    let stream = stream::once(async { first })
        .chain(stream::select(changes, pings))
        .take_until(ended)
        .map(move |event| {
            let _held = &slot;
            Ok(event)
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(PING_EVERY)))
}

async fn snapshot_event(api: &dyn DisplayApi) -> Result<Event, AppError> {
    let id = api.last_event_id();
    Ok(json_event(
        event_names::SNAPSHOT,
        id,
        &api.snapshot().await?,
    ))
}

fn json_event(name: &str, id: u64, data: &impl serde::Serialize) -> Event {
    let json = serde_json::to_string(data).unwrap_or_default();
    Event::default().event(name).id(id.to_string()).data(json)
}
