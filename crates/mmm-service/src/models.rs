//! Models and training jobs: training off the caller's thread on a bounded worker pool, live
//! progress events, cancellation, and cached reads of fitted models.

use crate::cache::{CacheStats, CachedModel, ModelCache};
use crate::datasets::{MAX_NAME_LEN, checked_name, parse};
use crate::domain::{
    Actor, DatasetInfo, DatasetRecord, JobEvent, JobRecord, JobState, Listing, ModelInfo,
    ModelRecord, ModelStatus, Page, TrainRequest, new_id, now,
};
use crate::error::ServiceError;
use crate::repository::{DatasetRepository, JobRepository, ModelRepository};
use mmm_core::backtest::{Backtest, BacktestError};
use mmm_core::fit::{BayesSettings, fit_bayes};
use mmm_core::{FitError, FitProgress, LoadOptions, ModelDocument, ModelSpec, fit};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Message given to jobs found unfinished at start.
pub const INTERRUPTED: &str = "the server stopped before this job finished; train the model again";

/// Models: train, read, delete.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ModelService: Send + Sync {
    /// Validates the request and the model's name, if given, stores the model and its queued
    /// job, and hands the job to a worker.
    // mockall needs the named lifetime for a reference inside an Option.
    #[allow(clippy::needless_lifetimes)]
    fn train<'a>(
        &self,
        actor: &Actor,
        request: &TrainRequest,
        name: Option<&'a str>,
    ) -> Result<(ModelInfo, JobRecord), ServiceError>;
    /// A page of the actor's models (all for admins), newest first, with their number.
    fn list(&self, actor: &Actor, page: Page) -> Result<Listing<ModelInfo>, ServiceError>;
    /// One model's record.
    fn get(&self, actor: &Actor, id: &str) -> Result<ModelInfo, ServiceError>;
    /// The actor's most recent successfully fitted model.
    fn latest(&self, actor: &Actor) -> Result<ModelInfo, ServiceError>;
    /// A fitted model's document, from the cache when possible.
    fn document(&self, actor: &Actor, id: &str) -> Result<Arc<ModelDocument>, ServiceError>;
    /// A fitted model's document if it is in the cache (owner-checked); `None` on a miss. Never
    /// touches storage, so it is safe to call on an async thread.
    fn cached_document(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Option<Result<Arc<ModelDocument>, ServiceError>>;
    /// Names a model (`None` takes its name away), whatever its status; nothing else changes.
    /// The name is trimmed and must be 1 to [`MAX_NAME_LEN`] characters.
    #[allow(clippy::needless_lifetimes)]
    fn rename<'a>(
        &self,
        actor: &Actor,
        id: &str,
        name: Option<&'a str>,
    ) -> Result<ModelInfo, ServiceError>;
    /// Deletes a model (cancelling its training if it runs).
    fn delete(&self, actor: &Actor, id: &str) -> Result<(), ServiceError>;
    /// Model cache counters.
    fn cache_stats(&self) -> CacheStats;
    /// Imports a Google Meridian model (`save_meridian` .binpb): its marketing data becomes a
    /// data set and the model is stored fitted, both in one transaction. Files mmm cannot import
    /// faithfully are refused with the reason.
    fn import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ModelInfo, ServiceError>;
    /// Backtests a data set with MAP fits (`mmm_core::backtest`; the request's method and
    /// holdout are not used): `folds` windows of the data, each scored on the `horizon` periods
    /// after it (a quarter of the data's periods when `None`). Nothing is stored. It runs on the caller's thread; beyond as many at once as
    /// there are training workers the answer is busy.
    fn backtest(
        &self,
        actor: &Actor,
        request: &TrainRequest,
        folds: usize,
        horizon: Option<usize>,
    ) -> Result<Backtest, ServiceError>;
}

