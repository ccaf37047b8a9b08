//! Test and demo controls under `/sim/`: what the customer does in the app,
//! the clock, and fault injection. Unauthenticated, like a phone would be.

use super::faults::Fault;
use super::payment::UserAction;
use super::state::Shared;
use super::{clock::rfc3339, problem::SimError};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

type S = State<Arc<Shared>>;
type Reference = Result<Path<String>, axum::extract::rejection::PathRejection>;

pub fn router(shared: Arc<Shared>) -> Router {
    phone_actions()
        .route("/sim/payments/{reference}/expire", post(expire))
        .route("/sim/clock/advance", post(clock_advance))
        .route("/sim/faults", post(faults_add).delete(faults_clear))
        .with_state(shared)
}

/// The phone page's Approve and Decline, alone (for `simulator.listen`).
pub fn phone_router(shared: Arc<Shared>) -> Router {
    phone_actions().with_state(shared)
}

fn phone_actions() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sim/payments/{reference}/approve", post(approve))
        .route("/sim/payments/{reference}/reject", post(reject))
}

/// 200 with the payment as `GET /payments/{reference}` shows it; 404 when
/// unknown; 409 when it no longer waits for the customer.
/// A reference that does not percent-decode is a 400 naming it.
fn act(shared: &Arc<Shared>, uri: &Uri, reference: Reference, action: UserAction) -> Response {
    let Ok(Path(reference)) = reference else {
        return SimError::field("reference", "Not a valid reference.").into_response_at(uri.path());
    };
    match shared.user_action(&reference, action) {
        Ok(p) => Json(super::wire::payment(&p)).into_response(),
        Err(e) => e.into_response_at(uri.path()),
    }
}

async fn approve(State(s): S, uri: Uri, r: Reference) -> Response {
    act(&s, &uri, r, UserAction::Approve)
}

async fn reject(State(s): S, uri: Uri, r: Reference) -> Response {
    act(&s, &uri, r, UserAction::Reject)
}

async fn expire(State(s): S, uri: Uri, r: Reference) -> Response {
    act(&s, &uri, r, UserAction::Expire)
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

/// `{"seconds":N}` → `{"now":"…"}`; due expiries happen (and fire) at once.
async fn clock_advance(
    State(s): S,
    body: Result<Json<Advance>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(advance)) = body else {
        return SimError::field("seconds", "A whole number of seconds is required.")
            .into_response_at("/sim/clock/advance");
    };
    // Checked: an absurd step once overflowed the clock for good.
    if let Err(why) = s.clock.try_advance(Duration::from_secs(advance.seconds)) {
        return SimError::field("seconds", why).into_response_at("/sim/clock/advance");
    }
    s.sweep();
    Json(serde_json::json!({ "now": rfc3339(s.clock.now()) })).into_response()
}

async fn faults_add(
    State(s): S,
    body: Result<Json<Fault>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match body {
        Ok(Json(fault)) => {
            s.add_fault(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => SimError::field("body", e.body_text()).into_response_at("/sim/faults"),
    }
}

async fn faults_clear(State(s): S) -> StatusCode {
    s.clear_faults();
    StatusCode::NO_CONTENT
}
