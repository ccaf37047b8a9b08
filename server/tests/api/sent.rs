//! What the machine sends Vipps, read where Vipps received it (the
//! simulator keeps each create call as it arrived): the receipt with its VAT
//! split, and the `Vipps-System-*` headers. Expected values are written out
//! here from the API description, not derived from the client's code.

use crate::helpers::spawn_app;
use serde_json::json;
use vendscreen_protocol::SessionState as S;

#[tokio::test]
async fn the_receipt_splits_the_vat_out_of_the_price_to_the_nearest_minor_unit() {
    let app = spawn_app().await;
    let vipps = app.vipps();
    // Cola: 35.00 incl. 15 % = 30.43 + 4.57 (30.4347… rounds down).
    let cola = app.buy("cola").await.reference;
    let sent = vipps.create_call(&cola).await["body"].clone();
    assert_eq!(
        sent["receipt"],
        json!({
            "orderLines": [{
                "name": "Cola 0,5 l", "id": "cola",
                "totalAmount": 3500, "totalAmountExcludingTax": 3043, "totalTaxAmount": 457,
                "taxRate": 1500,
                "unitInfo": { "unitPrice": 3500, "quantity": "1", "quantityUnit": "PCS" }
            }],
            "bottomLine": { "currency": "NOK", "posId": "vm-042", "receiptNumber": "1" }
        }),
        "{sent}"
    );
    assert_eq!(sent["amount"], json!({ "currency": "NOK", "value": 3500 }));
    let cancel = app
        .post_json(&format!("/api/sessions/{cola}/cancel"), json!({}))
        .await;
    assert_eq!(cancel.status(), 202);
    app.wait_for(&cola, S::Cancelled).await;
    // Water: 29.00 incl. 15 % = 25.22 + 3.78 (25.2173… rounds up).
    let water = app.buy("water").await.reference;
    let body = vipps.create_call(&water).await["body"].clone();
    let line = body["receipt"]["orderLines"][0].clone();
    // The demo machine speaks Norwegian: the water's `names.nb` is on the
    // receipt and in the description, not its English `name`.
    assert_eq!(line["name"], "Mineralvann 0,5 l", "{line}");
    assert!(
        body["paymentDescription"]
            .as_str()
            .unwrap()
            .starts_with("Mineralvann 0,5 l"),
        "{body}"
    );
    let split = |k: &str| line[k].as_i64().unwrap();
    assert_eq!(
        (
            split("totalAmount"),
            split("totalAmountExcludingTax"),
            split("totalTaxAmount")
        ),
        (2900, 2522, 378),
        "{line}"
    );
}

#[tokio::test]
async fn every_create_call_names_the_system_in_the_vipps_system_headers() {
    let app = spawn_app().await;
    let reference = app.buy("cola").await.reference;
    let headers = app.vipps().create_call(&reference).await["headers"].clone();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        headers,
        json!({
            "vipps-system-name": "vendscreen",
            "vipps-system-version": version,
            "vipps-system-plugin-name": "vendscreen-server",
            "vipps-system-plugin-version": version,
            "merchant-serial-number": "123456",
            "idempotency-key": format!("{reference}-create"),
        })
    );
    // Vipps allows at most 30 characters in each.
    let system = headers.as_object().unwrap().iter();
    for (name, value) in system.filter(|(n, _)| n.starts_with("vipps-system-")) {
        assert!(value.as_str().unwrap().len() <= 30, "{name}: {value}");
    }
}