/// Training jobs: read, cancel, follow.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait JobService: Send + Sync {
    /// One job.
    fn get(&self, actor: &Actor, id: &str) -> Result<JobRecord, ServiceError>;
    /// Cancels a queued or running job.
    fn cancel(&self, actor: &Actor, id: &str) -> Result<JobRecord, ServiceError>;
    /// The job as it is now and a receiver of its further events; the receiver closes after the
    /// terminal event (at once if the job has already ended).
    fn subscribe(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(JobRecord, broadcast::Receiver<JobEvent>), ServiceError>;
}

/// Worker pool settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingConfig {
    /// Fits running at once (fits are CPU-bound: about the number of cores).
    pub workers: usize,
    /// Jobs waiting beyond the running ones before `train` answers busy.
    pub queue: usize,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self { workers: 2, queue: 64 }
    }
}

/// A job that has not ended, as the process tracks it.
struct Live {
    model_id: String,
    state: JobState,
    cancel: Arc<AtomicBool>,
    events: broadcast::Sender<JobEvent>,
}

struct Task {
    job: JobRecord,
    model: ModelInfo,
}

struct Inner {
    models: Arc<dyn ModelRepository>,
    jobs: Arc<dyn JobRepository>,
    datasets: Arc<dyn DatasetRepository>,
    cache: Arc<ModelCache>,
    live: Mutex<HashMap<String, Live>>,
    /// Backtests running now, and how many may (the training workers' count).
    backtests: AtomicUsize,
    max_backtests: usize,
}

/// A running backtest's place, given back when it ends.
struct BacktestSlot<'a>(&'a AtomicUsize);

impl<'a> BacktestSlot<'a> {
    /// A place if fewer than `max` are taken.
    fn take(running: &'a AtomicUsize, max: usize) -> Option<Self> {
        if running.fetch_add(1, Ordering::SeqCst) >= max {
            running.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Self(running))
    }
}

