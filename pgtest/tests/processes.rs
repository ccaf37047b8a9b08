//! Whole test processes: two at once on one server, and one killed mid-run.
//! The children are this same test binary running an `#[ignore]`d test,
//! which only acts when CHILD_VAR is set.

mod support;

use std::process::Stdio;
use std::time::Duration;
use support::{accepts_connections, databases_tagged, wait_until, WIDGETS};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use vendscreen_pgtest::{database, Cluster, DATABASE_URL_VAR};

const CHILD_VAR: &str = "VENDSCREEN_PGTEST_CHILD";

/// `cargo test`'s binary running one ignored test of this file.
fn child(test: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--ignored", "--exact", "--nocapture", test]);
    command.env(CHILD_VAR, "1").kill_on_drop(true);
    command
}

#[tokio::test]
async fn two_test_processes_at_once_keep_to_their_own_databases() {
    let runs = (0..2).map(|_| child("child_makes_ten_databases").output());
    let outputs = futures_util::future::join_all(runs).await;
    for out in outputs {
        let out = out.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("1 passed"),
            "the child ran no test:\n{stdout}"
        );
    }
}

#[tokio::test]
#[ignore = "run by two_test_processes_at_once_keep_to_their_own_databases"]
async fn child_makes_ten_databases() {
    if std::env::var_os(CHILD_VAR).is_none() {
        return;
    }
    for i in 0..10 {
        let db = database(WIDGETS).await;
        sqlx::query("INSERT INTO widgets (name) VALUES ($1)")
            .bind(format!("{} {i}", std::process::id()))
            .execute(db.pool())
            .await
            .unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM widgets")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(rows, 2, "seed and this process's row only");
    }
}

#[tokio::test]
async fn a_killed_test_process_leaves_no_cluster_and_no_database_behind() {
    let mut held = child("child_holds_a_cluster_and_a_database")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let report = read_report(&mut held).await;
    let own_cluster = report("CLUSTER_URL");
    let db_url = report("DATABASE_URL");
    assert!(accepts_connections(&own_cluster).await);
    assert!(accepts_connections(&db_url).await);

    held.start_kill().unwrap(); // SIGKILL: no Drop, no atexit
    held.wait().await.unwrap();

    let limit = Duration::from_secs(30);
    wait_until("stopped", limit, || async {
        !accepts_connections(&own_cluster).await
    })
    .await;
    wait_until("removed", limit, || async {
        !std::path::Path::new(&report("CLUSTER_DIR")).exists()
    })
    .await;
    match std::env::var(DATABASE_URL_VAR) {
        // On a shared server the child's databases are dropped…
        Ok(admin) => {
            let tag = report("TAG");
            wait_until("dropped", limit, || async {
                databases_tagged(&admin, &tag).await == 0
            })
            .await;
        }
        // …and its own shared throwaway cluster is gone with it.
        Err(_) => {
            wait_until("stopped", limit, || async {
                !accepts_connections(&db_url).await
            })
            .await
        }
    }
}

#[tokio::test]
#[ignore = "run (and killed) by a_killed_test_process_leaves_no_cluster_and_no_database_behind"]
async fn child_holds_a_cluster_and_a_database() {
    if std::env::var_os(CHILD_VAR).is_none() {
        return;
    }
    let cluster = Cluster::throwaway().await;
    let db = database(WIDGETS).await;
    println!("CLUSTER_URL={}", cluster.url());
    println!("CLUSTER_DIR={}", cluster.dir().display());
    println!("DATABASE_URL={}", db.url());
    // The process's tag: its test databases and templates all start with it.
    println!("TAG={}_", db.name().rsplit_once('_').unwrap().0);
    println!("READY");
    // Bounded, should the parent die before it kills this process.
    tokio::time::sleep(Duration::from_secs(120)).await;
}

/// Reads `KEY=value` lines up to READY; returns a lookup.
async fn read_report(child: &mut Child) -> impl Fn(&str) -> String {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut report = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line == "READY" {
            break;
        }
        if let Some((key, value)) = line.split_once('=') {
            report.push((key.to_owned(), value.to_owned()));
        }
    }
    move |key| {
        let found = report.iter().find(|(k, _)| k == key);
        found
            .unwrap_or_else(|| panic!("the child reported no {key}"))
            .1
            .clone()
    }
}
