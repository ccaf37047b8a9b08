//! Validation of request bodies, field by field, so a 400 names the field the
//! way Vipps's `extraDetails` does. Bodies are read as loose JSON on purpose:
//! a typed parse would turn every mistake into one opaque error.

use super::problem::SimError;
use super::wire;
use serde_json::Value;

/// An `Amount` that passed its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub currency: &'static str,
    pub value: i64,
}

/// A create request that passed every check.
#[derive(Debug, Clone)]
pub struct ValidCreate {
    pub reference: String,
    pub amount: Money,
    pub description: String,
    /// `TEXT/TARGETURL` or `IMAGE/SVG+XML`.
    pub qr_format: String,
}

pub fn json(body: &[u8]) -> Result<Value, SimError> {
    if body.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| SimError::field("body", format!("The request body is not valid JSON: {e}")))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// `^[a-zA-Z0-9-]{8,64}$`, without pulling in a regex engine.
pub fn reference_ok(r: &str) -> bool {
    (8..=64).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `{currency, value}` at `field`, with the currency's business minimum.
pub fn amount(v: &Value, field: &str, minimum: bool) -> Result<Money, SimError> {
    let Some(obj) = v.get(field).filter(|a| a.is_object()) else {
        return Err(SimError::field(
            field,
            format!("The {field} field is required."),
        ));
    };
    let Some(currency) = obj
        .get("currency")
        .and_then(Value::as_str)
        .and_then(wire::currency)
    else {
        return Err(SimError::field(
            &format!("{field}.currency"),
            "Currency must be one of NOK, DKK, EUR.",
        ));
    };
    let Some(value) = obj.get("value").and_then(Value::as_i64) else {
        return Err(SimError::domain("4040", "Invalid amount"));
    };
    if !(0..=65_000_000).contains(&value) {
        return Err(SimError::field(
            &format!("{field}.value"),
            "The value must be between 0 and 65000000.",
        ));
    }
    let least = if currency == "NOK" { 100 } else { 1 };
    if minimum && value < least || !minimum && value < 1 {
        return Err(SimError::domain("6010", "Amount too small"));
    }
    Ok(Money { currency, value })
}

/// Every rule of `POST /epayment/v1/payments` the simulator knows.
pub fn create(v: &Value) -> Result<ValidCreate, SimError> {
    let reference = str_at(v, "/reference").unwrap_or_default();
    if !reference_ok(reference) {
        return Err(SimError::field(
            "reference",
            "The field Reference must match the regular expression '^[a-zA-Z0-9-]{8,64}$'.",
        ));
    }
    let amount = amount(v, "amount", true)?;
    match str_at(v, "/paymentMethod/type") {
        Some("WALLET") => {}
        Some("CARD") => return Err(SimError::domain("4160", "Invalid payment method type")),
        _ => {
            return Err(SimError::field(
                "paymentMethod.type",
                "Must be WALLET or CARD.",
            ))
        }
    }
    match str_at(v, "/userFlow") {
        Some("QR") => {}
        Some("PUSH_MESSAGE" | "NATIVE_REDIRECT" | "WEB_REDIRECT") => {
            return Err(SimError::field(
                "userFlow",
                "The simulator implements only the QR flow.",
            ))
        }
        _ => {
            return Err(SimError::field(
                "userFlow",
                "Must be PUSH_MESSAGE, NATIVE_REDIRECT, WEB_REDIRECT or QR.",
            ))
        }
    }
    match v.get("customerInteraction").map(|c| c.as_str()) {
        None | Some(Some("CUSTOMER_PRESENT" | "CUSTOMER_NOT_PRESENT")) => {}
        _ => {
            return Err(SimError::field(
                "customerInteraction",
                "Must be CUSTOMER_PRESENT or CUSTOMER_NOT_PRESENT.",
            ))
        }
    }
    let description = str_at(v, "/paymentDescription")
        .unwrap_or_default()
        .to_string();
    if v.get("paymentDescription").is_some() && !(3..=100).contains(&description.chars().count()) {
        return Err(SimError::field(
            "paymentDescription",
            "Must be 3 to 100 characters.",
        ));
    }
    let qr_format = qr_format(v)?;
    if let Some(receipt) = v.get("receipt") {
        self::receipt(receipt, &amount)?;
    }
    Ok(ValidCreate {
        reference: reference.into(),
        amount,
        description,
        qr_format,
    })
}

fn qr_format(v: &Value) -> Result<String, SimError> {
    let Some(q) = v.get("qrFormat") else {
        return Ok("IMAGE/SVG+XML".into());
    };
    match q.get("format").and_then(Value::as_str) {
        Some(f @ ("TEXT/TARGETURL" | "IMAGE/SVG+XML")) => Ok(f.into()),
        Some("IMAGE/PNG") => Err(SimError::field(
            "qrFormat.format",
            "The simulator does not render PNG.",
        )),
        _ => Err(SimError::field(
            "qrFormat.format",
            "Must be TEXT/TARGETURL, IMAGE/SVG+XML or IMAGE/PNG.",
        )),
    }
}

/// Order lines (≥ 1, every required field, a tax rate) and `bottomLine.currency`.
/// Stricter than Vipps on one point: the lines must add up to the amount.
fn receipt(r: &Value, amount: &Money) -> Result<(), SimError> {
    let lines = r
        .get("orderLines")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty());
    let Some(lines) = lines else {
        return Err(SimError::field(
            "receipt.orderLines",
            "At least one order line is required.",
        ));
    };
    let mut sum = 0i64;
    for (i, line) in lines.iter().enumerate() {
        let at = |f: &str| format!("receipt.orderLines[{i}].{f}");
        for f in ["name", "id"] {
            if line
                .get(f)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(SimError::field(&at(f), "Required."));
            }
        }
        for f in ["totalAmount", "totalAmountExcludingTax", "totalTaxAmount"] {
            if line.get(f).and_then(Value::as_i64).is_none() {
                return Err(SimError::field(&at(f), "Required integer in minor units."));
            }
        }
        let rate = line.get("taxRate").and_then(Value::as_i64);
        let pct = line.get("taxPercentage").and_then(Value::as_i64);
        if !rate.is_some_and(|r| (0..=10000).contains(&r))
            && !pct.is_some_and(|p| (0..=100).contains(&p))
        {
            return Err(SimError::field(
                &at("taxRate"),
                "taxRate (0-10000) or taxPercentage is required.",
            ));
        }
        if let Some(q) = line.pointer("/unitInfo/quantity") {
            let ok = q
                .as_str()
                .is_some_and(|q| q.len() <= 10 && q.parse::<f64>().is_ok());
            if !ok {
                return Err(SimError::field(
                    &at("unitInfo.quantity"),
                    "A decimal number as a string.",
                ));
            }
        }
        sum += line.get("totalAmount").and_then(Value::as_i64).unwrap_or(0);
    }
    if sum != amount.value {
        return Err(SimError::field(
            "receipt.orderLines",
            "The order lines do not add up to the amount.",
        ));
    }
    match str_at(r, "/bottomLine/currency") {
        Some(c) if c == amount.currency => Ok(()),
        _ => Err(SimError::field(
            "receipt.bottomLine.currency",
            "Required, and equal to amount.currency.",
        )),
    }
}
