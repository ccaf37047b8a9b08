//! The vendscreen display: a projection of the machine's state streamed by the server.

pub mod countdown;
pub mod money;
pub mod qr;
pub mod screen;
