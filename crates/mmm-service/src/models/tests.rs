use super::*;
use crate::domain::{DatasetInfo, Role};
use crate::repository::{MockDatasetRepository, MockJobRepository, MockModelRepository};
use mmm_core::simulate::{SimConfig, simulate};

fn ann() -> Actor {
    Actor { user_id: "ann".into(), role: Role::User }
}

fn dataset(owner: &str) -> DatasetRecord {
    let data = simulate(&SimConfig { periods: 80, channels: 2, ..SimConfig::default() }).dataset;
    DatasetRecord {
        info: DatasetInfo {
            id: "d1".into(),
            owner_id: owner.into(),
            name: "d".into(),
            roles: data.roles.clone(),
            frequency: "weekly".into(),
            row_count: 80,
            history_count: 0,
            start_date: data.dates[0],
            end_date: data.dates[79],
            content_hash: String::new(),
            created_at: now(),
        },
        csv: data.to_csv(),
    }
}

/// Ann's model `id` of data set d1, with `status` and `document` (finished unless training).
fn ann_model(id: &str, status: ModelStatus, document: Option<String>) -> ModelRecord {
    let finished_at = (status != ModelStatus::Training).then(now);
    ModelRecord {
        info: ModelInfo {
            id: id.into(),
            owner_id: "ann".into(),
            dataset_id: "d1".into(),
            spec: TrainRequest::default(),
            status,
            metrics: None,
            created_at: now(),
            finished_at,
            name: None,
        },
        document,
    }
}

fn jobs_repo() -> MockJobRepository {
    let mut jobs = MockJobRepository::new();
    jobs.expect_fail_unfinished().times(0);
    jobs
}

fn start(
    models: MockModelRepository,
    jobs: MockJobRepository,
    datasets: MockDatasetRepository,
) -> Modelling {
    Modelling::start(
        Arc::new(models),
        Arc::new(jobs),
        Arc::new(datasets),
        Arc::new(ModelCache::new(8)),
        TrainingConfig { workers: 1, queue: 4 },
    )
    .unwrap()
}

#[test]
fn interrupted_jobs_are_failed_on_recovery() {
    let mut jobs = MockJobRepository::new();
    jobs.expect_fail_unfinished().withf(|m, _| m == INTERRUPTED).times(1).returning(|_, _| Ok(2));
    let service = start(MockModelRepository::new(), jobs, MockDatasetRepository::new());
    assert_eq!(service.recover_interrupted().unwrap(), 2);
}

#[test]
fn training_on_someone_elses_data_set_is_not_found_and_writes_nothing() {
    let mut datasets = MockDatasetRepository::new();
    datasets.expect_get().returning(|_| Ok(Some(dataset("bob"))));
    let mut models = MockModelRepository::new();
    models.expect_insert_with_job().times(0);
    let service = start(models, jobs_repo(), datasets);
    let request = TrainRequest { dataset_id: "d1".into(), ..TrainRequest::default() };
    assert_eq!(
        service.train(&ann(), &request, None).unwrap_err(),
        ServiceError::NotFound("dataset")
    );
}

