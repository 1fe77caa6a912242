//! Fresh databases for tests, on both backends.

use mmm_db::{DatabaseUrl, DbRepository, Pool, migrate, pool};

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

pub fn postgres() -> TestDb {
    let url = DatabaseUrl::parse(&mmm_db::testing::fresh_postgres_database().unwrap()).unwrap();
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
