//! The Vipps-facing side: the ePayment / Webhooks / Access Token client, its
//! wire model and webhook HMAC verification. Knows nothing of sessions.

pub mod client;
pub mod hmac;
pub mod model;

pub use client::{EpaymentClient, EpaymentError, EpaymentSettings};