#[test]
fn invalid_requests_are_refused_before_anything_is_stored() {
    let mut datasets = MockDatasetRepository::new();
    datasets.expect_get().returning(|_| Ok(Some(dataset("ann"))));
    let mut models = MockModelRepository::new();
    models.expect_insert_with_job().times(0);
    let service = start(models, jobs_repo(), datasets);
    let too_long = TrainRequest { dataset_id: "d1".into(), holdout: 70, ..TrainRequest::default() };
    assert!(matches!(service.train(&ann(), &too_long, None), Err(ServiceError::Data(_))));
    let unknown = TrainRequest {
        dataset_id: "d1".into(),
        media: Some(vec!["radio_spend".into()]),
        ..TrainRequest::default()
    };
    match service.train(&ann(), &unknown, None) {
        Err(ServiceError::Data(e)) => {
            assert!(e.problems[0].reason.starts_with("media column not found"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_model_is_stored_with_its_name_trimmed_and_a_blank_or_long_name_stores_nothing() {
    let mut datasets = MockDatasetRepository::new();
    datasets.expect_get().returning(|_| Ok(Some(dataset("ann"))));
    let mut models = MockModelRepository::new();
    models
        .expect_insert_with_job()
        .withf(|m, _| m.name.as_deref() == Some("Q3 refresh"))
        .times(1)
        .returning(|_, _| Ok(()));
    let service = start(models, jobs_repo(), datasets);
    let request = TrainRequest { dataset_id: "d1".into(), ..TrainRequest::default() };
    let (model, _) = service.train(&ann(), &request, Some("  Q3 refresh ")).unwrap();
    assert_eq!(model.name.as_deref(), Some("Q3 refresh"));
    let long = "x".repeat(MAX_NAME_LEN + 1);
    for bad in [" \t", long.as_str()] {
        assert_eq!(
            service.train(&ann(), &request, Some(bad)).unwrap_err(),
            ServiceError::Invalid("name must be 1 to 200 characters".into())
        );
    }
}

#[test]
fn only_the_owner_renames_a_model_and_a_bad_name_changes_nothing() {
    let mut models = MockModelRepository::new();
    models.expect_get().returning(|id| Ok(Some(ann_model(id, ModelStatus::Training, None))));
    // The one rename that reaches storage: Ann's, trimmed.
    models
        .expect_rename()
        .withf(|id, name| id == "m1" && *name == Some("with the lift test"))
        .times(1)
        .returning(|_, _| Ok(true));
    let service = start(models, jobs_repo(), MockDatasetRepository::new());
    service.rename(&ann(), "m1", Some(" with the lift test")).unwrap();
    let bob = Actor { user_id: "bob".into(), role: Role::User };
    assert_eq!(
        service.rename(&bob, "m1", Some("mine")).unwrap_err(),
        ServiceError::NotFound("model")
    );
    assert!(matches!(service.rename(&ann(), "m1", Some("")), Err(ServiceError::Invalid(_))));
}

#[test]
fn documents_are_cached_and_still_owner_checked() {
    let data = simulate(&SimConfig { periods: 80, channels: 2, ..SimConfig::default() }).dataset;
    let doc = fit(&data, &ModelSpec::default(), None).unwrap();
    let text = doc.to_json();
    let mut models = MockModelRepository::new();
    models
        .expect_get()
        .times(1)
        .returning(move |id| Ok(Some(ann_model(id, ModelStatus::Succeeded, Some(text.clone())))));
    let service = start(models, jobs_repo(), MockDatasetRepository::new());
    let first = service.document(&ann(), "m1").unwrap();
    let second = service.document(&ann(), "m1").unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(*first, doc);
    let bob = Actor { user_id: "bob".into(), role: Role::User };
    assert_eq!(service.document(&bob, "m1").unwrap_err(), ServiceError::NotFound("model"));
    let stats = service.cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.entries, stats.capacity), (2, 1, 1, 8));
}

#[test]
fn finished_jobs_cannot_be_cancelled() {
    let mut jobs = jobs_repo();
    jobs.expect_get().returning(|id| {
        Ok(Some(JobRecord {
            id: id.into(),
            owner_id: "ann".into(),
            model_id: "m1".into(),
            state: JobState::Succeeded,
            progress: 1.0,
            message: "done".into(),
            error: None,
            created_at: now(),
            started_at: Some(now()),
            finished_at: Some(now()),
        }))
    });
    let service = start(MockModelRepository::new(), jobs, MockDatasetRepository::new());
    assert!(matches!(service.cancel(&ann(), "j1"), Err(ServiceError::State(_))));
    let bob = Actor { user_id: "bob".into(), role: Role::User };
    assert_eq!(JobService::get(&service, &bob, "j1").unwrap_err(), ServiceError::NotFound("job"));
    // A finished job's stream closes at once.
    let (job, mut rx) = service.subscribe(&ann(), "j1").unwrap();
    assert_eq!(job.state, JobState::Succeeded);
    assert!(matches!(rx.try_recv(), Err(broadcast::error::TryRecvError::Closed)));
}

#[test]
fn a_fit_whose_model_cannot_be_read_back_fails_and_stores_no_document() {
    // JSON writes an infinite figure as null, which no reader accepts: storing it would leave a
    // model that every route fails on.
    let data = simulate(&SimConfig { periods: 80, channels: 2, ..SimConfig::default() }).dataset;
    let mut doc = fit(&data, &ModelSpec { starts: 1, ..ModelSpec::default() }, None).unwrap();
    doc.channels[1].mroi = f64::INFINITY;
    let mut models = MockModelRepository::new();
    models
        .expect_get()
        .times(1)
        .returning(|id| Ok(Some(ann_model(id, ModelStatus::Training, None))));
    models
        .expect_finish()
        .withf(|m, j| {
            m.document.is_none()
                && m.info.status == ModelStatus::Failed
                && j.state == JobState::Failed
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let service = start(models, jobs_repo(), MockDatasetRepository::new());
    let job = JobRecord {
        id: "j1".into(),
        owner_id: "ann".into(),
        model_id: "m1".into(),
        state: JobState::Running,
        progress: 0.5,
        message: "fitting".into(),
        error: None,
        created_at: now(),
        started_at: Some(now()),
        finished_at: None,
    };
    let done = service.inner.end("m1", job, Ok(doc)).unwrap();
    assert_eq!(done.state, JobState::Failed);
    let error = done.error.unwrap();
    assert!(error.starts_with("the fit produced a model that cannot be stored"), "{error}");
}

#[test]
fn backtests_beyond_the_limit_wait_for_a_place() {
    let running = AtomicUsize::new(0);
    let first = BacktestSlot::take(&running, 2).expect("a first place");
    let second = BacktestSlot::take(&running, 2).expect("a second place");
    assert!(BacktestSlot::take(&running, 2).is_none(), "a third backtest is refused");
    assert_eq!(running.load(Ordering::SeqCst), 2, "the refused one gave its place back");
    drop(first);
    let third = BacktestSlot::take(&running, 2);
    assert!(third.is_some(), "an ended backtest frees its place");
    drop((second, third));
    assert_eq!(running.load(Ordering::SeqCst), 0);
}

#[test]
fn a_channel_added_by_a_training_takes_its_units_from_an_old_data_sets_controls() {
    // Roles as stored before a left-out channel's units were left out with it: TV's impressions
    // taken for a control.
    let mut record = dataset("ann");
    let roles = &mut record.info.roles;
    roles.media = vec!["search_spend".into()];
    roles.media_units_of = Some(Default::default());
    roles.controls = vec!["tv_impressions".into(), "price_index".into(), "promo".into()];
    roles.ignored = vec!["tv_spend".into()];
    let media = Some(vec!["tv_spend".to_owned(), "search_spend".to_owned()]);
    let request = TrainRequest { media: media.clone(), ..TrainRequest::default() };
    let options = options_for(&record, &request);
    let pairs = options.media_units.expect("pairs");
    assert_eq!(pairs.get("tv_spend").map(String::as_str), Some("tv_impressions"));
    assert_eq!(pairs.len(), 1);
    assert_eq!(options.controls.expect("controls"), ["price_index", "promo"]);
    // Controls named by the request are the request's: TV stays on its spend.
    let controls = Some(vec!["TV_Impressions".to_owned(), "promo".to_owned()]);
    let request = TrainRequest { media, controls: controls.clone(), ..TrainRequest::default() };
    let options = options_for(&record, &request);
    assert_eq!(options.media_units.expect("pairs").len(), 0);
    assert_eq!(options.controls, controls);
    // A request that keeps the stored media keeps the stored pairs, whatever the file has.
    let options = options_for(&record, &TrainRequest::default());
    assert_eq!(options.media_units.expect("pairs").len(), 0);
    assert_eq!(options.controls.expect("controls").len(), 3);
}
