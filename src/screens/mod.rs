//! One component per screen. Screens take signals and callbacks; the App
//! wires them to the stream and the API, tests wire them to plain signals.

pub mod authorized;
pub mod connecting;
pub mod creating;
pub mod dispensing;
pub mod idle;
pub mod out_of_service;
pub mod outcome;
pub mod pay;

pub use authorized::AuthorizedScreen;
pub use connecting::ConnectingScreen;
pub use creating::CreatingScreen;
pub use dispensing::DispensingScreen;
pub use idle::IdleScreen;
pub use out_of_service::OutOfServiceScreen;
pub use outcome::OutcomeScreen;
pub use pay::PayScreen;

use vendscreen_protocol as wire;

use leptos::prelude::*;

/// The product's name in the session, or nothing before there is one.
pub(crate) fn product_name(session: Memo<Option<wire::Session>>) -> Signal<String> {
    Signal::derive(move || {
        session.with(|s| {
            s.as_ref()
                .map(|s| s.product.name.clone())
                .unwrap_or_default()
        })
    })
}
