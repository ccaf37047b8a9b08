//! What the display API asks of whoever answers it: a standalone machine's
//! own engine, or a fleet edge relaying to its hub. The display's routes call
//! only this trait, so both roles serve the same API and the same stream.

use super::StreamSlots;
use crate::error::AppError;
use crate::session::{Engine, Update};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};
use vendscreen_protocol as wire;

/// The machine as its display sees it.
#[async_trait]
pub trait DisplayApi: Send + Sync + 'static {
    /// The machine and what it sells.
    async fn catalog(&self) -> wire::Catalog;
    /// Starts a purchase (201 with the session) or says why not.
    async fn start_purchase(&self, product_id: &str) -> Result<wire::Session, AppError>;
    async fn session(&self, reference: &str) -> Result<wire::Session, AppError>;
    /// The customer gave up at the machine.
    async fn cancel(&self, reference: &str) -> Result<wire::Session, AppError>;
    /// Changes from now on; pair with a snapshot taken after subscribing.
    fn subscribe(&self) -> broadcast::Receiver<Update>;
    /// The id of the latest update sent (SSE `id:` of a snapshot).
    fn last_event_id(&self) -> u64;
    /// What the screen should show right now.
    async fn snapshot(&self) -> Result<wire::Snapshot, AppError>;
}

/// What the display's routes reach.
#[derive(Clone)]
pub struct DisplayState {
    pub api: Arc<dyn DisplayApi>,
    /// Turns true at shutdown, so endless SSE streams end.
    pub shutdown: watch::Receiver<bool>,
    /// The open `/api/events` streams, capped per client and in total.
    pub streams: StreamSlots,
}

/// A standalone machine: its own engine and its configured catalog.
pub struct EngineDisplay {
    pub engine: Engine,
    pub catalog: Arc<wire::Catalog>,
}

#[async_trait]
impl DisplayApi for EngineDisplay {
    async fn catalog(&self) -> wire::Catalog {
        self.catalog.as_ref().clone()
    }

    async fn start_purchase(&self, product_id: &str) -> Result<wire::Session, AppError> {
        Ok(self.engine.start_purchase(product_id).await?)
    }

    async fn session(&self, reference: &str) -> Result<wire::Session, AppError> {
        Ok(self.engine.session(reference).await?)
    }

    async fn cancel(&self, reference: &str) -> Result<wire::Session, AppError> {
        Ok(self.engine.cancel(reference).await?)
    }

    fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.engine.subscribe()
    }

    fn last_event_id(&self) -> u64 {
        self.engine.last_event_id()
    }

    async fn snapshot(&self) -> Result<wire::Snapshot, AppError> {
        Ok(self.engine.snapshot().await?)
    }
}
