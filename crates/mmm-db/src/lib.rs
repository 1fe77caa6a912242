//! # mmm-db
//!
//! Storage for mmm with diesel: one schema and one set of queries for SQLite (the embedded
//! default) and PostgreSQL, chosen by `DATABASE_URL`; r2d2 pools; embedded migrations per
//! backend; and the implementations of `mmm-service`'s repository traits.

mod any;
pub mod connection;
pub mod repo;
mod rows;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;

pub use connection::{
    AnyConnection, DEFAULT_DATABASE_URL, DatabaseUrl, DbError, DbStatus, Pool, migrate, pool,
    revert_all, status,
};
pub use repo::DbRepository;