impl Drop for BacktestSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The model and job services over repositories, with their worker pool.
pub struct Modelling {
    inner: Arc<Inner>,
    queue: SyncSender<Task>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Modelling {
    /// Creates the services and starts the workers.
    pub fn start(
        models: Arc<dyn ModelRepository>,
        jobs: Arc<dyn JobRepository>,
        datasets: Arc<dyn DatasetRepository>,
        cache: Arc<ModelCache>,
        config: TrainingConfig,
    ) -> Result<Self, ServiceError> {
        let inner = Arc::new(Inner {
            models,
            jobs,
            datasets,
            cache,
            live: Mutex::new(HashMap::new()),
            backtests: AtomicUsize::new(0),
            max_backtests: config.workers.max(1),
        });
        let (queue, receiver) = sync_channel::<Task>(config.queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..config.workers.max(1) {
            let inner = Arc::clone(&inner);
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("mmm-train-{i}"))
                .spawn(move || worker(&inner, &receiver))
                .map_err(|e| ServiceError::Internal(format!("starting a training worker: {e}")))?;
        }
        Ok(Self { inner, queue })
    }

    /// Marks jobs left queued or running by a previous process failed (with their models), so
    /// none hangs. The server calls it once at start, before accepting requests.
    pub fn recover_interrupted(&self) -> Result<usize, ServiceError> {
        let failed = self.inner.jobs.fail_unfinished(INTERRUPTED, now())?;
        if failed > 0 {
            log::warn!("marked {failed} unfinished training job(s) failed after a restart");
        }
        Ok(failed)
    }

    /// The data set a request names, if the actor may read it.
    fn dataset_record(&self, actor: &Actor, id: &str) -> Result<DatasetRecord, ServiceError> {
        match self.inner.datasets.get(id)? {
            Some(d) if actor.can_see(&d.info.owner_id) => Ok(d),
            _ => Err(ServiceError::NotFound("dataset")),
        }
    }

    fn model_record(&self, actor: &Actor, id: &str) -> Result<ModelRecord, ServiceError> {
        match self.inner.models.get(id)? {
            Some(m) if actor.can_see(&m.info.owner_id) => Ok(m),
            _ => Err(ServiceError::NotFound("model")),
        }
    }
}

/// Loader options for a request over a stored data set: the request's overrides, else the roles
/// stored with the data set.
fn options_for(record: &DatasetRecord, request: &TrainRequest) -> LoadOptions {
    let roles = &record.info.roles;
    let stored = roles.load_options();
    let media = request.media.clone().or(stored.media);
    let mut controls = request.controls.clone().or(stored.controls);
    // The request's pairs, else the stored pairs of the channels the request keeps, and for a
    // channel it adds, the column named for its units, as an upload would have paired it: one
    // the data set left unused or (stored before such columns were left out) took for a
    // control, unless the request names its controls itself.
    let media_units = request.media_units.clone().or_else(|| {
        let mut pairs = stored.media_units?;
        pairs.retain(|m, _| media.iter().flatten().any(|c| c.eq_ignore_ascii_case(m)));
        let added = media
            .iter()
            .flatten()
            .filter(|m| !roles.media.iter().any(|s| s.eq_ignore_ascii_case(m)));
        for m in added {
            let free: Vec<String> = match &request.controls {
                Some(asked) => {
                    let asked = |c: &&String| asked.iter().any(|a| a.eq_ignore_ascii_case(c));
                    roles.ignored.iter().filter(|c| !asked(c)).cloned().collect()
                }
                None => roles.ignored.iter().chain(&roles.controls).cloned().collect(),
            };
            if let Some(units) = mmm_core::dataset::units_column_by_name(m, &free) {
                if let Some(list) = controls.as_mut().filter(|_| request.controls.is_none()) {
                    list.retain(|c| c != units);
                }
                pairs.insert(m.clone(), units.clone());
            }
        }
        Some(pairs)
    });
    LoadOptions {
        kpi: request.kpi.clone().unwrap_or(stored.kpi),
        controls,
        media,
        media_units,
        ..stored
    }
}

/// The sampler settings of a Bayesian request, checked; `None` for a MAP fit.
fn bayes_settings(request: &TrainRequest) -> Result<Option<BayesSettings>, ServiceError> {
    match request.method.as_deref().unwrap_or("map") {
        "map" => Ok(None),
        "bayes" => {
            let s = request.sampler.unwrap_or_default();
            let d = BayesSettings::default();
            let settings = BayesSettings {
                chains: s.chains.unwrap_or(d.chains),
                draws: s.draws.unwrap_or(d.draws),
                tune: s.tune.unwrap_or(d.tune),
                keep: d.keep,
            };
            if !(1..=8).contains(&settings.chains)
                || !(50..=5000).contains(&settings.draws)
                || !(50..=5000).contains(&settings.tune)
            {
                return Err(ServiceError::Invalid(
                    "chains must be 1 to 8, draws and tune 50 to 5000".to_owned(),
                ));
            }
            Ok(Some(settings))
        }
        other => Err(ServiceError::Invalid(format!("method must be map or bayes, not '{other}'"))),
    }
}

fn spec_for(request: &TrainRequest) -> ModelSpec {
    let default = ModelSpec::default();
    ModelSpec {
        holdout: request.holdout,
        trend_knots: request.trend_knots.unwrap_or(default.trend_knots),
        max_yearly_harmonics: request.max_yearly_harmonics.unwrap_or(default.max_yearly_harmonics),
        autocorrelated_noise: request.autocorrelated_noise.unwrap_or(default.autocorrelated_noise),
        delayed_adstock: request.delayed_adstock.unwrap_or(default.delayed_adstock),
        recurring_events: request.recurring_events.unwrap_or(default.recurring_events),
        events: request.events.clone(),
        candidate_events: request.holidays.map(|h| h.rules()).unwrap_or_default(),
        seed: request.seed.unwrap_or(1),
        lift_tests: request.lift_tests.clone(),
        priors: request.priors.clone().unwrap_or_default(),
        ..default
    }
}

impl ModelService for Modelling {
    fn import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ModelInfo, ServiceError> {
        let imported = mmm_meridian::import(bytes, file_name)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        // Name every role, so a control called `*_spend` is not taken for a channel.
        let doc = &imported.document;
        let options = LoadOptions {
            kpi: imported.kpi_column.clone(),
            media: Some(doc.channels.iter().map(|c| c.column.clone()).collect()),
            controls: Some(doc.baseline.controls.iter().map(|c| c.name.clone()).collect()),
            ..LoadOptions::default()
        };
        let data = parse(&imported.csv, &options).map_err(ServiceError::Data)?;
        let file_name: String = file_name.trim().chars().take(MAX_NAME_LEN - 20).collect();
        let label = if file_name.is_empty() { "Meridian model".to_owned() } else { file_name };
        let created = now();
        let dataset = DatasetRecord {
            info: DatasetInfo {
                id: new_id(),
                owner_id: actor.user_id.clone(),
                name: format!("{label} (Meridian data)"),
                roles: data.roles.clone(),
                frequency: data.frequency.to_string(),
                row_count: data.len() as i64,
                history_count: data.history_len() as i64,
                start_date: data.dates[0],
                end_date: data.dates[data.len() - 1],
                content_hash: format!("{:x}", Sha256::digest(imported.csv.as_bytes())),
                created_at: created,
            },
            csv: imported.csv,
        };
        let info = ModelInfo {
            id: new_id(),
            owner_id: actor.user_id.clone(),
            dataset_id: dataset.info.id.clone(),
            spec: TrainRequest {
                dataset_id: dataset.info.id.clone(),
                kpi: Some(imported.kpi_column),
                method: Some("bayes".to_owned()),
                origin: Some(format!("google-meridian {} ({label})", imported.meridian_version)),
                ..TrainRequest::default()
            },
            status: ModelStatus::Succeeded,
            metrics: serde_json::to_value(&imported.document.fit).ok(),
            created_at: created,
            finished_at: Some(created),
            name: None,
        };
        let job = JobRecord {
            id: new_id(),
            owner_id: info.owner_id.clone(),
            model_id: info.id.clone(),
            state: JobState::Succeeded,
            progress: 1.0,
            message: "imported".to_owned(),
            error: None,
            created_at: created,
            started_at: Some(created),
            finished_at: Some(created),
        };
        let record = ModelRecord { info, document: Some(imported.document.to_json()) };
        self.inner.models.insert_imported(&dataset, &record, &job)?;
        Ok(record.info)
    }

