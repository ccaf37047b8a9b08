//! `POST /sim/dispenser`: controls for the simulated dispenser (demo and tests):
//! `{"failNext": 1}` makes the next vend fail, `{"outOfOrder": true}` takes the
//! machine out of service. Only mounted when the dispenser is simulated and
//! the simulator runs (no credentials): it is as unauthenticated as `/sim/`.

use super::extract::ApiJson;
use crate::dispenser::SimulatedDispenser;
use crate::session::Engine;
use axum::http::StatusCode;
use axum::{extract::State, routing::post, Router};

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Control {
    fail_next: Option<u32>,
    out_of_order: Option<bool>,
}

pub fn router(dispenser: SimulatedDispenser, engine: Engine) -> Router {
    Router::new()
        .route("/sim/dispenser", post(dispenser_control))
        .method_not_allowed_fallback(super::extract::method_not_allowed)
        .with_state((dispenser, engine))
}

async fn dispenser_control(
    State((d, engine)): State<(SimulatedDispenser, Engine)>,
    ApiJson(c): ApiJson<Control>,
) -> StatusCode {
    if let Some(n) = c.fail_next {
        d.fail_next(n);
    }
    if let Some(out) = c.out_of_order {
        d.set_out_of_order(out);
        // Tell the screens now, as a real machine controller's status would.
        engine.check_health().await;
    }
    StatusCode::NO_CONTENT
}
