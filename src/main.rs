//! Sets the panic hook and mounts the display; everything else is in the library.

fn main() {
    vendscreen::panic::install();
    leptos::mount::mount_to_body(vendscreen::App);
}
