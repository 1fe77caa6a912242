//! One connection type for both backends. The derive generates public helper types (the
//! multi-backend and its bind collector) that carry no documentation of their own.
#![allow(missing_docs)]

use diesel::{PgConnection, SqliteConnection};

/// One connection to either backend: the same queries run on both.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL.
    Postgresql(PgConnection),
    /// SQLite.
    Sqlite(SqliteConnection),
}
