//! Support for tests of this crate and the crates above it (feature `testing`): fresh,
//! migrated databases on either backend.

use crate::connection::{DatabaseUrl, DbError};
use diesel::connection::SimpleConnection;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The PostgreSQL server the tests use: `TEST_POSTGRES_URL`, else a `postgres://` `DATABASE_URL`
/// (scripts/with-postgres.sh sets it; `make test` runs the suite under it).
pub fn postgres_server_url() -> Result<String, DbError> {
    std::env::var("TEST_POSTGRES_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .ok_or_else(|| {
            DbError::Url(
                "PostgreSQL tests need a server: run `make test`, or prefix the command with \
                 scripts/with-postgres.sh"
                    .to_owned(),
            )
        })
}

/// Creates an empty database on the test server and returns its URL.
pub fn fresh_postgres_database() -> Result<String, DbError> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let base = postgres_server_url()?;
    let name = format!("t_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut admin = DatabaseUrl::parse(&base)?.connect()?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(|e| DbError::Query(e.to_string()))?;
    let (prefix, _) = base
        .rsplit_once('/')
        .ok_or_else(|| DbError::Url("no database name in the URL".to_owned()))?;
    Ok(format!("{prefix}/{name}"))
}
