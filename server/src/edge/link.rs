//! The edge's one outbound link: `GET {hub.url}/fleet/v1/stream`, read for
//! as long as it lasts, then opened again after a backoff with the last
//! event id seen (`Last-Event-ID`), so a drop loses nothing. Every event is
//! applied to the [`super::Mirror`]; a `vend` starts the handshake.

use super::sse::{SseEvent, SseParser};
use super::Core;
use futures_util::StreamExt;
use std::sync::Arc;
use vendscreen_protocol::fleet::{event_names, FleetSnapshot, VendCommand};

/// Follows the hub's stream forever (until the edge stops).
pub async fn run(core: Arc<Core>) {
    let mut last_event_id: Option<i64> = None;
    let mut backoff = core.settings.reconnect.backoff();
    loop {
        match follow(&core, &mut last_event_id).await {
            Followed::Opened(why) => {
                tracing::warn!(reason = %why, "the link to the hub dropped; opening it again");
                backoff = core.settings.reconnect.backoff();
            }
            Followed::NotOpened(why) => {
                tracing::warn!(reason = %why, "cannot open the link to the hub");
            }
        }
        backoff.wait().await;
    }
}

enum Followed {
    /// The stream was open, then ended for this reason.
    Opened(String),
    NotOpened(String),
}

async fn follow(core: &Arc<Core>, last_event_id: &mut Option<i64>) -> Followed {
    let response = match core.hub.stream(*last_event_id).await {
        Ok(response) => response,
        Err(e) => return Followed::NotOpened(e.to_string()),
    };
    tracing::info!(resume_after = ?last_event_id, "link to the hub open");
    core.mirror.heard();
    core.spawn_heartbeat_now();
    let mut bytes = response.bytes_stream();
    let mut parser = SseParser::default();
    loop {
        // The hub pings well within the silence allowed; nothing for that
        // long is a dead link (a cut cable sends no FIN).
        let next = tokio::time::timeout(core.settings.link_silence, bytes.next()).await;
        let chunk = match next {
            Err(_) => return Followed::Opened("silent".into()),
            Ok(None) => return Followed::Opened("ended".into()),
            Ok(Some(Err(e))) => return Followed::Opened(e.without_url().to_string()),
            Ok(Some(Ok(chunk))) => chunk,
        };
        core.mirror.heard();
        for event in parser.push(&chunk) {
            if let Some(id) = event.id.as_deref().and_then(|i| i.parse().ok()) {
                *last_event_id = Some(id);
            }
            apply(core, event);
        }
    }
}

/// One event from the hub, into the mirror (or the vend handshake).
fn apply(core: &Arc<Core>, event: SseEvent) {
    let data = event.data.as_str();
    let unreadable = |e: serde_json::Error| {
        tracing::warn!(event = %event.name, error = %e, "an unreadable event from the hub");
    };
    match event.name.as_str() {
        event_names::SNAPSHOT => match serde_json::from_str::<FleetSnapshot>(data) {
            Ok(mut snapshot) => {
                let vend = snapshot.vend.take();
                core.mirror.apply_snapshot(snapshot);
                if let Some(command) = vend {
                    core.spawn_vend(command);
                }
            }
            Err(e) => unreadable(e),
        },
        event_names::SESSION => match serde_json::from_str(data) {
            Ok(session) => core.mirror.apply_session(session),
            Err(e) => unreadable(e),
        },
        event_names::MACHINE => match serde_json::from_str(data) {
            Ok(status) => core.mirror.apply_machine(status),
            Err(e) => unreadable(e),
        },
        event_names::CATALOG => match serde_json::from_str(data) {
            Ok(catalog) => core.mirror.apply_catalog(catalog),
            Err(e) => unreadable(e),
        },
        event_names::VEND => match serde_json::from_str::<VendCommand>(data) {
            Ok(command) => core.spawn_vend(command),
            Err(e) => unreadable(e),
        },
        _ => {} // `ping`, or an event this version does not know.
    }
}
