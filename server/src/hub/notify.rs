//! One PostgreSQL listener per replica, fanned out to the streams it holds,
//! machine by machine: a notification wakes only its machine's streams (a
//! replica may hold thousands). A listener whose connection died lost
//! whatever was announced meanwhile: after any error every stream re-reads
//! its outbox.

use crate::retry::RetryPolicy;
use crate::store::pg::OUTBOX_CHANNEL;
use sqlx::postgres::{PgListener, PgPool};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// The open streams' wake-ups, by machine.
#[derive(Default)]
pub struct Wakers {
    by_machine: Mutex<HashMap<String, Weak<Notify>>>,
}

impl Wakers {
    /// The wake-up of `machine`'s streams (shared by all of them); the
    /// stream holds it for as long as it is open.
    pub fn of(&self, machine: &str) -> Arc<Notify> {
        let mut map = self.by_machine.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(notify) = map.get(machine).and_then(Weak::upgrade) {
            return notify;
        }
        let notify = Arc::new(Notify::new());
        map.insert(machine.to_string(), Arc::downgrade(&notify));
        notify
    }

    fn wake(&self, machine: &str) {
        let map = self.by_machine.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(notify) = map.get(machine).and_then(Weak::upgrade) {
            notify.notify_waiters();
        }
    }

    /// After a lost connection: everyone looks again (and the map sheds the
    /// machines whose streams all closed).
    fn wake_all(&self) {
        let mut map = self.by_machine.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, weak| weak.upgrade().inspect(|n| n.notify_waiters()).is_some());
    }
}

/// Starts the listener for as long as the process runs.
pub fn spawn(pool: PgPool, wakers: Arc<Wakers>) {
    tokio::spawn(async move {
        let policy = RetryPolicy::forever(Duration::from_millis(200), Duration::from_secs(5));
        let mut backoff = policy.backoff();
        loop {
            match listen(&pool, &wakers).await {
                Ok(()) => backoff = policy.backoff(),
                Err(e) => tracing::warn!(error = %e, "outbox listener lost; re-reading"),
            }
            wakers.wake_all();
            backoff.wait().await;
        }
    });
}

async fn listen(pool: &PgPool, wakers: &Wakers) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(OUTBOX_CHANNEL).await?;
    // Announcements made before LISTEN took effect are read by the streams'
    // own look at their outbox now.
    wakers.wake_all();
    loop {
        match listener.try_recv().await? {
            Some(n) => wakers.wake(n.payload()),
            // The connection dropped and was restored: notices may be lost.
            None => return Ok(()),
        }
    }
}
