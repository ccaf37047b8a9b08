//! Reading a QR back from pixels, as a phone camera would, with a pure-Rust
//! decoder: the screenshot is the proof that the screen draws the right code.

use anyhow::{anyhow, Context, Result};

/// The text of the first QR code found in a PNG.
pub fn decode(png: &[u8]) -> Result<String> {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .context("the screenshot is not a PNG")?
        .to_luma8();
    let (width, height) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    let grid = grids
        .first()
        .ok_or_else(|| anyhow!("no QR code found in the image"))?;
    let (_meta, text) = grid
        .decode()
        .map_err(|e| anyhow!("the QR code does not decode: {e:?}"))?;
    Ok(text)
}
