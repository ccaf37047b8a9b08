//! `qrUrl` → SVG path data: one `<path>` of unit squares on a module grid with
//! a 4-module quiet zone, so the SVG's viewBox scales crisply to any size.
//! Pure and tested natively; the component only sets the attributes.

pub use qrcode::EcLevel;
use qrcode::{Color, QrCode};
use vendscreen_protocol as wire;

/// The quiet zone the QR spec asks for, in modules, on every side.
pub const QUIET_ZONE: usize = 4;

/// Error correction used when nobody says otherwise: M survives a scratched
/// screen protector and keeps the code small enough to scan from a step away.
pub const DEFAULT_EC: EcLevel = EcLevel::M;

/// An encoded QR, ready for `<svg viewBox="0 0 {size} {size}"><path d=…/>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSvg {
    /// Width and height in modules, quiet zone included.
    pub size: usize,
    /// Path data: one closed rectangle per horizontal run of dark modules.
    pub path: String,
}

/// Encodes `data` at error-correction level `ec`; `None` when it cannot fit
/// in a QR code at all (an absurdly long URL).
pub fn encode(data: &str, ec: EcLevel) -> Option<QrSvg> {
    let code = QrCode::with_error_correction_level(data, ec).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            // Merge a run of dark modules into one rectangle: far fewer bytes
            // than one square per module, and no hairline seams between them.
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let (px, py, run) = (start + QUIET_ZONE, y + QUIET_ZONE, x - start);
            path.push_str(&format!("M{px} {py}h{run}v1h-{run}z"));
        }
    }
    Some(QrSvg {
        size: width + 2 * QUIET_ZONE,
        path,
    })
}

/// The level the machine is configured with (`machine.qr_error_correction`,
/// sent in the catalog).
pub fn ec_level(level: wire::QrErrorCorrection) -> EcLevel {
    match level {
        wire::QrErrorCorrection::L => EcLevel::L,
        wire::QrErrorCorrection::M => EcLevel::M,
        wire::QrErrorCorrection::Q => EcLevel::Q,
        wire::QrErrorCorrection::H => EcLevel::H,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads our own path back into a grid of dark modules.
    fn rasterize(svg: &QrSvg) -> Vec<bool> {
        let mut grid = vec![false; svg.size * svg.size];
        for rect in svg.path.split('z').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, run) = (nums[0], nums[1], nums[2]);
            for dx in 0..run {
                grid[y * svg.size + x + dx] = true;
            }
        }
        grid
    }

    #[test]
    fn the_path_draws_exactly_the_codes_dark_modules() {
        let url = "https://qr.example/pay/vend-0001?token=abc";
        let svg = encode(url, EcLevel::M).unwrap();
        let code = QrCode::with_error_correction_level(url, EcLevel::M).unwrap();
        let w = code.width();
        assert_eq!(svg.size, w + 8);
        let grid = rasterize(&svg);
        let colors = code.to_colors();
        for y in 0..svg.size {
            for x in 0..svg.size {
                let inner = (QUIET_ZONE..QUIET_ZONE + w).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + w).contains(&y);
                let dark = inner && colors[(y - QUIET_ZONE) * w + x - QUIET_ZONE] == Color::Dark;
                assert_eq!(grid[y * svg.size + x], dark, "module {x},{y}");
            }
        }
    }

    #[test]
    fn the_quiet_zone_is_four_modules_of_white() {
        let svg = encode("hello", EcLevel::L).unwrap();
        // Version 1 is 21 modules; the finder pattern starts right after the zone.
        assert_eq!(svg.size, 29);
        assert!(svg.path.starts_with("M4 4h7v1h-7z"), "{}", &svg.path[..20]);
    }

    #[test]
    fn higher_error_correction_needs_more_modules() {
        let url = "https://api.vipps.no/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=eyJraWQiOiJqd3RrZXkiLCJhbGciOiJSUzI1NiJ9";
        let low = encode(url, EcLevel::L).unwrap();
        let high = encode(url, EcLevel::H).unwrap();
        assert!(high.size > low.size, "{} vs {}", high.size, low.size);
    }

    #[test]
    fn data_too_long_for_any_qr_is_none() {
        assert_eq!(encode(&"x".repeat(8_000), EcLevel::H), None);
    }

    #[test]
    fn the_machines_setting_picks_the_level() {
        assert_eq!(ec_level(wire::QrErrorCorrection::L), EcLevel::L);
        assert_eq!(ec_level(wire::QrErrorCorrection::Q), EcLevel::Q);
        assert_eq!(ec_level(wire::QrErrorCorrection::H), EcLevel::H);
        assert_eq!(ec_level(Default::default()), DEFAULT_EC);
    }
}
