//! # mmm-core
//!
//! The media mix modelling engine of mmm: loading and validating data sets, media transforms
//! (adstock and saturation), the model and its fit, the model document, and a simulator with
//! known truth. Pure domain code: no I/O beyond bytes in and values out, no database, no HTTP.
//!
//! ```text
//! KPI_t = intercept + trend + seasonality + controls
//!         + Σ_c beta_c · sat_c(adstock_c(spend_c)_t / scale_c) + noise
//! ```

pub mod backtest;
pub mod baseline;
pub mod checks;
pub mod dataset;
pub mod document;
pub mod events;
pub mod export;
pub mod fit;
pub mod insights;
mod linalg;
pub mod metrics;
pub mod optimize;
pub mod params;
pub mod plan;
pub mod score;
pub mod simulate;
pub mod spec;
pub mod summary;
pub mod text;
pub mod transforms;

pub use dataset::{
    DataErrors, Dataset, Frequency, LoadOptions, Problem, load_csv, load_csv_for_scoring,
};
pub use document::{ChannelResult, ModelDocument};
pub use fit::{FitError, FitProgress, fit};
pub use spec::{ModelSpec, Priors};
