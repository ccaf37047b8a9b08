//! The "phone": what the QR opens. A self-contained page (no external assets,
//! sized for a real phone) with the merchant, product, amount and Approve /
//! Decline; and, for `IMAGE/SVG+XML`, the QR image itself.

use super::payment::Payment;
use super::state::Shared;
use super::wire::PaymentState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use qrcode::{Color, EcLevel, QrCode};
use std::sync::Arc;

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/sim/c/{token}", get(page))
        .route("/sim/qr-image/{token}", get(qr_image))
        .with_state(shared)
}

/// `3500 NOK` → `35,00 kr` (Norwegian style; EUR with `€`).
pub fn format_amount(value: i64, currency: &str) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let (whole, cents) = (value.abs() / 100, value.abs() % 100);
    let unit = if currency == "EUR" { "€" } else { "kr" };
    format!("{sign}{whole},{cents:02} {unit}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn page(State(shared): S, Path(token): Path<String>) -> Response {
    let Some(p) = shared.by_token(&token) else {
        return (
            StatusCode::NOT_FOUND,
            Html(shell("Unknown payment", "<p>This code is not valid.</p>")),
        )
            .into_response();
    };
    Html(shell(
        &shared.config.merchant_name,
        &content(&shared.config.merchant_name, &p),
    ))
    .into_response()
}

fn content(merchant: &str, p: &Payment) -> String {
    let amount = format_amount(p.value, p.currency);
    let head = format!(
        "<p class=m>{}</p><h1>{}</h1><p class=a>{}</p>",
        escape(merchant),
        escape(&p.description),
        escape(&amount)
    );
    let body = match p.state {
        PaymentState::Created => format!(
            "<div id=act><button class=ok onclick=\"act('approve')\">Approve</button>\
             <button class=no onclick=\"act('reject')\">Decline</button></div><p id=r></p>\
             <script>const ref={};{SCRIPT}</script>",
            serde_json::to_string(&p.reference)
                .unwrap_or_default()
                .replace('<', "\\u003c")
        ),
        PaymentState::Authorized => "<p id=r>Approved. Thank you!</p>".into(),
        PaymentState::Aborted => "<p id=r>Declined.</p>".into(),
        PaymentState::Expired => "<p id=r>This payment has expired.</p>".into(),
        PaymentState::Terminated => "<p id=r>Cancelled by the merchant.</p>".into(),
    };
    head + &body
}

const SCRIPT: &str = "async function act(a){document.getElementById('act').hidden=true;\
const r=document.getElementById('r');r.textContent='…';\
try{const res=await fetch('/sim/payments/'+encodeURIComponent(ref)+'/'+a,{method:'POST'});\
if(res.ok){r.textContent=a==='approve'?'Approved. Thank you!':'Declined.';}\
else{r.textContent=res.status===409?'This payment has expired or is already done.':'Something went wrong ('+res.status+').';}}\
catch(e){r.textContent='No connection. Try again.';document.getElementById('act').hidden=false;}}";

fn shell(title: &str, content: &str) -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
<meta name=viewport content=\"width=device-width,initial-scale=1\"><title>{}</title><style>\
body{{font-family:system-ui,sans-serif;margin:0;padding:24px;text-align:center;background:#fff;color:#222}}\
.m{{color:#666}}h1{{font-size:1.6em;margin:.4em 0}}.a{{font-size:2.4em;font-weight:700;margin:.3em 0 1em}}\
button{{display:block;width:100%;font-size:1.4em;padding:18px;margin:12px 0;border:0;border-radius:12px}}\
.ok{{background:#ff5b24;color:#fff}}.no{{background:#eee;color:#222}}#r{{font-size:1.3em}}\
</style></head><body>{content}</body></html>",
        escape(title)
    )
}

/// The QR image; 404 once the payment no longer waits (as Vipps's do after expiry).
/// Takes `qr-image` faults, so tests can see a machine whose QR never arrives.
async fn qr_image(State(shared): S, Path(token): Path<String>) -> Response {
    if let Some(fault) = shared.take_fault("qr-image") {
        tokio::time::sleep(fault.delay()).await;
        if let Some(r) = fault.response() {
            return r;
        }
    }
    let target = format!("{}/sim/c/{}", shared.config.public_base_url, token);
    match shared
        .by_token(&token)
        .filter(|p| p.state == PaymentState::Created)
    {
        Some(_) => match qr_svg(&target) {
            Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
            None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// One `<path>` of unit squares, with a 4-module quiet zone; level H like Vipps's.
pub fn qr_svg(data: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data, EcLevel::H).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % width + 4, i / width + 4));
        }
    }
    let size = width + 8;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" \
fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_formatted_the_norwegian_way() {
        assert_eq!(format_amount(3500, "NOK"), "35,00 kr");
        assert_eq!(format_amount(105, "EUR"), "1,05 €");
    }

    #[test]
    fn the_qr_svg_is_a_plain_svg_document() {
        // The client's own check of it runs in `epayment_contract`.
        let svg = qr_svg("http://127.0.0.1:8080/sim/c/abc").unwrap();
        assert!(svg.starts_with("<?xml") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn markup_in_descriptions_is_escaped() {
        assert_eq!(escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
