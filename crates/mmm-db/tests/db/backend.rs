//! Fresh databases for tests, on both backends.

use mmm_db::{DatabaseUrl, DbRepository, Pool, migrate, pool};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A migrated database that lives as long as this value.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub pool: Pool,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn repo(&self) -> DbRepository {
        DbRepository::new(self.pool.clone())
    }
}

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::parse(dir.path().join("nested/mmm.db").to_str().unwrap()).unwrap();
    let pool = pool(&url, 8).unwrap();
    migrate(&mut pool.get().unwrap()).unwrap();
    TestDb { url, pool, _dir: Some(dir) }
}

/// The server started by scripts/with-postgres.sh.
fn postgres_base() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .expect(
            "PostgreSQL tests need a server: run `make test`, or \
             `scripts/with-postgres.sh cargo test -p mmm-db`",
        )
}

pub fn postgres() -> TestDb {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let base = postgres_base();
    let name = format!("t_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut admin = DatabaseUrl::parse(&base).unwrap().connect().unwrap();
    use diesel::connection::SimpleConnection;
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let url = DatabaseUrl::parse(&format!("{prefix}/{name}")).unwrap();
    let pool = pool(&url, 8).unwrap();
    migrate(&mut pool.get().unwrap()).unwrap();
    TestDb { url, pool, _dir: None }
}

/// Declares `sqlite` and `postgres` variants of a test body `fn(TestDb)`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::backend::sqlite()); })+
        }
        mod postgres {
            $(#[test] fn $name() { super::$name($crate::backend::postgres()); })+
        }
    };
}
