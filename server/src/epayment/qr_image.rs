//! The `IMAGE/SVG+XML` mode: fetch the QR image Vipps renders and hand it on
//! as a `data:` URL. The display puts it in `<img src>`, where scripts never
//! run; we also refuse anything that is not plainly an SVG document, and never
//! pass the markup itself through. The image comes over https (plain http
//! only when the payment API itself is plain http, which only the simulator
//! is), and reading stops at the size limit.

use super::client::{EpaymentClient, EpaymentError};
use base64::{engine::general_purpose::STANDARD, Engine};

/// Larger than any QR image; a bound so a bad URL cannot fill our memory.
const MAX_SVG_BYTES: usize = 512 * 1024;

impl EpaymentClient {
    /// Downloads an SVG QR image; returns `data:image/svg+xml;base64,…`.
    /// The image URL needs no authentication, so no token is sent with it.
    pub async fn fetch_qr_image(&self, url: &str) -> Result<String, EpaymentError> {
        let parsed = url::Url::parse(url).map_err(|_| invalid("the QR image URL is not a URL"))?;
        let plain_api = self.settings().base_url.starts_with("http://");
        match parsed.scheme() {
            "https" => {}
            "http" if plain_api => {}
            _ => return Err(invalid("the QR image URL is not https")),
        }
        let mut response = self
            .http()
            .get(parsed)
            .timeout(self.settings().timeout)
            .send()
            .await
            .map_err(|e| EpaymentError::Unreachable(format!("QR image: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(EpaymentError::Api {
                status: status.as_u16(),
                code: None,
                title: "QR image not available".into(),
                trace_id: None,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| EpaymentError::Unreachable(format!("QR image: {e}")))?
        {
            if body.len() + chunk.len() > MAX_SVG_BYTES {
                return Err(invalid("QR image too large"));
            }
            body.extend_from_slice(&chunk);
        }
        let svg = validate_svg(&body)?;
        Ok(format!(
            "data:image/svg+xml;base64,{}",
            STANDARD.encode(svg)
        ))
    }
}

/// A QR image answer we will not show (not an error the API answered with).
fn invalid(why: &str) -> EpaymentError {
    EpaymentError::Undecodable {
        op: "QR image",
        status: 200,
        detail: why.into(),
    }
}

/// Accepts UTF-8 whose root element is `<svg`, with no scripts or foreign
/// content; prologue (`<?xml …?>`, comments, doctype) may precede it.
pub fn validate_svg(body: &[u8]) -> Result<&str, EpaymentError> {
    if body.len() > MAX_SVG_BYTES {
        return Err(invalid("QR image too large"));
    }
    let text = std::str::from_utf8(body).map_err(|_| invalid("QR image is not UTF-8 SVG"))?;
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    while rest.starts_with("<?") || rest.starts_with("<!") {
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else {
            rest.find('>').map(|i| i + 1)
        };
        let Some(end) = end else {
            return Err(invalid("QR image is not SVG"));
        };
        rest = rest[end..].trim_start();
    }
    if !rest.starts_with("<svg") {
        return Err(invalid("QR image is not SVG"));
    }
    let lower = text.to_ascii_lowercase();
    let dangerous = [
        "<script",
        "<foreignobject",
        "javascript:",
        "<iframe",
        "<!entity",
    ];
    if dangerous.iter().any(|d| lower.contains(d)) {
        return Err(invalid("QR image contains active content"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::validate_svg;

    #[test]
    fn plain_svg_with_prolog_passes() {
        let svg =
            "<?xml version=\"1.0\"?>\n<!-- qr --><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
        assert!(validate_svg(svg.as_bytes()).is_ok());
    }

    #[test]
    fn html_and_scripts_are_refused() {
        assert!(validate_svg(b"<html><svg></svg></html>").is_err());
        assert!(validate_svg(b"<svg><script>alert(1)</script></svg>").is_err());
        assert!(validate_svg(b"<svg><a href=\"javascript:x\"/></svg>").is_err());
        assert!(validate_svg(&[0xff, 0xfe]).is_err());
    }
}
