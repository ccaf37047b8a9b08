//! Pieces the screens share. Each takes signals, never touches the network.

pub mod alert;
pub mod announcer;
pub mod banner;
pub mod cancel_button;
pub mod countdown;
pub mod keypad;
pub mod language_chips;
pub mod message;
pub mod notice;
pub mod payment_qr;
pub mod picture;

pub use alert::Alert;
pub use announcer::Announcer;
pub use banner::ConnectionBanner;
pub use cancel_button::CancelButton;
pub use countdown::Countdown;
pub use language_chips::LanguageChips;
pub use message::{Line, Message};
pub use notice::NoticeBar;
pub use payment_qr::PaymentQr;
pub use picture::picture;
