//! `vendscreen-server fleet machine …` as the real binary on the hub's
//! database: the token it prints is the one the hub takes, and disabling,
//! rotating and a new catalog reach the running hub.

use crate::cli::Ran;
use crate::edge::Edge;
use crate::harness::{Fleet, CATALOG};

/// Runs `vendscreen-server fleet machine ARGS` on the fleet's database, in
/// the environment `scripts/run-fleet` gives it: the hub's ePayment settings
/// and no posId (a fleet command checks only what it uses: `store.url`).
async fn machine(fleet: &Fleet, args: &[&str]) -> Ran {
    let mut env = crate::vipps::paying_at(&fleet.vipps);
    env.push(("VENDSCREEN_STORE_URL", fleet.db_url.clone()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args: Vec<&str> = ["fleet", "machine"].iter().chain(args).copied().collect();
    crate::cli::run(&env, &args).await
}

/// The token a command printed: its last line.
fn token(ran: &Ran) -> String {
    assert_eq!(ran.code, 0, "{}", ran.err);
    let last = ran.out.lines().last().unwrap_or_default().to_string();
    assert_eq!(last.len(), 43, "{}", ran.out);
    last
}

fn catalog_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The hub's answer to `token` for a reference nobody has: 404 means "I
/// know your machine", 401 "I do not know you".
async fn known(fleet: &Fleet, token: &str) -> u16 {
    let edge = Edge::new(&fleet.hubs[0], token, &fleet.vipps);
    edge.get("/fleet/v1/sessions/x").await.0
}

#[tokio::test]
async fn an_added_machines_token_is_taken_until_rotated_or_disabled() {
    let fleet = Fleet::new(1, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = catalog_file(&dir, "vm-cli-1.toml", CATALOG);
    let first = token(&machine(&fleet, &["add", "--pos-id", "vm-cli-1", "--catalog", &file]).await);
    assert_eq!(known(&fleet, &first).await, 404);
    let twice = machine(&fleet, &["add", "--pos-id", "vm-cli-1", "--catalog", &file]).await;
    assert_eq!(twice.code, 1);
    assert!(twice.err.contains("exists already"), "{}", twice.err);
    let list = machine(&fleet, &["list"]).await;
    assert!(
        list.out
            .contains("vm-cli-1  enabled  catalog v1 (2 products)"),
        "{}",
        list.out
    );
    assert!(!list.out.contains(&first), "a token is shown once");

    let second = token(&machine(&fleet, &["rotate-token", "--pos-id", "vm-cli-1"]).await);
    assert_eq!(known(&fleet, &first).await, 401);
    assert_eq!(known(&fleet, &second).await, 404);

    let disabled = machine(&fleet, &["disable", "--pos-id", "vm-cli-1"]).await;
    assert_eq!(disabled.code, 0, "{}", disabled.err);
    assert_eq!(known(&fleet, &second).await, 401);
    let list = machine(&fleet, &["list"]).await;
    assert!(list.out.contains("vm-cli-1  disabled"), "{}", list.out);
    let nobody = machine(&fleet, &["disable", "--pos-id", "vm-nobody"]).await;
    assert_eq!(
        (nobody.code, nobody.err.trim_end()),
        (1, "vendscreen-server: no machine vm-nobody")
    );
}

#[tokio::test]
async fn a_new_catalog_is_what_the_hub_sells_next() {
    let fleet = Fleet::new(1, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = catalog_file(&dir, "vm-cli-2.toml", CATALOG);
    let secret =
        token(&machine(&fleet, &["add", "--pos-id", "vm-cli-2", "--catalog", &file]).await);
    let dearer = catalog_file(&dir, "dearer.toml", &CATALOG.replace("3500", "4000"));
    let changed = machine(
        &fleet,
        &["catalog", "--pos-id", "vm-cli-2", "--catalog", &dearer],
    )
    .await;
    assert_eq!(changed.code, 0, "{}", changed.err);
    let edge = Edge::new(&fleet.hubs[0], &secret, &fleet.vipps);
    edge.heartbeat().await;
    let session = edge.buy("cola", "after-the-change").await;
    assert_eq!(session["amount"]["value"], 4000, "{session}");
    let list = machine(&fleet, &["list"]).await;
    assert!(list.out.contains("catalog v2"), "{}", list.out);
}

#[tokio::test]
async fn a_bad_catalog_file_is_refused_with_the_reason() {
    let fleet = Fleet::new(1, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let empty = catalog_file(&dir, "empty.toml", "[machine]\nname = \"x\"\n");
    let ran = machine(
        &fleet,
        &["add", "--pos-id", "vm-cli-3", "--catalog", &empty],
    )
    .await;
    assert_eq!(ran.code, 1);
    assert!(ran.err.contains("[[products]]"), "{}", ran.err);
    let missing = machine(
        &fleet,
        &[
            "add",
            "--pos-id",
            "vm-cli-3",
            "--catalog",
            "/nonexistent.toml",
        ],
    )
    .await;
    assert!(
        missing.err.contains("cannot read catalog file"),
        "{}",
        missing.err
    );
    let usage = machine(&fleet, &["add", "--pos-id", "vm-cli-3"]).await;
    assert_eq!(usage.code, 2);
    assert!(usage.err.contains("--catalog"), "{}", usage.err);
    assert!(machine(&fleet, &["list"])
        .await
        .out
        .contains("no machines yet"));
}
