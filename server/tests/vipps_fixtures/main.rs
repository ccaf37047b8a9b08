//! Golden fixtures of Vipps's answers (`tests/fixtures/vipps/`, written by
//! hand from the API description): the client must parse every one, and the
//! simulator must answer the same scenarios with the same shape. Two
//! witnesses held to one text, so neither can drift alone.

#[path = "../epayment_support/mod.rs"]
mod epayment_support;

mod client_parses;
mod shape;
mod simulator_matches;

/// A fixture's text.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vipps")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixture as JSON.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
