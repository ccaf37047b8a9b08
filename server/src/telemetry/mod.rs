//! What the server tells its operators: tracing on stdout (the journal, under
//! systemd), as text or, with `VENDSCREEN_LOG_FORMAT=json`, as one JSON object
//! per line; and the Prometheus series of [`metrics`].

pub mod metrics;

/// The span a purchase's work runs in: every line logged inside it carries
/// the purchase's reference and its machine's posId (in JSON, under `span`),
/// so a complaint's reference finds its whole story in a fleet's logs.
pub fn purchase_span(reference: &str, pos_id: &str) -> tracing::Span {
    tracing::info_span!("purchase", reference, posId = pos_id)
}

/// The log line format chosen by `VENDSCREEN_LOG_FORMAT` (`json`, else text).
pub fn json_requested() -> bool {
    std::env::var("VENDSCREEN_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"))
}

/// Filtered by `RUST_LOG` (default: info for our crates). In JSON each line
/// carries the fields of the spans it was written in (a purchase's
/// `reference` and `posId`), flattened beside the event's own.
pub fn init() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("vendscreen_server=info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json_requested() {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}
