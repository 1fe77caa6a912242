//! The services over the real repositories: accounts, uploads, training with live progress.

use crate::backend::TestDb;
use mmm_core::simulate::{SimConfig, simulate};
use mmm_service::domain::{JobState, ModelStatus, Page, Role, TrainRequest};
use mmm_service::{
    Accounts, AuthConfig, AuthService, DatasetService, Datasets, JobService, ModelCache,
    ModelService, Modelling, ServiceError, TrainingConfig, UploadRoles, UserService,
};
use std::sync::Arc;
use std::time::Duration;

crate::on_both!(
    accounts_register_and_login,
    upload_train_follow_and_read,
    cancel_queued_and_running_jobs
);

struct Stack {
    accounts: Accounts,
    datasets: Datasets,
    modelling: Modelling,
}

fn stack(db: &TestDb, workers: usize) -> Stack {
    let repo = Arc::new(db.repo());
    let cache = Arc::new(ModelCache::new(4));
    Stack {
        accounts: Accounts::new(
            repo.clone(),
            AuthConfig { secret: "x".repeat(32), token_ttl_minutes: 30, bcrypt_cost: 4 },
        )
        .unwrap(),
        datasets: Datasets::new(repo.clone(), cache.clone()),
        modelling: Modelling::start(
            repo.clone(),
            repo.clone(),
            repo,
            cache,
            TrainingConfig { workers, queue: 8 },
        )
        .unwrap(),
    }
}

