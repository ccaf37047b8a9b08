//! A database per test, on whichever server this run has: the shared one at
//! VENDSCREEN_TEST_DATABASE_URL, or the process's throwaway cluster.

mod support;

use futures_util::future::join_all;
use futures_util::FutureExt as _;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use support::{has_table, wait_until, BROKEN, GADGETS, WIDGETS};
use vendscreen_pgtest::{blank_database, database};

#[tokio::test]
async fn a_table_made_in_one_test_database_is_absent_from_another() {
    let first = database(WIDGETS).await;
    let second = database(WIDGETS).await;
    sqlx::query("CREATE TABLE only_in_first (id int)")
        .execute(first.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO widgets (name) VALUES ('first''s')")
        .execute(first.pool())
        .await
        .unwrap();

    assert_ne!(first.name(), second.name());
    assert!(has_table(first.url(), "only_in_first").await);
    assert!(!has_table(second.url(), "only_in_first").await);
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM widgets ORDER BY id")
        .fetch_all(second.pool())
        .await
        .unwrap();
    assert_eq!(names, ["seed"]);
}

#[tokio::test]
async fn a_new_database_starts_with_every_migration_applied() {
    let db = database(WIDGETS).await;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(versions, [1, 2]);
    let colour: String = sqlx::query_scalar("SELECT colour FROM widgets WHERE name = 'seed'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(colour, "grey");
}

#[tokio::test]
async fn other_migrations_get_a_template_of_their_own() {
    let widgets = database(WIDGETS).await;
    let gadgets = database(GADGETS).await;
    assert!(has_table(gadgets.url(), "gadgets").await);
    assert!(!has_table(gadgets.url(), "widgets").await);
    assert!(!has_table(widgets.url(), "gadgets").await);
}

#[tokio::test]
async fn a_blank_database_has_no_tables() {
    let db = blank_database().await;
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(tables, 0);
}

#[tokio::test]
async fn the_url_reaches_the_same_database_from_a_new_connection() {
    let db = database(WIDGETS).await;
    sqlx::query("CREATE TABLE made_through_the_pool (id int)")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(db.url().starts_with("postgres://"));
    assert!(has_table(db.url(), "made_through_the_pool").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_databases_made_at_once_are_each_whole_and_apart() {
    let made = join_all((0..16).map(|i| async move {
        let db = database(WIDGETS).await;
        let name = format!("made by {i}");
        sqlx::query("INSERT INTO widgets (name) VALUES ($1)")
            .bind(&name)
            .execute(db.pool())
            .await
            .unwrap();
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM widgets ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(names, ["seed".to_owned(), name]);
        db
    }))
    .await;
    let mut names: Vec<&str> = made.iter().map(|db| db.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 16);
}

#[tokio::test]
async fn a_dropped_database_is_removed() {
    let witness = blank_database().await;
    let db = database(WIDGETS).await;
    let name = db.name().to_owned();
    let exists = || async {
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(witness.pool())
            .await
            .unwrap()
    };
    assert!(exists().await);
    drop(db);
    let limit = Duration::from_secs(20);
    wait_until("dropped", limit, || async { !exists().await }).await;
}

#[tokio::test]
async fn a_failing_migration_is_named_and_the_next_try_fails_the_same_way() {
    for _ in 0..2 {
        let attempt = AssertUnwindSafe(database(BROKEN)).catch_unwind().await;
        let panic = attempt.expect_err("a broken migration gave a database");
        let message = panic
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        assert!(message.contains("running the migrations"), "{message}");
        assert!(message.contains("half_made"), "{message}");
    }
}
