//! A JSON extractor whose rejections are problem+json, and the API's 404 and 405.

use crate::error::AppError;
use axum::extract::{FromRequest, Request};
use axum::http::Method;

/// Like `axum::Json`, but a bad body is an [`AppError::BadRequest`].
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound("no such resource".into())
}

/// A known path asked with a method it does not take. axum's own answer is an
/// empty 405; this one is problem+json like every other API error.
pub async fn method_not_allowed(method: Method) -> AppError {
    AppError::MethodNotAllowed(method.to_string())
}