    fn train(
        &self,
        actor: &Actor,
        request: &TrainRequest,
        name: Option<&str>,
    ) -> Result<(ModelInfo, JobRecord), ServiceError> {
        let record = self.dataset_record(actor, &request.dataset_id)?;
        let name = name.map(checked_name).transpose()?;
        // Validate now, so bad roles or a too-long holdout answer the request instead of failing
        // the job later.
        let spec = spec_for(request);
        bayes_settings(request)?;
        let data = mmm_core::load_csv(record.csv.as_bytes(), &options_for(&record, request), &spec)
            .map_err(ServiceError::Data)?;
        // The fit's own rules: priors and lift tests that name channels and periods of the
        // data, a lift test where the channel spent, enough periods.
        mmm_core::fit::validate(&data, &spec).map_err(|e| ServiceError::Invalid(e.to_string()))?;

        let created = now();
        let model = ModelInfo {
            id: new_id(),
            owner_id: record.info.owner_id.clone(),
            dataset_id: record.info.id.clone(),
            spec: request.clone(),
            status: ModelStatus::Training,
            metrics: None,
            created_at: created,
            finished_at: None,
            name: name.map(str::to_owned),
        };
        let job = JobRecord {
            id: new_id(),
            owner_id: model.owner_id.clone(),
            model_id: model.id.clone(),
            state: JobState::Queued,
            progress: 0.0,
            message: "queued".to_owned(),
            error: None,
            created_at: created,
            started_at: None,
            finished_at: None,
        };
        self.inner.models.insert_with_job(&model, &job)?;
        let (events, _) = broadcast::channel(64);
        lock(&self.inner.live).insert(
            job.id.clone(),
            Live {
                model_id: model.id.clone(),
                state: JobState::Queued,
                cancel: Arc::new(AtomicBool::new(false)),
                events,
            },
        );
        match self.queue.try_send(Task { job: job.clone(), model: model.clone() }) {
            Ok(()) => Ok((model, job)),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                lock(&self.inner.live).remove(&job.id);
                self.inner.models.delete(&model.id)?;
                Err(ServiceError::Busy(
                    "too many models are training; try again shortly".to_owned(),
                ))
            }
        }
    }

