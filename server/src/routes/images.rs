//! `GET /images/{file}`: the products' pictures, from `machine.images` or the
//! built-in demo pictures. Public like the display's files (the screen
//! loads them), cached long: pictures change rarely, and a kiosk that never
//! asks again never waits for one. A new picture under a new name shows at once.

use super::extract;
use crate::config::images::{content_type, DEMO, MAX_BYTES};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{routing::get, Router};
use std::path::PathBuf;
use std::sync::Arc;

/// One week: long enough that a kiosk does not ask again all day.
const CACHE: &str = "public, max-age=604800";

pub fn router(dir: Option<PathBuf>) -> Router {
    Router::new()
        .route("/images/{file}", get(image_get))
        .with_state(Arc::new(dir))
}

async fn image_get(State(dir): State<Arc<Option<PathBuf>>>, Path(file): Path<String>) -> Response {
    let Some(kind) = content_type(&file) else {
        return extract::not_found().await.into_response();
    };
    let bytes = match dir.as_ref() {
        Some(dir) => read_small(dir.join(&file)).await,
        None => DEMO
            .iter()
            .find(|(n, _)| *n == file)
            .map(|(_, b)| b.to_vec()),
    };
    match bytes {
        Some(bytes) => (
            [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, CACHE)],
            bytes,
        )
            .into_response(),
        None => extract::not_found().await.into_response(),
    }
}

/// The file, unless it is missing or grew past the limit since the start.
async fn read_small(path: PathBuf) -> Option<Vec<u8>> {
    let meta = tokio::fs::metadata(&path).await.ok()?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    tokio::fs::read(path).await.ok()
}
