//! Webhook request authentication (vipps-api.md §9): HMAC-SHA256 over
//! `POST\n{pathAndQuery}\n{x-ms-date};{host};{contentHash}`, host and path taken
//! from the *registered* URL, never from the request line (proxies rewrite it).

use axum::http::HeaderMap;
use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const AUTH_PREFIX: &str = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";

/// Signs a delivery: returns (`x-ms-content-sha256`, `Authorization`).
/// The secret is used as UTF-8 text, exactly as registration returned it.
pub fn sign(secret: &str, registered_url: &str, x_ms_date: &str, body: &[u8]) -> (String, String) {
    let content_hash = STANDARD.encode(Sha256::digest(body));
    let (host, path_and_query) = host_and_path(registered_url);
    let to_sign = format!("POST\n{path_and_query}\n{x_ms_date};{host};{content_hash}");
    // new_from_slice accepts keys of any length for HMAC, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(to_sign.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    (content_hash, format!("{AUTH_PREFIX}{signature}"))
}

/// Checks a delivery against the secret and the URL we registered.
/// Missing or non-ASCII headers, or an unparsable URL, give `false`.
pub fn verify(secret: &str, registered_url: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(date), Some(hash), Some(auth)) = (
        header("x-ms-date"),
        header("x-ms-content-sha256"),
        header("authorization"),
    ) else {
        return false;
    };
    if url::Url::parse(registered_url).is_err() {
        return false;
    }
    let (expected_hash, expected_auth) = sign(secret, registered_url, date, body);
    // Evaluate both comparisons fully so timing does not reveal which failed.
    let hash_ok = constant_time_eq(expected_hash.as_bytes(), hash.as_bytes());
    let auth_ok = constant_time_eq(expected_auth.as_bytes(), auth.as_bytes());
    hash_ok & auth_ok
}

/// `(authority, pathAndQuery)` of a URL the way .NET `Uri.Authority` /
/// `PathAndQuery` give them: the port only when it is not the scheme's default.
pub fn host_and_path(registered_url: &str) -> (String, String) {
    let Ok(url) = url::Url::parse(registered_url) else {
        return (String::new(), String::new());
    };
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => String::new(),
    };
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    (host, path)
}

/// Compares without an early exit; the length is not secret.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const A_SECRET: &str =
        "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==";
    const A_URL: &str = "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63";
    const A_BODY: &str =
        r#"{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}"#;
    const A_DATE: &str = "Thu, 30 Mar 2023 08:38:32 GMT";
    const A_HASH: &str = "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=";
    const A_AUTH: &str = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=";

    const B_SECRET: &str = "090a478d-37ff-4e77-970e-d457aeb26a3a";
    const B_URL: &str = "https://vending.example.com/vipps/webhook?machine=vm-042";
    const B_DATE: &str = "Tue, 14 Jan 2025 10:15:30 GMT";
    const B_BODY: &str = r#"{"msn":"123456","reference":"vm-042-20250114-0001","pspReference":"1304787731","name":"AUTHORIZED","amount":{"currency":"NOK","value":2500},"timestamp":"2025-01-14T10:15:29.812Z","idempotencyKey":"7c8b81e7-b08b-46e4-9729-191cb801c132","success":true}"#;
    const B_HASH: &str = "3hJPIp52UTVXbjhScyAmoefrjdCoJdSAg5nobbFPEw4=";
    const B_AUTH: &str = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=TFV3HXq1G3zTZHBBMjqZHMEY5nM74kheOxF1eG/qYr4=";

    fn headers(date: &str, hash: &str, auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ms-date", HeaderValue::from_str(date).unwrap());
        h.insert("x-ms-content-sha256", HeaderValue::from_str(hash).unwrap());
        h.insert("authorization", HeaderValue::from_str(auth).unwrap());
        h
    }

    #[test]
    fn official_vector_a_signs_exactly() {
        assert_eq!(
            sign(A_SECRET, A_URL, A_DATE, A_BODY.as_bytes()),
            (A_HASH.into(), A_AUTH.into())
        );
    }

    #[test]
    fn official_vector_a_verifies() {
        assert!(verify(
            A_SECRET,
            A_URL,
            &headers(A_DATE, A_HASH, A_AUTH),
            A_BODY.as_bytes()
        ));
    }

    #[test]
    fn vector_b_with_query_signs_and_verifies() {
        assert_eq!(
            sign(B_SECRET, B_URL, B_DATE, B_BODY.as_bytes()),
            (B_HASH.into(), B_AUTH.into())
        );
        assert!(verify(
            B_SECRET,
            B_URL,
            &headers(B_DATE, B_HASH, B_AUTH),
            B_BODY.as_bytes()
        ));
    }

    #[test]
    fn a_body_altered_by_one_byte_is_refused() {
        let mut body = A_BODY.as_bytes().to_vec();
        body[10] ^= 1;
        assert!(!verify(
            A_SECRET,
            A_URL,
            &headers(A_DATE, A_HASH, A_AUTH),
            &body
        ));
    }

    #[test]
    fn a_wrong_secret_is_refused() {
        assert!(!verify(
            B_SECRET,
            A_URL,
            &headers(A_DATE, A_HASH, A_AUTH),
            A_BODY.as_bytes()
        ));
    }

    #[test]
    fn a_wrong_path_or_host_is_refused() {
        let other_path = "https://webhook.site/another-path";
        assert!(!verify(
            A_SECRET,
            other_path,
            &headers(A_DATE, A_HASH, A_AUTH),
            A_BODY.as_bytes()
        ));
        let other_host = "https://webhook.example/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63";
        assert!(!verify(
            A_SECRET,
            other_host,
            &headers(A_DATE, A_HASH, A_AUTH),
            A_BODY.as_bytes()
        ));
    }

    #[test]
    fn a_changed_date_is_refused() {
        let h = headers("Thu, 30 Mar 2023 08:38:33 GMT", A_HASH, A_AUTH);
        assert!(!verify(A_SECRET, A_URL, &h, A_BODY.as_bytes()));
    }

    #[test]
    fn missing_headers_are_refused() {
        for missing in ["x-ms-date", "x-ms-content-sha256", "authorization"] {
            let mut h = headers(A_DATE, A_HASH, A_AUTH);
            h.remove(missing);
            assert!(!verify(A_SECRET, A_URL, &h, A_BODY.as_bytes()), "{missing}");
        }
    }

    #[test]
    fn host_keeps_only_a_non_default_port() {
        assert_eq!(host_and_path("https://x.example:443/a?b=1").0, "x.example");
        assert_eq!(
            host_and_path("http://127.0.0.1:8080/hook").0,
            "127.0.0.1:8080"
        );
        assert_eq!(host_and_path("http://x.example/").1, "/");
    }
}
