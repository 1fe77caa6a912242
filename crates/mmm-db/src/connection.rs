//! Connections, pools and migrations for both backends.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::path::PathBuf;
use std::time::Duration;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Default SQLite database file, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "data/mmm.db";

pub use crate::any::AnyConnection;

/// A database problem at start-up or in operations.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no usable database.
    #[error("invalid DATABASE_URL: {0}")]
    Url(String),
    /// Connecting failed.
    #[error("cannot connect to the {backend} database: {message}")]
    Connect {
        /// Backend name.
        backend: &'static str,
        /// The driver's message (never contains the password: the URL is not echoed).
        message: String,
    },
    /// A query or migration failed.
    #[error("database error: {0}")]
    Query(String),
}

/// Which backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// PostgreSQL, with the libpq URL.
    Postgres(String),
    /// SQLite, with the file path.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// `postgres://...` or `postgresql://...` is PostgreSQL; `sqlite://path` or a plain path is a
    /// SQLite file.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        let path =
            url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() {
            return Err(DbError::Url("empty path".to_owned()));
        }
        if path == ":memory:" {
            return Err(DbError::Url(
                "':memory:' gives every pooled connection its own empty database; use a file"
                    .to_owned(),
            ));
        }
        if path.contains("://") {
            return Err(DbError::Url(format!(
                "unsupported scheme in '{}'",
                path.split("://").next().unwrap_or("")
            )));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    /// The location without any password, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => {
                let Some((scheme, rest)) = url.split_once("://") else {
                    return "postgresql".to_owned();
                };
                match rest.rsplit_once('@') {
                    Some((userinfo, host)) => {
                        let user = userinfo.split(':').next().unwrap_or("");
                        format!("{scheme}://{user}@{host}")
                    }
                    None => url.clone(),
                }
            }
        }
    }

    /// `sqlite` or `postgresql`.
    pub fn backend(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "postgresql",
            DatabaseUrl::Sqlite(_) => "sqlite",
        }
    }

    /// Opens one connection, creating the SQLite file (and its folder) if needed.
    pub fn connect(&self) -> Result<AnyConnection, DbError> {
        match self {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(|e| DbError::Connect { backend: "postgresql", message: e.to_string() }),
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| DbError::Connect {
                        backend: "sqlite",
                        message: format!("cannot create {}: {e}", dir.display()),
                    })?;
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| DbError::Connect { backend: "sqlite", message: e.to_string() })?;
                // WAL lets readers proceed during a write; the busy timeout makes writers wait
                // instead of failing with "database is locked".
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| DbError::Connect { backend: "sqlite", message: e.to_string() })?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// r2d2 manager that dispatches on the URL scheme (so connection errors are the real ones).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = DbError;

    fn connect(&self) -> Result<AnyConnection, DbError> {
        self.url.connect()
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(|e| DbError::Query(e.to_string()))
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

/// A pool of connections.
pub type Pool = r2d2::Pool<Manager>;

/// Opens a pool of at most `size` connections and checks that one connects.
pub fn pool(url: &DatabaseUrl, size: u32) -> Result<Pool, DbError> {
    // Fail fast with the driver's message rather than r2d2's timeout.
    drop(url.connect()?);
    r2d2::Pool::builder()
        .max_size(size.max(1))
        // Open connections as load needs them, not all at start.
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { url: url.clone() })
        .map_err(|e| DbError::Connect { backend: url.backend(), message: e.to_string() })
}

fn migration_error(e: impl std::fmt::Display) -> DbError {
    DbError::Query(format!("migration failed: {e}"))
}

/// Runs every pending migration; returns the versions applied.
pub fn migrate(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => {
            c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(migration_error)?
        }
        AnyConnection::Postgresql(c) => {
            c.run_pending_migrations(POSTGRES_MIGRATIONS).map_err(migration_error)?
        }
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration (drops all tables); returns the versions reverted.
pub fn revert_all(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    let reverted = match conn {
        AnyConnection::Sqlite(c) => {
            c.revert_all_migrations(SQLITE_MIGRATIONS).map_err(migration_error)?
        }
        AnyConnection::Postgresql(c) => {
            c.revert_all_migrations(POSTGRES_MIGRATIONS).map_err(migration_error)?
        }
    };
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// What `mmm check-db` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbStatus {
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
    /// Server or library version.
    pub version: String,
    /// Applied migration versions.
    pub applied: Vec<String>,
    /// Pending migration versions.
    pub pending: Vec<String>,
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Backend, version and migration state of a database.
pub fn status(conn: &mut AnyConnection) -> Result<DbStatus, DbError> {
    let q = |e: diesel::result::Error| DbError::Query(e.to_string());
    let (backend, version, applied, pending) = match conn {
        AnyConnection::Sqlite(c) => {
            let v: VersionRow =
                diesel::sql_query("SELECT sqlite_version() AS version").get_result(c).map_err(q)?;
            let applied = c.applied_migrations().map_err(migration_error)?;
            let pending = c.pending_migrations(SQLITE_MIGRATIONS).map_err(migration_error)?;
            (
                "sqlite",
                v.version,
                applied,
                pending.iter().map(|m| m.name().version().to_string()).collect::<Vec<_>>(),
            )
        }
        AnyConnection::Postgresql(c) => {
            let v: VersionRow =
                diesel::sql_query("SELECT current_setting('server_version') AS version")
                    .get_result(c)
                    .map_err(q)?;
            let applied = c.applied_migrations().map_err(migration_error)?;
            let pending = c.pending_migrations(POSTGRES_MIGRATIONS).map_err(migration_error)?;
            (
                "postgresql",
                v.version,
                applied,
                pending.iter().map(|m| m.name().version().to_string()).collect(),
            )
        }
    };
    Ok(DbStatus {
        backend,
        version,
        applied: applied.iter().map(ToString::to_string).collect(),
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("data/mmm.db").unwrap(),
            DatabaseUrl::Sqlite("data/mmm.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://x/y.db").unwrap(),
            DatabaseUrl::Sqlite("x/y.db".into())
        );
        assert_eq!(DatabaseUrl::parse("sqlite:y.db").unwrap(), DatabaseUrl::Sqlite("y.db".into()));
        let pg = DatabaseUrl::parse("postgres://u:secret@h:5432/db").unwrap();
        assert_eq!(pg.backend(), "postgresql");
        assert_eq!(pg.redacted(), "postgres://u@h:5432/db");
        assert!(!pg.redacted().contains("secret"));
        assert!(DatabaseUrl::parse(":memory:").is_err());
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn connection_errors_name_the_backend() {
        let err = DatabaseUrl::parse("postgres://nobody@127.0.0.1:1/none")
            .unwrap()
            .connect()
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("cannot connect to the postgresql database"), "{err}");
    }
}
