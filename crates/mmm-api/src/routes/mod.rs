//! Route handlers, one module per area.

pub mod analytics;
pub mod auth;
pub mod datasets;
pub mod jobs;
pub mod models;
pub mod ops;
pub mod optimize;
