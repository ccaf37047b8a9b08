//! A test's own database: its URL, a pool on it, and its removal when the
//! handle drops.

use crate::server::{redact, Server};
use anyhow::{Context as _, Result};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::fmt;
use std::sync::Arc;

/// A database of one test's own, copied from a migrated template (or empty).
/// Dropped (in the background, sessions and all) when this handle drops;
/// whatever is left is swept when the test process exits.
pub struct TestDatabase {
    server: Arc<Server>,
    name: String,
    url: String,
    pool: PgPool,
}

impl TestDatabase {
    pub(crate) async fn open(server: Arc<Server>, name: String) -> Result<TestDatabase> {
        let url = server.url_of(&name).to_string();
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect(&url)
            .await
            .with_context(|| format!("connecting to test database {name}"))?;
        Ok(TestDatabase {
            server,
            name,
            url,
            pool,
        })
    }

    /// A `postgres://` URL for this database: hand it to a server under test,
    /// in-process or a child process.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A small pool (5 connections) on this database, for the test itself.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The database's name (unique on its server).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = url::Url::parse(&self.url).map(|url| redact(&url));
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .field("url", &url.unwrap_or_default())
            .finish()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.server
            .drop_in_background(std::mem::take(&mut self.name));
    }
}
