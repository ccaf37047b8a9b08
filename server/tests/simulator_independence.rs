//! The simulator is a second witness of Vipps's wire, not an echo of the
//! client: no file under `src/simulator/` may name the client's module
//! (`crate::epayment`, `epayment::model`, `epayment::hmac`, …) or the
//! display's wire crate. A shared type, event name or signing function would
//! let one misspelling pass on both sides; this check fails the test command
//! the day someone reaches for one.

use std::path::{Path, PathBuf};

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Where a line names the client or the protocol crate as code. The word
/// `epayment` is allowed only as part of a URL or file path (`/epayment/v1`,
/// `src/epayment/`), where a `/` comes before it.
fn borrowings(line: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for (i, _) in line.match_indices("epayment") {
        let before = line[..i].chars().next_back();
        let after = line[i + "epayment".len()..].chars().next();
        let word = !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if word && before != Some('/') {
            found.push("the ePayment client (crate::epayment)");
        }
    }
    if line.contains("vendscreen_protocol") {
        found.push("the display's wire crate (vendscreen_protocol)");
    }
    found
}

#[test]
fn the_simulator_shares_no_code_with_the_client() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/simulator");
    let files = rust_files(&dir);
    assert!(files.len() >= 10, "found only {files:?}");
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for what in borrowings(line) {
                offences.push(format!("{}:{}: {what}: {line}", file.display(), n + 1));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the simulator must write Vipps's JSON and sign on its own:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_sees_every_way_of_naming_the_client() {
    for line in [
        "use crate::epayment::model::PaymentState;",
        "use crate::{epayment, store};",
        "let (h, a) = epayment::hmac::sign(s, u, d, b);",
        "fn f() -> Option<crate::epayment::model::PaymentDetails> {",
        "use vendscreen_protocol::Currency;",
    ] {
        assert!(!borrowings(line).is_empty(), "missed: {line}");
    }
    for line in [
        r#".route("/epayment/v1/payments", post(create))"#,
        "//! the client (`server/src/epayment/`)",
        r#"format!("epayments.payment.{}.v1", name)"#,
        "/// The ePayment API and the Access Token API",
    ] {
        assert!(borrowings(line).is_empty(), "flagged: {line}");
    }
}
