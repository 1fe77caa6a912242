//! Wiring: concrete storage and services behind the API's traits, and the HTTP server.

use crate::config::Config;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::Logger;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use mmm_api::AppState;
use mmm_api::ratelimit::RateLimiter;
use mmm_db::{DatabaseUrl, DbRepository};
use mmm_service::{Accounts, AuthConfig, Datasets, ModelCache, Modelling, TrainingConfig};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Opens the database (migrating it) and builds every service.
pub fn services(config: &Config) -> anyhow::Result<(AppState, Arc<Modelling>)> {
    let url = DatabaseUrl::parse(&config.database_url)?;
    let pool = mmm_db::pool(&url, config.db_pool_size)?;
    let mut conn = pool.get().context("no database connection")?;
    let applied = mmm_db::migrate(&mut conn)?;
    drop(conn);
    if !applied.is_empty() {
        log::info!("applied {} migration(s) to {}", applied.len(), url.redacted());
    }
    let repo = Arc::new(DbRepository::new(pool));
    let cache = Arc::new(ModelCache::new(config.model_cache_size));
    let accounts = Arc::new(Accounts::new(
        repo.clone(),
        AuthConfig {
            secret: config.secret_key.clone(),
            token_ttl_minutes: config.token_ttl_minutes,
            bcrypt_cost: config.bcrypt_cost,
        },
    )?);
    let modelling = Arc::new(Modelling::start(
        repo.clone(),
        repo.clone(),
        repo.clone(),
        cache.clone(),
        TrainingConfig { workers: config.training_workers, queue: 64 },
    )?);
    let state = AppState {
        auth: accounts.clone(),
        users: accounts,
        datasets: Arc::new(Datasets::new(repo.clone(), cache)),
        models: modelling.clone(),
        jobs: modelling.clone(),
        health: repo,
        login_limiter: Arc::new(RateLimiter::new(
            config.login_attempts_per_minute,
            Duration::from_secs(60),
        )),
        max_upload_bytes: config.max_upload_mb * 1024 * 1024,
        curve_cache: Arc::new(mmm_api::state::ResponseCache::default()),
    };
    Ok((state, modelling))
}

/// A built server, bound to its port.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Builds the whole stack and binds the listener (port 0 picks a free one). Jobs left
    /// unfinished by a previous process are failed before the first request.
    pub fn build(config: &Config) -> anyhow::Result<Self> {
        let (state, modelling) = services(config)?;
        modelling.recover_interrupted()?;
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .with_context(|| format!("cannot listen on {}:{}", config.host, config.port))?;
        let port = listener.local_addr()?.port();
        let origins = config.allowed_origins.clone();
        let data = web::Data::new(state);
        let site = web::Data::new(mmm_api::site::Site::new(&config.web_dir));
        if site.is_built() {
            log::info!("dashboard served from {}", config.web_dir.display());
        } else {
            log::warn!(
                "no dashboard at {} (run `make build`); serving the API only",
                config.web_dir.display()
            );
        }
        let server = HttpServer::new(move || {
            let mut cors = Cors::default()
                .allowed_methods(["GET", "POST", "DELETE"])
                .allowed_headers(["authorization", "content-type"])
                .max_age(3600);
            for origin in &origins {
                cors = cors.allowed_origin(origin);
            }
            App::new()
                .app_data(data.clone())
                .app_data(site.clone())
                // Innermost, so the log and CORS still see the HEAD the client sent.
                .wrap(actix_web::middleware::from_fn(mmm_api::head_as_get))
                .wrap(cors)
                .wrap(mmm_api::security_headers())
                // The path without its query string: a WebSocket token may ride in the query.
                .wrap(
                    Logger::new("%a \"%{method}xi %U\" %s %b %Dms")
                        .custom_request_replace("method", |req| req.method().to_string()),
                )
                .configure(mmm_api::configure)
                .default_service(web::to(mmm_api::site::fallback))
        })
        .workers(config.workers)
        .shutdown_timeout(30)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until a shutdown signal; running requests are allowed to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
