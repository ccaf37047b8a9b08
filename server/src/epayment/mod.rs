//! The Vipps-facing side: the ePayment / Webhooks / Access Token client, its
//! wire model and webhook HMAC verification. Knows nothing of sessions.

pub mod client;
pub mod hmac;
pub mod model;
mod operations;
mod qr_image;
mod token;
mod transport;

pub use crate::retry::RetryPolicy;
pub use client::{
    CreatePayment, EpaymentClient, EpaymentError, EpaymentSettings, OrderLine, QrFormat,
};
pub use qr_image::validate_svg;
