//! What the harness's own tests share: fixture migrations, and waiting on a
//! condition with a deadline.
#![allow(dead_code)] // each test binary uses its own part

use sqlx::{Connection as _, PgConnection};
use std::future::Future;
use std::time::{Duration, Instant};

/// Two migrations: table `widgets` with a `colour` column and one row.
pub const WIDGETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations/widgets");
/// Another schema: table `gadgets`.
pub const GADGETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations/gadgets");
/// A migration that fails (it makes one table twice).
pub const BROKEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations/broken");

/// Polls `condition` until it holds; panics with `what` after `limit`.
pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !condition().await {
        assert!(
            Instant::now() < deadline,
            "still not {what} after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether `table` exists in the database at `url` (a fresh connection).
pub async fn has_table(url: &str, table: &str) -> bool {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table)
        .fetch_one(&mut conn)
        .await
        .expect("to_regclass")
}

/// How many databases on the server at `admin_url` have names starting with `tag`.
pub async fn databases_tagged(admin_url: &str, tag: &str) -> i64 {
    let mut conn = PgConnection::connect(admin_url).await.expect("connect");
    sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE starts_with(datname, $1)")
        .bind(tag)
        .fetch_one(&mut conn)
        .await
        .expect("pg_database")
}

/// Whether anything accepts a PostgreSQL connection at `url`.
pub async fn accepts_connections(url: &str) -> bool {
    PgConnection::connect(url).await.is_ok()
}
