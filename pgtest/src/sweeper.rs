//! The sweep of a shared server: when this process ends, by any road, every
//! database it made there (tests' leftovers, templates) is dropped.

use crate::watchdog::Watchdog;
use anyhow::Result;
use url::Url;

/// At exit, drops every database whose name starts with `tag_` (psql's
/// `\gexec` runs each generated DROP outside a transaction). Without psql
/// there is no sweep: the per-test drops still run, templates stay behind.
pub(crate) fn spawn(admin: &Url, tag: &str) -> Result<Option<Watchdog>> {
    let Some(psql) = crate::binaries::Binaries::psql() else {
        return Ok(None);
    };
    let sweep = format!(
        "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) \
         FROM pg_database WHERE starts_with(datname, '{tag}_') \\gexec"
    );
    let script = r#"printf '%s\n' "$3" | "$1" -X -q -d "$2" >/dev/null 2>&1"#;
    // A password goes by environment (readable by this user only), not argv.
    let mut url = admin.clone();
    let password = url.password().map(|encoded| {
        percent_encoding::percent_decode_str(encoded)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = url.set_password(None);
    let args = [psql.display().to_string(), url.to_string(), sweep];
    let env = password.map(|password| ("PGPASSWORD", password));
    Watchdog::spawn(script, &args, env).map(Some)
}
