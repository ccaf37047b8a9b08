//! A throwaway cluster of a test's own: crashes and restarts without harm to
//! anyone else, and is gone when dropped.

mod support;

use std::time::Duration;
use support::{accepts_connections, wait_until, WIDGETS};
use vendscreen_pgtest::Cluster;

#[tokio::test]
async fn a_throwaway_cluster_restarts_immediately_and_accepts_connections_again() {
    let cluster = Cluster::throwaway().await;
    let db = cluster.database(WIDGETS).await;
    sqlx::query("INSERT INTO widgets (name) VALUES ('before the crash')")
        .execute(db.pool())
        .await
        .unwrap();
    let backend_before: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(db.pool())
        .await
        .unwrap();

    cluster.restart_immediate().await;

    // The pool's old session died with the server; it connects anew.
    let backend_after: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_ne!(backend_before, backend_after);
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM widgets ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(names, ["seed", "before the crash"]);
    // And the template still copies after crash recovery.
    let another = cluster.database(WIDGETS).await;
    assert!(accepts_connections(another.url()).await);
}

#[tokio::test]
async fn a_stopped_cluster_refuses_connections_until_started() {
    let cluster = Cluster::throwaway().await;
    assert!(accepts_connections(cluster.url()).await);

    cluster.stop_immediate().await;
    assert!(!accepts_connections(cluster.url()).await);

    cluster.start().await;
    assert!(accepts_connections(cluster.url()).await);
}

#[tokio::test]
async fn a_dropped_cluster_is_stopped_and_its_directory_removed() {
    let cluster = Cluster::throwaway().await;
    let url = cluster.url().to_owned();
    let dir = cluster.dir().to_owned();
    assert!(dir.join("data/PG_VERSION").is_file());

    drop(cluster);

    let limit = Duration::from_secs(30);
    wait_until("removed", limit, || async { !dir.exists() }).await;
    assert!(!accepts_connections(&url).await);
}
