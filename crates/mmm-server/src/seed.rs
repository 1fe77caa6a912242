//! `mmm seed`: the documented test users, and for the demo user an example data set and a fitted
//! model, created only if missing.

use crate::app::services;
use crate::config::Config;
use anyhow::{Context, anyhow};
use mmm_service::domain::{JobState, Page, Role, TrainRequest};
use mmm_service::{JobService, ModelService, PasswordPolicy, UploadRoles};
use tokio::sync::broadcast::error::RecvError;

/// The seeded accounts: email, password, role.
pub const SEED_USERS: [(&str, &str, Role); 3] = [
    ("test@example.com", "test123", Role::User),
    ("admin@example.com", "admin123", Role::Admin),
    ("demo@example.com", "demo123", Role::User),
];

/// The example data set given to the demo user.
pub const EXAMPLE_CSV: &str = include_str!("../../../fixtures/example.csv");

/// The name the demo model is given.
pub const DEMO_MODEL_NAME: &str = "Demo model, the last 13 weeks held out";

/// Creates whatever of the seed is missing; prints what it did.
pub fn seed(config: &Config) -> anyhow::Result<()> {
    let (state, modelling) = services(config)?;
    let mut demo = None;
    for (email, password, role) in SEED_USERS {
        let user = match state.users.find_by_email(email)? {
            Some(u) => {
                println!("user {email} exists");
                u
            }
            None => {
                let u =
                    state.users.create(email, password, None, role, PasswordPolicy::SeedOnly)?;
                println!("created {role} {email} (password {password})");
                u
            }
        };
        if email == "demo@example.com" {
            demo = Some(user);
        }
    }
    let demo = demo.ok_or_else(|| anyhow!("demo user missing"))?.actor();

    let datasets = state.datasets.list(&demo, Page { offset: 0, limit: Some(1) })?;
    let dataset = match datasets.items.into_iter().next() {
        Some(d) => {
            println!("demo data set exists ({})", d.name);
            d
        }
        None => {
            let d = state
                .datasets
                .upload(
                    &demo,
                    "example weekly revenue",
                    EXAMPLE_CSV.as_bytes(),
                    &UploadRoles::default(),
                )?
                .info;
            println!(
                "uploaded the demo data set ({} rows, {} channels)",
                d.row_count,
                d.roles.media.len()
            );
            d
        }
    };
    if state.models.latest(&demo).is_ok() {
        println!("demo model exists");
        return Ok(());
    }
    let request = TrainRequest {
        dataset_id: dataset.id,
        holdout: 13,
        seed: Some(1),
        ..TrainRequest::default()
    };
    let (model, job) = state.models.train(&demo, &request, Some(DEMO_MODEL_NAME))?;
    let (mut current, mut events) = modelling.subscribe(&demo, &job.id)?;
    while !current.state.is_terminal() {
        match events.blocking_recv() {
            Ok(_) | Err(RecvError::Lagged(_)) => {
                current = JobService::get(&*modelling, &demo, &job.id)?
            }
            Err(RecvError::Closed) => {
                current = JobService::get(&*modelling, &demo, &job.id)?;
                break;
            }
        }
    }
    if current.state != JobState::Succeeded {
        return Err(anyhow!(
            "the demo model did not fit: {}",
            current.error.unwrap_or(current.message)
        ));
    }
    let info =
        ModelService::get(&*modelling, &demo, &model.id).context("reading the demo model")?;
    println!("fitted the demo model {} ({})", info.id, info.status);
    Ok(())
}
