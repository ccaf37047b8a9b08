//! How the simulator signs a webhook delivery, written on its own from
//! Vipps's request-authentication page (vipps-api.md §9) and not shared with
//! the client's verifier, so the two can disagree when one of them is wrong:
//! `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…`
//! over `POST\n{pathAndQuery}\n{x-ms-date};{host};{x-ms-content-sha256}`.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The three headers of one signed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub x_ms_date: String,
    pub x_ms_content_sha256: String,
    pub authorization: String,
}

/// Signs `body` for delivery to `url` (the URL as registered) at `date`
/// (RFC 1123). The secret is the registration's string, used as UTF-8 bytes.
pub fn sign(secret: &str, url: &str, date: &str, body: &[u8]) -> Signed {
    let content = STANDARD.encode(Sha256::digest(body));
    let (authority, path_and_query) = target(url);
    let message = [
        "POST",
        &path_and_query,
        &format!("{date};{authority};{content}"),
    ]
    .join("\n");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC-SHA256 takes a key of any length");
    mac.update(message.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    Signed {
        x_ms_date: date.to_string(),
        x_ms_content_sha256: content,
        authorization: format!(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
        ),
    }
}

/// The URL's authority (the host, and the port only when it is not the
/// scheme's default, as .NET's `Uri.Authority` and JS's `url.host` give it)
/// and its path with `?query`. An unparsable URL signs as empty parts, which
/// no receiver will accept: the simulator never refuses to try.
fn target(url: &str) -> (String, String) {
    let Ok(u) = url::Url::parse(url) else {
        return (String::new(), String::new());
    };
    let host = u.host_str().unwrap_or_default();
    let authority = match u.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let mut path_and_query = u.path().to_string();
    if let Some(query) = u.query() {
        path_and_query = format!("{path_and_query}?{query}");
    }
    (authority, path_and_query)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vector A: Vipps's published sample (request-authentication page).
    #[test]
    fn the_published_vector_signs_exactly() {
        let signed = sign(
            "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==",
            "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63",
            "Thu, 30 Mar 2023 08:38:32 GMT",
            br#"{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}"#,
        );
        assert_eq!(
            signed.x_ms_content_sha256,
            "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4="
        );
        assert_eq!(
            signed.authorization,
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="
        );
    }

    /// Test vector B (ours, checked with python and openssl): a query string.
    #[test]
    fn a_url_with_a_query_signs_its_path_and_query() {
        let signed = sign(
            "090a478d-37ff-4e77-970e-d457aeb26a3a",
            "https://vending.example.com/vipps/webhook?machine=vm-042",
            "Tue, 14 Jan 2025 10:15:30 GMT",
            br#"{"msn":"123456","reference":"vm-042-20250114-0001","pspReference":"1304787731","name":"AUTHORIZED","amount":{"currency":"NOK","value":2500},"timestamp":"2025-01-14T10:15:29.812Z","idempotencyKey":"7c8b81e7-b08b-46e4-9729-191cb801c132","success":true}"#,
        );
        assert_eq!(
            signed.x_ms_content_sha256,
            "3hJPIp52UTVXbjhScyAmoefrjdCoJdSAg5nobbFPEw4="
        );
        assert!(signed
            .authorization
            .ends_with("&Signature=TFV3HXq1G3zTZHBBMjqZHMEY5nM74kheOxF1eG/qYr4="));
    }

    #[test]
    fn the_authority_keeps_only_a_port_that_is_not_the_default() {
        assert_eq!(target("https://x.example:443/a?b=1").0, "x.example");
        assert_eq!(target("http://127.0.0.1:8080/hook").0, "127.0.0.1:8080");
        assert_eq!(target("http://x.example").1, "/");
    }
}
