//! Product pictures (`[[products]] image`, from `machine.images`): which
//! files may be named, and the check at start that each named file is there
//! and small enough, so a typo is a startup error naming the product, not a
//! broken picture on a customer's screen. Without `machine.images` the demo
//! pictures built into the server are the only ones.

use super::{Config, ConfigError};
use std::path::Path;

/// The largest picture served: a tile shows it a few hundred pixels wide.
pub const MAX_BYTES: u64 = 512 * 1024;

/// The demo catalog's pictures (deploy/demo-images/), built in so the demo
/// shows them wherever the server runs from.
pub const DEMO: [(&str, &[u8]); 6] = [
    (
        "cola.svg",
        include_bytes!("../../../deploy/demo-images/cola.svg"),
    ),
    (
        "water.svg",
        include_bytes!("../../../deploy/demo-images/water.svg"),
    ),
    (
        "chocolate.svg",
        include_bytes!("../../../deploy/demo-images/chocolate.svg"),
    ),
    (
        "crisps.svg",
        include_bytes!("../../../deploy/demo-images/crisps.svg"),
    ),
    (
        "coffee.svg",
        include_bytes!("../../../deploy/demo-images/coffee.svg"),
    ),
    (
        "sandwich.svg",
        include_bytes!("../../../deploy/demo-images/sandwich.svg"),
    ),
];

/// The `Content-Type` of a picture file name, or `None` if it is not a plain
/// file name (no path, no leading dot) with an extension we serve.
pub fn content_type(name: &str) -> Option<&'static str> {
    let plain = !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let (_, ext) = name.rsplit_once('.')?;
    let kind = match ext.to_ascii_lowercase().as_str() {
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => return None,
    };
    plain.then_some(kind)
}

/// Every configured picture exists, has an allowed type and size.
pub fn check(config: &Config) -> Result<(), ConfigError> {
    for p in &config.products {
        let Some(name) = &p.image else { continue };
        let bad = |why: String| {
            Err(ConfigError::Invalid(format!(
                "product {:?}: image {name:?} {why}",
                p.id
            )))
        };
        if content_type(name).is_none() {
            return bad(
                "must be a plain file name ending in .svg, .webp, .png, .jpg or .jpeg".into(),
            );
        }
        match &config.machine.images {
            Some(dir) => check_file(&dir.join(name)).or_else(bad)?,
            None if DEMO.iter().any(|(n, _)| n == name) => {}
            None => return bad(
                "is not a demo picture, and machine.images (the pictures' directory) is not set"
                    .into(),
            ),
        }
    }
    Ok(())
}

fn check_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(format!("({}) is not a file", path.display())),
        Ok(m) if m.len() > MAX_BYTES => Err(format!(
            "({}) is {} bytes; pictures may be at most {MAX_BYTES} bytes",
            path.display(),
            m.len()
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("cannot be read ({}): {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_of_picture_types_are_served() {
        assert_eq!(content_type("cola.svg"), Some("image/svg+xml"));
        assert_eq!(content_type("Cola_2.JPG"), Some("image/jpeg"));
        for bad in [
            "../etc/passwd.png",
            "a/b.png",
            ".hidden.png",
            "cola.gif",
            "cola",
            "c%2f.png",
        ] {
            assert_eq!(content_type(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_demo_pictures_are_small() {
        for (name, bytes) in DEMO {
            assert!(content_type(name).is_some() && bytes.len() < 4096, "{name}");
        }
    }
}
