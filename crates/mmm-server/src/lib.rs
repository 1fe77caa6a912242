//! The `mmm` server as a library: configuration, wiring and seeding, shared by the binary and
//! the end-to-end tests (which start the real application on a free port).

pub mod app;
pub mod config;
pub mod seed;
