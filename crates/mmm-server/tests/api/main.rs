//! The API end to end: the real application on a free port, real HTTP and WebSocket round trips,
//! on SQLite and on PostgreSQL (`make test` starts a throwaway server).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod helpers;

mod analytics;
mod auth;
mod budget;
mod datasets;
mod meridian;
mod openapi;
mod site;
mod training;
mod validation;
