//! Sets the panic hook and mounts the display; everything else is in the library.

fn main() {}
