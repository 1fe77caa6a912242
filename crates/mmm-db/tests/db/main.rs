//! mmm-db and the services against real databases: every test runs on SQLite and on PostgreSQL.
//!
//! PostgreSQL tests need a server: `make test` starts a throwaway one with
//! `scripts/with-postgres.sh`, which sets `DATABASE_URL`. Each test gets a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod backend;
mod repositories;
mod services;
