//! # mmm-service
//!
//! The service layer of mmm: repository traits (what storage must provide, implemented by
//! `mmm-db`), service traits (what the API calls), and their implementations over `mmm-core`.
//! Every trait has a mockall mock behind the `mock` feature, so each layer is tested against
//! mocks of the layer below.

pub mod accounts;
pub mod domain;
pub mod error;
pub mod repository;

pub use accounts::{Accounts, AuthConfig, AuthService, Claims, PasswordPolicy, Token, UserService};
pub use domain::{Actor, Role};
pub use error::{RepoError, ServiceError};
pub mod cache;
pub mod datasets;
pub mod models;

pub use cache::{CacheStats, ModelCache};
pub use datasets::{DatasetService, Datasets, UploadRoles, Uploaded};
pub use models::{JobService, ModelService, Modelling, TrainingConfig};
