//! `GET /fleet/v1/stream`: a machine's snapshot, then its outbox, row by row,
//! each with its sequence as `id:`; `Last-Event-ID` resumes after a drop.
//! A notification only wakes the stream: it always reads the outbox itself,
//! so one lost (a listener that reconnected) costs at most a little delay.

use super::auth::MachineAuth;
use super::HubState;
use crate::error::AppError;
use crate::session::Engine;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};
use tokio_stream::wrappers::ReceiverStream;
use vendscreen_protocol::fleet::event_names;

/// Outbox rows read at a time.
const PAGE: i64 = 100;

pub async fn stream_open(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let resume: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    // Take the wake-up first, then the snapshot: nothing falls between.
    let woken = state.wakers.of(&machine);
    state.engine.heartbeat(&machine, None).await?;
    let (head, snapshot) = state.engine.fleet_snapshot(&machine).await?;
    let first = Event::default()
        .event(event_names::SNAPSHOT)
        .id(head.to_string())
        .data(serde_json::to_string(&snapshot).unwrap_or_default());
    let (tx, rx) = mpsc::channel(32);
    let _ = tx.send(Ok(first)).await;
    // Rows the edge missed are sent again (they describe what is current),
    // so that no vend command is ever lost in a drop.
    let after = resume.map_or(head, |r| r.min(head));
    let ping_every = state.ping_every;
    let follow = Follow {
        ping_every,
        engine: state.engine.clone(),
        machine,
        after,
        tx,
    };
    tokio::spawn(follow.run(woken, state.shutdown.clone()));
    Ok(Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::new().interval(ping_every)))
}

/// Resolves once the server shuts down.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopping| *stopping).await.map(drop);
}

/// One open stream's reader of its machine's outbox.
struct Follow {
    ping_every: Duration,
    engine: Engine,
    machine: String,
    after: i64,
    tx: mpsc::Sender<Result<Event, Infallible>>,
}

impl Follow {
    async fn run(mut self, woken: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        loop {
            // Armed before the outbox is read: a wake-up meanwhile is kept.
            let wake = woken.notified();
            tokio::pin!(wake);
            wake.as_mut().enable();
            if self.send_new().await.is_err() {
                return; // The edge went away.
            }
            tokio::select! {
                _ = wake => {}
                _ = tokio::time::sleep(self.ping_every) => {
                    if self.ping().await.is_err() { return; }
                }
                _ = stopped(&mut shutdown) => return,
            }
        }
    }

    /// Sends every outbox row after the last one sent.
    async fn send_new(&mut self) -> Result<(), ()> {
        loop {
            let store = self.engine.outbox(&self.machine, self.after, PAGE).await;
            let rows = match store {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(machine = %self.machine, error = %e, "cannot read the outbox");
                    return Ok(());
                }
            };
            let more = rows.len() as i64 == PAGE;
            for row in rows {
                match self.engine.fleet_event(&self.machine, &row).await {
                    Ok((name, data)) => {
                        let event = Event::default()
                            .event(name)
                            .id(row.seq.to_string())
                            .data(data.to_string());
                        self.tx.send(Ok(event)).await.map_err(drop)?;
                    }
                    Err(e) => {
                        tracing::warn!(machine = %self.machine, seq = row.seq, error = %e, "outbox row skipped")
                    }
                }
                self.after = row.seq;
            }
            if !more {
                return Ok(());
            }
        }
    }

    async fn ping(&self) -> Result<(), ()> {
        let now = crate::store::rfc3339(time::OffsetDateTime::now_utc());
        let ping = Event::default().event("ping").data(now);
        self.tx.send(Ok(ping)).await.map_err(drop)
    }
}
