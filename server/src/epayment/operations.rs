//! The money-moving calls: create (QR flow), capture, cancel, refund. Each
//! takes the caller's Idempotency-Key, which `transport` resends on every try.

use super::client::{payment_path, CreatePayment, EpaymentClient, EpaymentError, OrderLine};
use super::model::{Amount, ModificationResponse};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody<'a> {
    amount: Amount,
    payment_method: PaymentMethod,
    customer_interaction: &'static str,
    user_flow: &'static str,
    qr_format: QrFormatBody,
    reference: &'a str,
    payment_description: &'a str,
    receipt: Receipt<'a>,
}

#[derive(Serialize)]
struct PaymentMethod {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct QrFormatBody {
    format: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Receipt<'a> {
    order_lines: Vec<OrderLineBody<'a>>,
    bottom_line: BottomLine<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderLineBody<'a> {
    name: &'a str,
    id: &'a str,
    total_amount: i64,
    total_amount_excluding_tax: i64,
    total_tax_amount: i64,
    tax_rate: i64,
    unit_info: UnitInfo,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnitInfo {
    unit_price: i64,
    quantity: &'static str,
    quantity_unit: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BottomLine<'a> {
    currency: vendscreen_protocol::Currency,
    pos_id: &'a str,
    receipt_number: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateResponse {
    #[serde(default)]
    redirect_url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Modification {
    modification_amount: Amount,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CancelBody {
    cancel_transaction_only: bool,
}

fn order_line(line: &OrderLine) -> OrderLineBody<'_> {
    OrderLineBody {
        name: &line.name,
        id: &line.id,
        total_amount: line.total_amount,
        total_amount_excluding_tax: line.total_amount_excluding_tax,
        total_tax_amount: line.total_tax_amount,
        tax_rate: line.tax_rate,
        // One item per line: a vending machine sells one product at a time.
        unit_info: UnitInfo {
            unit_price: line.total_amount,
            quantity: "1",
            quantity_unit: "PCS",
        },
    }
}

fn create_body(req: &CreatePayment) -> CreateBody<'_> {
    CreateBody {
        amount: req.amount,
        payment_method: PaymentMethod { kind: "WALLET" },
        // A regulatory requirement for vending / QR at a physical point of sale.
        customer_interaction: "CUSTOMER_PRESENT",
        user_flow: "QR",
        qr_format: QrFormatBody {
            format: req.qr_format.as_str(),
        },
        reference: &req.reference,
        payment_description: &req.description,
        receipt: Receipt {
            order_lines: req.order_lines.iter().map(order_line).collect(),
            bottom_line: BottomLine {
                currency: req.amount.currency,
                pos_id: &req.pos_id,
                receipt_number: &req.receipt_number,
            },
        },
    }
}

impl EpaymentClient {
    /// Creates a QR payment; returns the `redirectUrl`: the QR target URL
    /// (`TEXT/TARGETURL`) or the image URL (`IMAGE/SVG+XML`).
    pub async fn create_payment(
        &self,
        req: &CreatePayment,
        idempotency_key: &str,
    ) -> Result<String, EpaymentError> {
        let call = Self::post(
            "create payment",
            "/epayment/v1/payments".into(),
            &create_body(req),
            Some(idempotency_key),
        );
        let answer: CreateResponse = self.json(call).await?;
        answer
            .redirect_url
            .ok_or_else(|| EpaymentError::Undecodable {
                op: "create payment",
                status: 201,
                detail: "no redirectUrl".into(),
            })
    }

    /// Captures `amount` of an authorized payment (never before the goods left).
    pub async fn capture(
        &self,
        reference: &str,
        amount: Amount,
        idempotency_key: &str,
    ) -> Result<ModificationResponse, EpaymentError> {
        let body = Modification {
            modification_amount: amount,
        };
        self.json(Self::post(
            "capture",
            payment_path(reference, "/capture"),
            &body,
            Some(idempotency_key),
        ))
        .await
    }

    /// Cancels; with `transaction_only` it refuses (6060) once authorized, so a
    /// timeout cancel can never silently release an approval that just landed.
    pub async fn cancel(
        &self,
        reference: &str,
        transaction_only: bool,
        idempotency_key: &str,
    ) -> Result<ModificationResponse, EpaymentError> {
        let body = CancelBody {
            cancel_transaction_only: transaction_only,
        };
        self.json(Self::post(
            "cancel",
            payment_path(reference, "/cancel"),
            &body,
            Some(idempotency_key),
        ))
        .await
    }

    /// Refunds up to the captured amount.
    pub async fn refund(
        &self,
        reference: &str,
        amount: Amount,
        idempotency_key: &str,
    ) -> Result<ModificationResponse, EpaymentError> {
        let body = Modification {
            modification_amount: amount,
        };
        self.json(Self::post(
            "refund",
            payment_path(reference, "/refund"),
            &body,
            Some(idempotency_key),
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::epayment::client::QrFormat;
    use vendscreen_protocol::Currency;

    #[test]
    fn create_body_has_the_qr_vending_fields() {
        let req = CreatePayment {
            reference: "vm-042-0001".into(),
            amount: Amount::new(Currency::Nok, 3500),
            description: "Cola 0,5 l".into(),
            pos_id: "vm-042".into(),
            receipt_number: "0001".into(),
            order_lines: vec![OrderLine {
                id: "cola".into(),
                name: "Cola".into(),
                total_amount: 3500,
                total_amount_excluding_tax: 2800,
                total_tax_amount: 700,
                tax_rate: 2500,
            }],
            qr_format: QrFormat::default(),
        };
        let json = serde_json::to_value(create_body(&req)).unwrap();
        assert_eq!(json["paymentMethod"]["type"], "WALLET");
        assert_eq!(json["customerInteraction"], "CUSTOMER_PRESENT");
        assert_eq!(json["userFlow"], "QR");
        assert_eq!(json["qrFormat"]["format"], "TEXT/TARGETURL");
        assert_eq!(json["receipt"]["bottomLine"]["posId"], "vm-042");
        assert_eq!(
            json["receipt"]["orderLines"][0]["unitInfo"]["quantity"],
            "1"
        );
        assert_eq!(
            json["amount"],
            serde_json::json!({"currency": "NOK", "value": 3500})
        );
    }
}