    fn backtest(
        &self,
        actor: &Actor,
        request: &TrainRequest,
        folds: usize,
        horizon: Option<usize>,
    ) -> Result<Backtest, ServiceError> {
        let record = self.dataset_record(actor, &request.dataset_id)?;
        let spec = ModelSpec { holdout: 0, ..spec_for(request) };
        let data = mmm_core::load_csv(record.csv.as_bytes(), &options_for(&record, request), &spec)
            .map_err(ServiceError::Data)?;
        mmm_core::fit::validate(&data, &spec).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let Some(_slot) = BacktestSlot::take(&self.inner.backtests, self.inner.max_backtests)
        else {
            return Err(ServiceError::Busy(
                "too many backtests are running; try again shortly".into(),
            ));
        };
        mmm_core::backtest::backtest(
            &data,
            &spec,
            folds,
            horizon.unwrap_or_else(|| data.frequency.periods_per_quarter()),
            |d, s| fit(d, s, None),
            |_, _| (),
        )
        .map_err(|e| match e {
            BacktestError::Score { .. } => ServiceError::Internal(e.to_string()),
            e => ServiceError::Invalid(e.to_string()),
        })
    }

    fn list(&self, actor: &Actor, page: Page) -> Result<Listing<ModelInfo>, ServiceError> {
        Ok(self.inner.models.list(actor.owner_filter(), page)?)
    }

    fn get(&self, actor: &Actor, id: &str) -> Result<ModelInfo, ServiceError> {
        Ok(self.model_record(actor, id)?.info)
    }

    fn latest(&self, actor: &Actor) -> Result<ModelInfo, ServiceError> {
        self.inner
            .models
            .latest_fitted(&actor.user_id)?
            .ok_or(ServiceError::NotFound("fitted model"))
    }

