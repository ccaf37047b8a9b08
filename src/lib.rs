//! The vendscreen display: a projection of the machine's state streamed by the server.

pub fn start() {
    console_error_panic_hook::set_once();
}