fn accounts_register_and_login(db: TestDb) {
    let s = stack(&db, 1);
    let (user, token) = s.accounts.register("Ann@Example.com", "correct horse", None).unwrap();
    assert_eq!(s.accounts.verify(&token.access_token).unwrap().sub, user.id);
    assert!(matches!(
        s.accounts.register("ann@example.com", "another one", None),
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(s.accounts.login("ann@EXAMPLE.com", "correct horse").unwrap().0.id, user.id);
    assert!(matches!(
        s.accounts.login("ann@example.com", "wrong horse"),
        Err(ServiceError::Unauthorized(_))
    ));
    let admin = s
        .accounts
        .create(
            "root@example.com",
            "admin123",
            None,
            Role::Admin,
            mmm_service::PasswordPolicy::SeedOnly,
        )
        .unwrap();
    assert_eq!(s.accounts.list(&admin.actor()).unwrap().len(), 2);
}

fn upload_train_follow_and_read(db: TestDb) {
    let s = stack(&db, 2);
    let ann = s.accounts.register("ann@example.com", "correct horse", None).unwrap().0.actor();
    let bob = s.accounts.register("bob@example.com", "correct horse", None).unwrap().0.actor();
    let csv = simulate(&SimConfig { periods: 104, channels: 3, seed: 2, ..SimConfig::default() })
        .dataset
        .to_csv();
    let info = s
        .datasets
        .upload(&ann, "weekly sales", csv.as_bytes(), &UploadRoles::default())
        .unwrap()
        .info;
    assert_eq!(s.datasets.get(&ann, &info.id).unwrap().csv, csv);
    assert_eq!(s.datasets.get(&bob, &info.id).unwrap_err(), ServiceError::NotFound("dataset"));
    // Bad data is refused with its problems and nothing is stored.
    let err = s.datasets.upload(
        &ann,
        "bad",
        b"date,revenue,tv_spend\n2024-01-01,1,-5\n",
        &UploadRoles::default(),
    );
    assert!(matches!(err, Err(ServiceError::Data(_))));
    assert_eq!(s.datasets.list(&ann, Page::ALL).unwrap().items.len(), 1);

    let request = TrainRequest {
        dataset_id: info.id.clone(),
        holdout: 8,
        seed: Some(3),
        ..TrainRequest::default()
    };
    assert_eq!(
        s.modelling.train(&bob, &request, None).unwrap_err(),
        ServiceError::NotFound("dataset")
    );
    let (model, job) = s.modelling.train(&ann, &request, Some("weekly")).unwrap();
    assert_eq!(job.state, JobState::Queued);
    let (_, mut events) = s.modelling.subscribe(&ann, &job.id).unwrap();
    let mut seen = Vec::new();
    loop {
        match events.blocking_recv() {
            Ok(e) => seen.push(e),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
        }
    }
    let last = seen.last().unwrap();
    assert_eq!(last.state, JobState::Succeeded, "{seen:?}");
    assert_eq!(last.progress, 1.0);
    assert!(
        seen.iter().any(|e| e.state == JobState::Running && e.progress > 0.0 && e.progress < 1.0)
    );
    assert!(seen.windows(2).all(|w| w[0].progress <= w[1].progress));

    let stored = JobService::get(&s.modelling, &ann, &job.id).unwrap();
    assert_eq!(stored.state, JobState::Succeeded);
    assert!(stored.started_at.is_some() && stored.finished_at.is_some());
    let m = ModelService::get(&s.modelling, &ann, &model.id).unwrap();
    assert_eq!(m.status, ModelStatus::Succeeded);
    assert_eq!(m.name.as_deref(), Some("weekly"));
    assert!(m.metrics.as_ref().unwrap()["r2"].as_f64().unwrap() > 0.5);
    assert_eq!(s.modelling.latest(&ann).unwrap().id, model.id);
    let doc = s.modelling.document(&ann, &model.id).unwrap();
    assert_eq!(doc.periods, 104);
    assert_eq!(doc.seed, 3);
    assert_eq!(doc.fit.holdout.as_ref().unwrap().periods, 8);
    assert_eq!(s.modelling.document(&bob, &model.id).unwrap_err(), ServiceError::NotFound("model"));
    assert_eq!(
        JobService::get(&s.modelling, &bob, &job.id).unwrap_err(),
        ServiceError::NotFound("job")
    );
    s.modelling.document(&ann, &model.id).unwrap();
    let stats = s.modelling.cache_stats();
    assert_eq!((stats.entries, stats.misses), (1, 1));
    assert!(stats.hits >= 2);

    // Deleting the data set removes its models, from storage and from the cache.
    s.datasets.delete(&ann, &info.id).unwrap();
    assert_eq!(s.modelling.document(&ann, &model.id).unwrap_err(), ServiceError::NotFound("model"));
    assert!(ModelService::list(&s.modelling, &ann, Page::ALL).unwrap().items.is_empty());
}

fn wait_for(s: &Stack, actor: &mmm_service::Actor, job: &str, state: JobState) {
    for _ in 0..500 {
        if JobService::get(&s.modelling, actor, job).unwrap().state == state {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("job {job} never reached {state}");
}

fn cancel_queued_and_running_jobs(db: TestDb) {
    let s = stack(&db, 1);
    let ann = s.accounts.register("ann@example.com", "correct horse", None).unwrap().0.actor();
    // A large fit keeps the single worker busy long enough to cancel it mid-run.
    let csv = simulate(&SimConfig { periods: 208, channels: 10, seed: 5, ..SimConfig::default() })
        .dataset
        .to_csv();
    let info =
        s.datasets.upload(&ann, "big", csv.as_bytes(), &UploadRoles::default()).unwrap().info;
    let request = TrainRequest { dataset_id: info.id.clone(), ..TrainRequest::default() };
    let (m1, running) = s.modelling.train(&ann, &request, None).unwrap();
    let (m2, queued) = s.modelling.train(&ann, &request, None).unwrap();

    let cancelled = s.modelling.cancel(&ann, &queued.id).unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    assert_eq!(
        ModelService::get(&s.modelling, &ann, &m2.id).unwrap().status,
        ModelStatus::Cancelled
    );
    assert!(matches!(s.modelling.cancel(&ann, &queued.id), Err(ServiceError::State(_))));

    wait_for(&s, &ann, &running.id, JobState::Running);
    s.modelling.cancel(&ann, &running.id).unwrap();
    wait_for(&s, &ann, &running.id, JobState::Cancelled);
    assert_eq!(
        ModelService::get(&s.modelling, &ann, &m1.id).unwrap().status,
        ModelStatus::Cancelled
    );
    assert!(matches!(s.modelling.document(&ann, &m1.id), Err(ServiceError::State(_))));
}
