//! Server configuration from the environment (and `.env`), validated at start.

use std::collections::HashMap;

/// The development signing secret; refused in production.
pub const DEFAULT_SECRET_KEY: &str = "mmm-development-secret-do-not-use-in-production";
/// Shortest secret accepted in production.
pub const MIN_SECRET_LEN: usize = 32;

/// Where the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local use: a default secret is allowed (with a warning).
    Development,
    /// Production: a real secret is required.
    Production,
}

/// Every setting of the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: SQLite path or `postgres://` URL.
    pub database_url: String,
    /// `SECRET_KEY`: JWT signing secret.
    pub secret_key: String,
    /// `ENVIRONMENT`: `development` (default) or `production`.
    pub environment: Environment,
    /// `ALLOWED_ORIGINS`: comma-separated origins allowed by CORS (none by default).
    pub allowed_origins: Vec<String>,
    /// `HOST` (default 127.0.0.1).
    pub host: String,
    /// `PORT` (default 8000; 0 picks a free port).
    pub port: u16,
    /// `TOKEN_TTL_MINUTES` (default 30).
    pub token_ttl_minutes: i64,
    /// `BCRYPT_COST` (default 12).
    pub bcrypt_cost: u32,
    /// `MAX_UPLOAD_MB` (default 10).
    pub max_upload_mb: usize,
    /// `WORKERS`: HTTP worker threads (default: one per core).
    pub workers: usize,
    /// `TRAINING_WORKERS`: fits running at once (default: one per core).
    pub training_workers: usize,
    /// `DB_POOL_SIZE` (default 10).
    pub db_pool_size: u32,
    /// `MODEL_CACHE_SIZE`: parsed models kept in memory (default 64).
    pub model_cache_size: usize,
    /// `LOGIN_ATTEMPTS_PER_MINUTE` per client address and per email (default 10).
    pub login_attempts_per_minute: u32,
    /// `WEB_DIR`: the built dashboard (default `web/dist`); the API works without it.
    pub web_dir: std::path::PathBuf,
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

fn parse<T: std::str::FromStr>(
    vars: &HashMap<String, String>,
    key: &str,
    default: T,
) -> Result<T, ConfigError> {
    match vars.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError(format!("{key}='{v}' is not valid"))),
    }
}

impl Config {
    /// Reads `.env` (if present) and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Builds and validates a configuration from variables.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let environment = match vars.get("ENVIRONMENT").map(|s| s.trim().to_lowercase()).as_deref()
        {
            None | Some("") | Some("development") | Some("dev") | Some("test") => {
                Environment::Development
            }
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "ENVIRONMENT='{other}': use development or production"
                )));
            }
        };
        let secret = vars.get("SECRET_KEY").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let secret_key = match (environment, secret) {
            (Environment::Production, None) => {
                return Err(ConfigError("SECRET_KEY must be set in production".to_owned()));
            }
            (Environment::Production, Some(s))
                if s == DEFAULT_SECRET_KEY || s.len() < MIN_SECRET_LEN =>
            {
                return Err(ConfigError(format!(
                    "SECRET_KEY must be a random secret of at least {MIN_SECRET_LEN} characters in production, \
                     not the default"
                )));
            }
            (_, Some(s)) => s,
            (Environment::Development, None) => DEFAULT_SECRET_KEY.to_owned(),
        };
        let config = Self {
            database_url: vars
                .get("DATABASE_URL")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| mmm_db::DEFAULT_DATABASE_URL.to_owned()),
            secret_key,
            environment,
            allowed_origins: vars
                .get("ALLOWED_ORIGINS")
                .map(|s| {
                    s.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()
                })
                .unwrap_or_default(),
            host: parse(vars, "HOST", "127.0.0.1".to_owned())?,
            port: parse(vars, "PORT", 8000)?,
            token_ttl_minutes: parse(
                vars,
                "TOKEN_TTL_MINUTES",
                mmm_service::accounts::DEFAULT_TOKEN_TTL_MINUTES,
            )?,
            bcrypt_cost: parse(vars, "BCRYPT_COST", mmm_service::accounts::DEFAULT_BCRYPT_COST)?,
            max_upload_mb: parse(vars, "MAX_UPLOAD_MB", 10)?,
            workers: parse(vars, "WORKERS", cores)?,
            training_workers: parse(vars, "TRAINING_WORKERS", cores)?,
            db_pool_size: parse(vars, "DB_POOL_SIZE", 10)?,
            model_cache_size: parse(vars, "MODEL_CACHE_SIZE", 64)?,
            login_attempts_per_minute: parse(vars, "LOGIN_ATTEMPTS_PER_MINUTE", 10)?,
            web_dir: parse(vars, "WEB_DIR", std::path::PathBuf::from("web/dist"))?,
        };
        if !(4..=31).contains(&config.bcrypt_cost) {
            return Err(ConfigError(format!(
                "BCRYPT_COST={} must be between 4 and 31",
                config.bcrypt_cost
            )));
        }
        if config.token_ttl_minutes < 1 {
            return Err(ConfigError("TOKEN_TTL_MINUTES must be at least 1".to_owned()));
        }
        if config.max_upload_mb < 1
            || config.workers < 1
            || config.training_workers < 1
            || config.db_pool_size < 1
        {
            return Err(ConfigError(
                "MAX_UPLOAD_MB, WORKERS, TRAINING_WORKERS and DB_POOL_SIZE must be at least 1"
                    .to_owned(),
            ));
        }
        Ok(config)
    }

    /// Whether the development secret is in use.
    pub fn uses_default_secret(&self) -> bool {
        self.secret_key == DEFAULT_SECRET_KEY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_for_development() {
        let c = Config::from_vars(&vars(&[])).unwrap();
        assert_eq!(c.environment, Environment::Development);
        assert!(c.uses_default_secret());
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 8000));
        assert_eq!((c.token_ttl_minutes, c.bcrypt_cost, c.max_upload_mb), (30, 12, 10));
        assert_eq!(c.database_url, "data/mmm.db");
        assert!(c.allowed_origins.is_empty());
    }

    #[test]
    fn production_refuses_missing_default_or_short_secrets() {
        for secret in [None, Some(DEFAULT_SECRET_KEY), Some("short")] {
            let mut v = vars(&[("ENVIRONMENT", "production")]);
            if let Some(s) = secret {
                v.insert("SECRET_KEY".into(), s.into());
            }
            let err = Config::from_vars(&v).unwrap_err().to_string();
            assert!(err.contains("SECRET_KEY"), "{err}");
        }
        let ok = Config::from_vars(&vars(&[
            ("ENVIRONMENT", "production"),
            ("SECRET_KEY", &"k".repeat(40)),
        ]))
        .unwrap();
        assert!(!ok.uses_default_secret());
    }

    #[test]
    fn values_are_parsed_and_checked() {
        let c = Config::from_vars(&vars(&[
            ("PORT", "0"),
            ("ALLOWED_ORIGINS", "http://a.com, http://b.com"),
            ("BCRYPT_COST", "4"),
        ]))
        .unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.allowed_origins, ["http://a.com", "http://b.com"]);
        assert!(
            Config::from_vars(&vars(&[("PORT", "eighty")]))
                .unwrap_err()
                .to_string()
                .contains("PORT='eighty'")
        );
        assert!(Config::from_vars(&vars(&[("BCRYPT_COST", "3")])).is_err());
        assert!(Config::from_vars(&vars(&[("ENVIRONMENT", "staging")])).is_err());
    }
}