    fn cached_document(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Option<Result<Arc<ModelDocument>, ServiceError>> {
        let hit = self.inner.cache.get(id)?;
        Some(if actor.can_see(&hit.owner_id) {
            Ok(hit.document)
        } else {
            Err(ServiceError::NotFound("model"))
        })
    }

    fn document(&self, actor: &Actor, id: &str) -> Result<Arc<ModelDocument>, ServiceError> {
        if let Some(found) = self.cached_document(actor, id) {
            return found;
        }
        let record = self.model_record(actor, id)?;
        let Some(text) =
            record.document.as_deref().filter(|_| record.info.status == ModelStatus::Succeeded)
        else {
            return Err(ServiceError::State(format!(
                "model is {}, not fitted",
                record.info.status
            )));
        };
        let document = Arc::new(
            ModelDocument::from_json(text)
                .map_err(|e| ServiceError::Internal(format!("stored model {id}: {e}")))?,
        );
        self.inner.cache.put(
            id,
            CachedModel {
                owner_id: record.info.owner_id.clone(),
                dataset_id: record.info.dataset_id.clone(),
                document: Arc::clone(&document),
            },
        );
        Ok(document)
    }

    fn rename(
        &self,
        actor: &Actor,
        id: &str,
        name: Option<&str>,
    ) -> Result<ModelInfo, ServiceError> {
        self.model_record(actor, id)?;
        let name = name.map(checked_name).transpose()?;
        if !self.inner.models.rename(id, name)? {
            return Err(ServiceError::NotFound("model"));
        }
        Ok(self.model_record(actor, id)?.info)
    }

    fn delete(&self, actor: &Actor, id: &str) -> Result<(), ServiceError> {
        self.model_record(actor, id)?;
        // Stop any training of this model; its job rows go with the model.
        for live in lock(&self.inner.live).values().filter(|l| l.model_id == id) {
            live.cancel.store(true, Ordering::SeqCst);
        }
        let deleted = self.inner.models.delete(id)?;
        self.inner.cache.remove(id);
        if deleted { Ok(()) } else { Err(ServiceError::NotFound("model")) }
    }

    fn cache_stats(&self) -> CacheStats {
        self.inner.cache.stats()
    }
}

impl JobService for Modelling {
    fn get(&self, actor: &Actor, id: &str) -> Result<JobRecord, ServiceError> {
        match self.inner.jobs.get(id)? {
            Some(j) if actor.can_see(&j.owner_id) => Ok(j),
            _ => Err(ServiceError::NotFound("job")),
        }
    }

    fn cancel(&self, actor: &Actor, id: &str) -> Result<JobRecord, ServiceError> {
        let mut job = JobService::get(self, actor, id)?;
        let mut live = lock(&self.inner.live);
        let Some(entry) = live.get_mut(id).filter(|_| !job.state.is_terminal()) else {
            return Err(ServiceError::State(format!(
                "job is {}; only queued or running jobs can be cancelled",
                job.state
            )));
        };
        entry.cancel.store(true, Ordering::SeqCst);
        if entry.state == JobState::Queued {
            // Not started: end it here; the worker skips cancelled tasks.
            entry.state = JobState::Cancelled;
            job = self.inner.end(&job.model_id, job.clone(), Err(FitError::Cancelled))?;
            let _ = entry.events.send(JobEvent::from(&job));
            live.remove(id);
        } else {
            job.message = "cancelling".to_owned();
        }
        Ok(job)
    }

    fn subscribe(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(JobRecord, broadcast::Receiver<JobEvent>), ServiceError> {
        JobService::get(self, actor, id)?;
        // Subscribe before reading the state so no event falls between the two.
        let receiver = match lock(&self.inner.live).get(id) {
            Some(live) => live.events.subscribe(),
            None => broadcast::channel(1).1,
        };
        let job = JobService::get(self, actor, id)?;
        Ok((job, receiver))
    }
}

impl Inner {
    /// Publishes a job's current state to its subscribers and stores it.
    fn publish(&self, job: &JobRecord) {
        if let Err(e) = self.jobs.update(job) {
            log::error!("storing progress of job {}: {e}", job.id);
        }
        if let Some(live) = lock(&self.live).get(&job.id) {
            let _ = live.events.send(JobEvent::from(job));
        }
    }

