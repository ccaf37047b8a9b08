use super::*;
use axum::http::HeaderValue;
use std::net::{Ipv4Addr, Ipv6Addr};

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

const LAN: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20));
const HOME: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

#[test]
fn network_peers_are_refused_unless_the_api_is_exposed() {
    let local = Boundary::new(false, []);
    let h = headers(&[("host", "192.168.1.5:8080")]);
    assert!(local.check(Some(LAN), &Method::GET, &h).is_err());
    assert!(local.check(Some(HOME), &Method::GET, &h).is_ok());
    let mapped = IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()).to_canonical();
    assert!(local.check(Some(mapped), &Method::GET, &h).is_ok());
    assert!(local
        .check(Some(IpAddr::V6(Ipv6Addr::LOCALHOST)), &Method::GET, &h)
        .is_ok());
    let exposed = Boundary::new(true, []);
    assert!(exposed.check(Some(LAN), &Method::GET, &h).is_ok());
}

#[test]
fn only_names_of_this_machine_pass_as_host() {
    let b = Boundary::new(false, ["vm-042.example.net".to_string()]);
    let ok = |host: &str| b.check(Some(HOME), &Method::GET, &headers(&[("host", host)]));
    for host in [
        "127.0.0.1:8080",
        "localhost:8080",
        "LOCALHOST",
        "kiosk.localhost:1",
        "[::1]:8080",
        "192.168.1.5",
        "vm-042.example.net:8443",
    ] {
        assert!(ok(host).is_ok(), "{host}");
    }
    for host in [
        "attacker.example:8080",
        "localhost.attacker.example",
        "127.0.0.1.nip.io:80",
    ] {
        assert!(ok(host).is_err(), "{host}");
    }
}

#[test]
fn a_state_changing_call_needs_its_own_origin() {
    let b = Boundary::new(false, []);
    let post = |origin: &str, host: &str| {
        b.check(
            Some(HOME),
            &Method::POST,
            &headers(&[("host", host), ("origin", origin)]),
        )
    };
    assert!(post("http://127.0.0.1:8080", "127.0.0.1:8080").is_ok());
    assert!(post("http://localhost", "localhost:80").is_ok());
    assert!(post("https://203.0.113.9", "127.0.0.1:8080").is_err());
    assert!(post("http://127.0.0.1:9999", "127.0.0.1:8080").is_err());
    assert!(post("null", "127.0.0.1:8080").is_err());
    // Reading is not changing: a GET with a foreign Origin is the browser's
    // business (no CORS headers are ever sent).
    let get = headers(&[("host", "127.0.0.1:8080"), ("origin", "https://x.example")]);
    assert!(b.check(Some(HOME), &Method::GET, &get).is_ok());
}
