//! One PostgreSQL listener per replica, fanned out to its open streams. A
//! listener whose connection died lost whatever was announced meanwhile:
//! after any error it tells every stream to read its outbox again.

use crate::retry::RetryPolicy;
use crate::store::pg::OUTBOX_CHANNEL;
use sqlx::postgres::{PgListener, PgPool};
use std::time::Duration;
use tokio::sync::broadcast;

/// What the listener tells the streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The machine's outbox grew.
    Machine(String),
    /// Anything may have grown (the listener reconnected).
    Everyone,
}

/// Starts the listener; its notices go to `tx` for as long as the process runs.
pub fn spawn(pool: PgPool, tx: broadcast::Sender<Notice>) {
    tokio::spawn(async move {
        let policy = RetryPolicy::forever(Duration::from_millis(200), Duration::from_secs(5));
        let mut backoff = policy.backoff();
        loop {
            match listen(&pool, &tx).await {
                Ok(()) => backoff = policy.backoff(),
                Err(e) => tracing::warn!(error = %e, "outbox listener lost; re-reading"),
            }
            let _ = tx.send(Notice::Everyone);
            backoff.wait().await;
        }
    });
}

async fn listen(pool: &PgPool, tx: &broadcast::Sender<Notice>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(OUTBOX_CHANNEL).await?;
    // Announcements made before LISTEN took effect are read by the streams'
    // own first look at their outbox.
    let _ = tx.send(Notice::Everyone);
    loop {
        match listener.try_recv().await? {
            Some(n) => {
                let _ = tx.send(Notice::Machine(n.payload().to_string()));
            }
            // The connection dropped and was restored: notices may be lost.
            None => return Ok(()),
        }
    }
}