    /// Records the end of training for a model and its job.
    fn end(
        &self,
        model_id: &str,
        mut job: JobRecord,
        outcome: Result<ModelDocument, FitError>,
    ) -> Result<JobRecord, ServiceError> {
        let Some(mut model) = self.models.get(model_id)? else {
            return Err(ServiceError::NotFound("model"));
        };
        let finished = now();
        job.finished_at = Some(finished);
        model.info.finished_at = Some(finished);
        match outcome {
            Ok(doc) => {
                let text = doc.to_json();
                // JSON has no infinity or NaN: such a figure would be stored as null, and the
                // model could never be read back. Refuse it now, with the reason.
                match ModelDocument::from_json(&text) {
                    Ok(_) => {
                        job.state = JobState::Succeeded;
                        job.progress = 1.0;
                        job.message = format!("fitted: R² {:.3}", doc.fit.r2);
                        model.info.status = ModelStatus::Succeeded;
                        model.info.metrics = serde_json::to_value(&doc.fit).ok();
                        model.document = Some(text);
                    }
                    Err(e) => {
                        job.state = JobState::Failed;
                        job.message = "failed".to_owned();
                        job.error =
                            Some(format!("the fit produced a model that cannot be stored: {e}"));
                        model.info.status = ModelStatus::Failed;
                    }
                }
            }
            Err(FitError::Cancelled) => {
                job.state = JobState::Cancelled;
                job.message = "cancelled".to_owned();
                model.info.status = ModelStatus::Cancelled;
            }
            Err(e) => {
                job.state = JobState::Failed;
                job.message = "failed".to_owned();
                job.error = Some(e.to_string());
                model.info.status = ModelStatus::Failed;
            }
        }
        self.models.finish(&model, &job)?;
        Ok(job)
    }

    fn run(&self, task: Task) {
        let Task { mut job, model } = task;
        let cancel = {
            let mut live = lock(&self.live);
            match live.get_mut(&job.id) {
                Some(entry) if entry.state == JobState::Queued => {
                    entry.state = JobState::Running;
                    Arc::clone(&entry.cancel)
                }
                // Cancelled while queued (already ended) or deleted.
                _ => return,
            }
        };
        job.state = JobState::Running;
        job.started_at = Some(now());
        job.message = "loading data".to_owned();
        self.publish(&job);

        let outcome = self.fit_model(&model, &job, &cancel);
        let outcome =
            if cancel.load(Ordering::SeqCst) { Err(FitError::Cancelled) } else { outcome };
        match self.end(&model.id, job.clone(), outcome) {
            Ok(done) => job = done,
            Err(e) => {
                // The model was deleted while training: nothing left to record.
                log::info!("job {} ended without a model to record it on: {e}", job.id);
                job.state = JobState::Cancelled;
                job.message = "model deleted".to_owned();
            }
        }
        if let Some(live) = lock(&self.live).remove(&job.id) {
            let _ = live.events.send(JobEvent::from(&job));
        }
    }

    fn fit_model(
        &self,
        model: &ModelInfo,
        job: &JobRecord,
        cancel: &AtomicBool,
    ) -> Result<ModelDocument, FitError> {
        let record = match self.datasets.get(&model.dataset_id) {
            Ok(Some(r)) => r,
            Ok(None) => return Err(FitError::InvalidSpec("the data set was deleted".to_owned())),
            Err(e) => return Err(FitError::Numerical(format!("loading the data set: {e}"))),
        };
        let data = parse(&record.csv, &options_for(&record, &model.spec))
            .map_err(|e| FitError::InvalidSpec(e.to_string()))?;
        let spec = spec_for(&model.spec);
        let progress_job = Mutex::new(job.clone());
        let observer = |p: &FitProgress| {
            let mut j = lock(&progress_job);
            j.progress = p.fraction.clamp(0.0, 0.999);
            j.message = p.message.clone();
            self.publish(&j);
            !cancel.load(Ordering::SeqCst)
        };
        let settings =
            bayes_settings(&model.spec).map_err(|e| FitError::InvalidSpec(e.to_string()))?;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match settings {
            Some(s) => fit_bayes(&data, &spec, &s, Some(&observer)),
            None => fit(&data, &spec, Some(&observer)),
        }));
        result
            .unwrap_or_else(|_| Err(FitError::Numerical("the fit stopped unexpectedly".to_owned())))
    }
}

fn worker(inner: &Inner, receiver: &Mutex<Receiver<Task>>) {
    loop {
        let task = lock(receiver).recv();
        match task {
            Ok(task) => inner.run(task),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests;
