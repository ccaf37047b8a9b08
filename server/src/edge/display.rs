//! The display API on an edge: the same routes as a standalone machine's,
//! answered from the mirror (catalog, snapshot, stream) and relayed to the
//! hub (purchases, sessions, cancels). A purchase is refused before any
//! money is taken while the machine cannot sell.

use super::hub_client::HubError;
use super::Core;
use crate::error::AppError;
use crate::retry::RetryPolicy;
use crate::routes::DisplayApi;
use crate::session::Update;
use async_trait::async_trait;
use axum::http::StatusCode;
use axum::{extract::State, routing::get, Json, Router};
use std::sync::Arc;
use tokio::sync::broadcast;
use vendscreen_protocol::{self as wire, OutOfServiceReason};

/// The display's view of an edge.
pub struct EdgeDisplay(pub Arc<Core>);

#[async_trait]
impl DisplayApi for EdgeDisplay {
    async fn catalog(&self) -> wire::Catalog {
        self.0.mirror.catalog()
    }

    async fn start_purchase(&self, product_id: &str) -> Result<wire::Session, AppError> {
        let core = &self.0;
        let ready = core.dispenser.ready().await;
        core.mirror.set_dispenser_ready(ready);
        let status = core.mirror.status();
        if !status.in_service {
            let reason = status.reason.unwrap_or(OutOfServiceReason::Unknown);
            return Err(AppError::OutOfService(reason));
        }
        // One id per touch: a retry after a lost answer finds the same
        // purchase at the hub instead of starting a second one.
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut backoff = RetryPolicy::CALL.backoff();
        let session = loop {
            match core.hub.purchase(product_id, &request_id).await {
                Ok(session) => break session,
                Err(e) if e.is_transient() && backoff.wait().await => {
                    tracing::warn!(error = %e, "starting a purchase at the hub; trying again");
                }
                Err(e) => return Err(e.into()),
            }
        };
        core.mirror.apply_session(session.clone());
        Ok(session)
    }

    async fn session(&self, reference: &str) -> Result<wire::Session, AppError> {
        match self.0.hub.session(reference).await {
            Ok(session) => Ok(session),
            // The link is down: what the stream last said, if it is this one.
            Err(e @ HubError::Unreachable(_)) => self
                .0
                .mirror
                .session()
                .filter(|s| s.reference == reference)
                .ok_or_else(|| e.into()),
            Err(e) => Err(e.into()),
        }
    }

    async fn cancel(&self, reference: &str) -> Result<wire::Session, AppError> {
        let session = self.0.hub.cancel(reference).await?;
        self.0.mirror.apply_session(session.clone());
        Ok(session)
    }

    fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.0.mirror.subscribe()
    }

    fn last_event_id(&self) -> u64 {
        self.0.mirror.last_event_id()
    }

    async fn snapshot(&self) -> Result<wire::Snapshot, AppError> {
        Ok(self.0.mirror.snapshot())
    }
}

/// `GET /healthz` of an edge: alive; whether the hub (which pays) is
/// reachable, the journal writable, and vends that need a person.
pub fn health_router(core: Arc<Core>) -> Router {
    Router::new()
        .route("/healthz", get(health_get))
        .with_state(core)
}

async fn health_get(State(core): State<Arc<Core>>) -> (StatusCode, Json<wire::Health>) {
    use super::journal::{Sent, Stage};
    let entries = core.journal.all().await;
    let writable = entries.is_ok();
    let needs_operator = entries
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.stage == Stage::Uncertain || e.sent == Sent::Conflict)
        .map(|e| e.reference)
        .collect();
    let status = match writable {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let health = wire::Health {
        status: if writable { "ok" } else { "degraded" }.into(),
        payment_service_reachable: !core.mirror.link_silent(),
        store_writable: writable,
        needs_operator,
    };
    (status, Json(health))
}
