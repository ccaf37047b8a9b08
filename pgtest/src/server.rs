//! One PostgreSQL server as tests use it: a migrated template per set of
//! migrations, and a fresh database copied from it for every test.

use crate::database::TestDatabase;
use crate::watchdog::Watchdog;
use anyhow::{Context as _, Result};
use sqlx::migrate::Migrator;
use sqlx::{AssertSqlSafe, Connection as _, Executor as _, PgConnection};
use std::collections::hash_map::{DefaultHasher, HashMap};
use std::hash::{Hash as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;
use url::Url;

/// How long to keep retrying a copy whose template someone still has open.
const TEMPLATE_BUSY_DEADLINE: Duration = Duration::from_secs(30);

pub(crate) struct Server {
    /// A superuser's (or CREATEDB role's) URL; its database is only used to
    /// create and drop others.
    admin: Url,
    /// `vst_<pid>_<random>`: every database this process makes starts with
    /// it, so concurrent test processes on one server never collide.
    tag: String,
    templates: Mutex<HashMap<u64, Arc<OnceCell<String>>>>,
    /// One copy at a time: PostgreSQL refuses to copy a template while any
    /// session is connected to it (the migrator's, just closed, may linger),
    /// and serial copies keep parallel tests from piling their I/O onto a
    /// shared server at once.
    creating: tokio::sync::Mutex<()>,
    next: AtomicU64,
    _sweeper: Option<Watchdog>,
}

impl Server {
    /// `sweep_at_exit`: on a server that outlives this process, drop every
    /// database it made once it exits, whatever the way (the watchdog).
    pub(crate) fn new(admin: Url, sweep_at_exit: bool) -> Result<Server> {
        let tag = format!("vst_{}_{:08x}", std::process::id(), rand::random::<u32>());
        let sweeper = if sweep_at_exit {
            crate::sweeper::spawn(&admin, &tag)?
        } else {
            None
        };
        Ok(Server {
            admin,
            tag,
            templates: Mutex::new(HashMap::new()),
            creating: tokio::sync::Mutex::new(()),
            next: AtomicU64::new(1),
            _sweeper: sweeper,
        })
    }

    /// A new database: a copy of `migrator`'s template, or empty.
    pub(crate) async fn database(
        self: &Arc<Self>,
        migrator: Option<&Migrator>,
    ) -> Result<TestDatabase> {
        let template = match migrator {
            Some(migrator) => Some(self.template(migrator).await?),
            None => None,
        };
        let name = format!("{}_{}", self.tag, self.next.fetch_add(1, Ordering::Relaxed));
        self.create(&name, template.as_deref()).await?;
        TestDatabase::open(Arc::clone(self), name).await
    }

    /// The URL of database `name` on this server.
    pub(crate) fn url_of(&self, name: &str) -> Url {
        let mut url = self.admin.clone();
        url.set_path(&format!("/{name}"));
        url
    }

    /// Drops database `name` on a thread of its own, so a test's end never
    /// waits on it; a failure leaves it to the sweep at exit.
    pub(crate) fn drop_in_background(&self, name: String) {
        let admin = self.admin.clone();
        let _ = std::thread::Builder::new()
            .name("pgtest-drop".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    let _ = runtime.block_on(drop_database(&admin, &name));
                }
            });
    }

    /// The template for these migrations, made and migrated on first use.
    async fn template(&self, migrator: &Migrator) -> Result<String> {
        let key = migrations_hash(migrator);
        let cell = Arc::clone(
            self.templates
                .lock()
                .expect("template map")
                .entry(key)
                .or_default(),
        );
        let name = format!("{}_tmpl_{key:016x}", self.tag);
        let built = cell.get_or_try_init(|| async {
            if let Err(err) = self.build_template(&name, migrator).await {
                // Leave no half-migrated template for the next try to trip on.
                let _ = drop_database(&self.admin, &name).await;
                return Err(err);
            }
            anyhow::Ok(name.clone())
        });
        built.await.cloned()
    }

    async fn build_template(&self, name: &str, migrator: &Migrator) -> Result<()> {
        self.create(name, None).await?;
        let url = self.url_of(name);
        let mut conn = PgConnection::connect(url.as_str())
            .await
            .with_context(|| format!("connecting to the new template {name}"))?;
        migrator
            .run(&mut conn)
            .await
            .with_context(|| format!("running the migrations into template {name}"))?;
        // Closed, not dropped: an open session would block every copy.
        conn.close()
            .await
            .context("closing the template's connection")
    }

    async fn create(&self, name: &str, template: Option<&str>) -> Result<()> {
        let sql = match template {
            Some(template) => format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#),
            None => format!(r#"CREATE DATABASE "{name}""#),
        };
        let _one_at_a_time = self.creating.lock().await;
        let mut conn = admin_connection(&self.admin).await?;
        let deadline = Instant::now() + TEMPLATE_BUSY_DEADLINE;
        let mut pause = Duration::from_millis(5);
        loop {
            match conn
                .execute(sqlx::raw_sql(AssertSqlSafe(sql.as_str())))
                .await
            {
                Ok(_) => break,
                // 55006: "source database … is being accessed by other users";
                // a just-closed session's backend may still be exiting.
                Err(err) if template_busy(&err) && Instant::now() < deadline => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(err) => {
                    return Err(err).with_context(|| format!("{sql} on {}", redact(&self.admin)))
                }
            }
        }
        conn.close().await.context("closing the admin connection")
    }
}

async fn admin_connection(admin: &Url) -> Result<PgConnection> {
    PgConnection::connect(admin.as_str())
        .await
        .with_context(|| format!("connecting to PostgreSQL at {}", redact(admin)))
}

async fn drop_database(admin: &Url, name: &str) -> Result<()> {
    let mut conn = admin_connection(admin).await?;
    // FORCE ends the sessions a test's pool may still hold.
    let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
    conn.execute(sqlx::raw_sql(AssertSqlSafe(sql))).await?;
    Ok(conn.close().await?)
}

fn template_busy(err: &sqlx::Error) -> bool {
    let code = err.as_database_error().and_then(|db| db.code());
    code.is_some_and(|code| code == "55006")
}

/// Same migrations, same hash: a changed schema gets a template of its own.
fn migrations_hash(migrator: &Migrator) -> u64 {
    let mut hasher = DefaultHasher::new();
    for migration in migrator.iter() {
        migration.version.hash(&mut hasher);
        migration.checksum.hash(&mut hasher);
        migration.no_tx.hash(&mut hasher);
    }
    hasher.finish()
}

/// The URL without its password, for error messages.
pub(crate) fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}
