//! Product pictures: served at `/images/{file}` with a long cache, from
//! `machine.images` or the built-in demo set; a missing, oversized or
//! unnamed-directory picture stops the start with the product and file named.

use crate::helpers::{spawn_app, spawn_app_with};
use vendscreen_server::config::Config;

/// A config of one product with `image`, pictures in `dir` (if any).
fn config_with_image(image: &str, dir: Option<&std::path::Path>) -> Result<Config, String> {
    let machine = dir.map_or(String::new(), |d| {
        format!("[machine]\nimages = {:?}\n", d.display().to_string())
    });
    let toml = format!(
        "{machine}[[products]]\nid = \"cola\"\nname = \"Cola\"\nprice = 3500\nslot = \"A1\"\nimage = {image:?}\n"
    );
    Config::from_sources(&toml, Vec::new()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_demo_pictures_are_served_with_a_long_cache_and_in_the_catalog() {
    let app = spawn_app().await;
    let resp = app.get("/images/cola.svg").await;
    assert_eq!(resp.status(), 200);
    let header = |name: &str| resp.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "image/svg+xml");
    assert!(
        header("cache-control").contains("max-age=604800"),
        "{}",
        header("cache-control")
    );
    assert!(resp.text().await.unwrap().starts_with("<svg"));
    let catalog: serde_json::Value = app.get("/api/catalog").await.json().await.unwrap();
    assert_eq!(catalog["products"][0]["image"], "/images/cola.svg");
    assert_eq!(catalog["products"][0]["slot"], "A1");
    for missing in [
        "/images/nope.svg",
        "/images/..%2Fconfig.png",
        "/images/cola.gif",
    ] {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn pictures_come_from_the_configured_directory() {
    let pics = tempfile::tempdir().unwrap();
    // The demo catalog names its own pictures: the directory must hold them.
    for (name, bytes) in vendscreen_server::config::images::DEMO {
        std::fs::write(pics.path().join(name), bytes).unwrap();
    }
    std::fs::write(pics.path().join("extra.png"), b"\x89PNG fake").unwrap();
    let dir = pics.path().display().to_string();
    let app = spawn_app_with(&[("VENDSCREEN_MACHINE_IMAGES", dir.as_str())]).await;
    let resp = app.get("/images/extra.png").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"\x89PNG fake");
}

#[test]
fn a_missing_picture_stops_the_start_naming_product_and_file() {
    let pics = tempfile::tempdir().unwrap();
    let err = config_with_image("cola.webp", Some(pics.path())).unwrap_err();
    assert!(
        err.contains("\"cola\"") && err.contains("cola.webp") && err.contains("cannot be read"),
        "{err}"
    );
}

#[test]
fn an_oversized_picture_stops_the_start() {
    let pics = tempfile::tempdir().unwrap();
    std::fs::write(pics.path().join("big.png"), vec![0u8; 512 * 1024 + 1]).unwrap();
    let err = config_with_image("big.png", Some(pics.path())).unwrap_err();
    assert!(
        err.contains("big.png") && err.contains("at most 524288 bytes"),
        "{err}"
    );
    std::fs::write(pics.path().join("ok.png"), vec![0u8; 512 * 1024]).unwrap();
    assert!(config_with_image("ok.png", Some(pics.path())).is_ok());
}

#[test]
fn a_picture_needs_an_allowed_type_and_a_directory() {
    let err = config_with_image("cola.gif", None).unwrap_err();
    assert!(
        err.contains("cola.gif") && err.contains(".svg, .webp"),
        "{err}"
    );
    let err = config_with_image("mine.png", None).unwrap_err();
    assert!(err.contains("machine.images"), "{err}");
    assert!(
        config_with_image("cola.svg", None).is_ok(),
        "a demo picture needs no directory"
    );
}
