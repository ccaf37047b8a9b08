//! The edge's picture of its machine, kept from the hub's stream: catalog,
//! current session, the hub's view of the machine, plus what only the edge
//! knows (is its link alive, is its dispenser ready). The display's stream
//! is this picture: a snapshot of it, then each change, numbered.

use crate::session::Update;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::broadcast;
use vendscreen_protocol::fleet::FleetSnapshot;
use vendscreen_protocol::{self as wire, OutOfServiceReason};

/// The picture, and the channel its changes go out on.
pub struct Mirror {
    view: Mutex<View>,
    updates: broadcast::Sender<Update>,
    event_id: AtomicU64,
    /// Out of service once the link has been silent this long.
    silence: Duration,
    /// How long an ended session stays on screen.
    outcome_display: Duration,
}

struct View {
    catalog: wire::Catalog,
    session: Option<wire::Session>,
    /// When the session was seen to end (it leaves the snapshot later).
    ended_at: Option<Instant>,
    hub_status: Option<wire::MachineStatus>,
    last_heard: Option<Instant>,
    dispenser_ready: bool,
    /// The hub's clock minus ours, from its latest `serverTime`.
    clock_offset: time::Duration,
    /// The status last told to the display.
    shown: Option<(bool, Option<OutOfServiceReason>)>,
}

impl Mirror {
    /// Until the hub's first snapshot: `catalog` (no products), out of service.
    pub fn new(catalog: wire::Catalog, silence: Duration, outcome_display: Duration) -> Mirror {
        let (updates, _) = broadcast::channel(256);
        let view = View {
            catalog,
            session: None,
            ended_at: None,
            hub_status: None,
            last_heard: None,
            dispenser_ready: true,
            clock_offset: time::Duration::ZERO,
            shown: None,
        };
        Mirror {
            view: Mutex::new(view),
            updates,
            event_id: AtomicU64::new(1),
            silence,
            outcome_display,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.updates.subscribe()
    }

    pub fn last_event_id(&self) -> u64 {
        self.event_id.load(Ordering::SeqCst)
    }

    pub fn catalog(&self) -> wire::Catalog {
        self.view().catalog.clone()
    }

    /// The session on screen now (an ended one only while it is shown).
    pub fn session(&self) -> Option<wire::Session> {
        let view = self.view();
        let over = view
            .ended_at
            .is_some_and(|at| at.elapsed() >= self.outcome_display);
        let now = self.hub_now(&view);
        view.session.clone().filter(|_| !over).map(|mut s| {
            s.server_time = now;
            s
        })
    }

    pub fn snapshot(&self) -> wire::Snapshot {
        let session = self.session();
        let view = self.view();
        wire::Snapshot {
            machine: self.status_of(&view),
            session,
            server_time: self.hub_now(&view),
        }
    }

    pub fn status(&self) -> wire::MachineStatus {
        self.status_of(&self.view())
    }

    /// Bytes arrived on the link: it is alive.
    pub fn heard(&self) {
        self.view().last_heard = Some(Instant::now());
        self.refresh();
    }

    /// The link has been silent for `silence` when this is true.
    pub fn link_silent(&self) -> bool {
        link_silent(&self.view(), self.silence)
    }

    pub fn set_dispenser_ready(&self, ready: bool) {
        self.view().dispenser_ready = ready;
        self.refresh();
    }

    pub fn apply_snapshot(&self, snapshot: FleetSnapshot) {
        {
            let mut view = self.view();
            view.catalog = snapshot.catalog;
            view.hub_status = Some(snapshot.machine);
            set_clock(&mut view, &snapshot.server_time);
        }
        match snapshot.session {
            Some(session) => self.apply_session(session),
            None => self.view().session = None,
        }
        self.refresh();
    }

    /// The session changed (on the hub's stream, or in a relayed answer).
    pub fn apply_session(&self, session: wire::Session) {
        {
            let mut view = self.view();
            if view.session.as_ref() == Some(&session) {
                return;
            }
            set_clock(&mut view, &session.server_time);
            let same = view.session.as_ref().map(|s| &s.reference) == Some(&session.reference);
            if !(same && view.ended_at.is_some()) {
                view.ended_at = session.state.is_final().then(Instant::now);
            }
            view.session = Some(session.clone());
        }
        self.publish(|id| Update::Session(id, Box::new(session)));
    }

    pub fn apply_machine(&self, status: wire::MachineStatus) {
        let mut view = self.view();
        set_clock(&mut view, &status.server_time);
        view.hub_status = Some(status);
        drop(view);
        self.refresh();
    }

    pub fn apply_catalog(&self, catalog: wire::Catalog) {
        self.view().catalog = catalog;
    }

    /// Tells the display when the machine's status changed.
    pub fn refresh(&self) {
        let status = {
            let mut view = self.view();
            let status = self.status_of(&view);
            let key = (status.in_service, status.reason);
            if view.shown == Some(key) {
                return;
            }
            view.shown = Some(key);
            status
        };
        tracing::info!(in_service = status.in_service, reason = ?status.reason, "machine status");
        self.publish(|id| Update::Machine(id, status));
    }

    fn status_of(&self, view: &View) -> wire::MachineStatus {
        let hub = view.hub_status.as_ref();
        let reason = if link_silent(view, self.silence) {
            Some(OutOfServiceReason::HubUnreachable)
        } else if !view.dispenser_ready {
            Some(OutOfServiceReason::DispenserNotReady)
        } else {
            hub.filter(|s| !s.in_service)
                .map(|s| s.reason.unwrap_or(OutOfServiceReason::Unknown))
        };
        wire::MachineStatus {
            in_service: reason.is_none(),
            reason,
            server_time: self.hub_now(view),
        }
    }

    fn hub_now(&self, view: &View) -> String {
        crate::store::rfc3339(OffsetDateTime::now_utc() + view.clock_offset)
    }

    fn publish(&self, update: impl FnOnce(u64) -> Update) {
        let id = self.event_id.fetch_add(1, Ordering::SeqCst) + 1;
        // No subscribers is fine: nobody is watching the screen.
        let _ = self.updates.send(update(id));
    }

    fn view(&self) -> std::sync::MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn link_silent(view: &View, silence: Duration) -> bool {
    view.last_heard.is_none_or(|at| at.elapsed() >= silence)
}

/// Learns the hub's clock from a `serverTime`, so times re-sent later
/// (a snapshot's) still let the display count down right.
fn set_clock(view: &mut View, server_time: &str) {
    let format = time::format_description::well_known::Rfc3339;
    if let Ok(hub) = OffsetDateTime::parse(server_time, &format) {
        view.clock_offset = hub - OffsetDateTime::now_utc();
    }
}

#[cfg(test)]
#[path = "mirror_tests.rs"]
mod tests;
