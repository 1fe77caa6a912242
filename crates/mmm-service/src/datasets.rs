//! Data sets: upload (parse and validate through mmm-core), list, read, delete.

use crate::cache::ModelCache;
use crate::domain::{Actor, DatasetInfo, DatasetRecord, Listing, Page, new_id, now};
use crate::error::ServiceError;
use crate::repository::DatasetRepository;
use mmm_core::checks::DataCheck;
use mmm_core::dataset::{DataErrors, Problem};
use mmm_core::{Dataset, LoadOptions, ModelSpec, load_csv};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Longest name accepted for a data set or a model.
pub const MAX_NAME_LEN: usize = 200;

/// A name as given, trimmed; refused when that leaves it empty or longer than [`MAX_NAME_LEN`],
/// or when it holds a control character (a line break, or a NUL, which PostgreSQL cannot store).
pub(crate) fn checked_name(name: &str) -> Result<&str, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(ServiceError::Invalid(format!("name must be 1 to {MAX_NAME_LEN} characters")));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(ServiceError::Invalid(format!(
            "name must not hold control characters such as {c:?}"
        )));
    }
    Ok(name)
}

/// What an upload says about its columns (each `None` takes the default rule).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadRoles {
    /// Date column.
    pub date_column: Option<String>,
    /// KPI column.
    pub kpi: Option<String>,
    /// Media columns.
    pub media: Option<Vec<String>>,
    /// Control columns.
    pub controls: Option<Vec<String>>,
    /// Media-unit columns by media column ([`LoadOptions::media_units`]).
    pub media_units: Option<BTreeMap<String, String>>,
    /// The column that tells geos apart in a file that stacks them: the geos are added up for
    /// each date ([`mmm_core::dataset::add_up_geos`]) and the national series is stored.
    pub geo_column: Option<String>,
}

impl UploadRoles {
    /// The loader options these roles describe.
    pub fn load_options(&self) -> LoadOptions {
        let defaults = LoadOptions::default();
        LoadOptions {
            date_column: self.date_column.clone().unwrap_or(defaults.date_column),
            kpi: self.kpi.clone().unwrap_or(defaults.kpi),
            media: self.media.clone(),
            controls: self.controls.clone(),
            media_units: self.media_units.clone(),
            ..defaults
        }
    }
}

/// A stored upload with its data checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Uploaded {
    /// The stored data set.
    pub info: DatasetInfo,
    /// What in the data will limit what a model can tell (`mmm_core::checks`), warnings first.
    pub checks: Vec<DataCheck>,
}

/// Data set operations; every one is scoped to the acting user.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait DatasetService: Send + Sync {
    /// Validates and stores a CSV file, and checks its data; [`ServiceError::Data`] lists every
    /// problem.
    fn upload(
        &self,
        actor: &Actor,
        name: &str,
        csv: &[u8],
        roles: &UploadRoles,
    ) -> Result<Uploaded, ServiceError>;
    /// A page of the actor's data sets (all for admins), newest first, with their number.
    fn list(&self, actor: &Actor, page: Page) -> Result<Listing<DatasetInfo>, ServiceError>;
    /// One data set with its file.
    fn get(&self, actor: &Actor, id: &str) -> Result<DatasetRecord, ServiceError>;
    /// The parsed data of a stored data set, with its stored roles or overrides.
    fn load(&self, actor: &Actor, id: &str) -> Result<(DatasetRecord, Dataset), ServiceError>;
    /// The data checks of a stored data set for the default model (`mmm_core::checks`): what
    /// in the data will limit what a model can tell.
    fn checks(&self, actor: &Actor, id: &str) -> Result<Vec<DataCheck>, ServiceError>;
    /// Gives a data set another name (trimmed, 1 to [`MAX_NAME_LEN`] characters, no control
    /// characters); its file, roles and models stay as they are.
    fn rename(&self, actor: &Actor, id: &str, name: &str) -> Result<DatasetInfo, ServiceError>;
    /// Deletes a data set with its models and jobs.
    fn delete(&self, actor: &Actor, id: &str) -> Result<(), ServiceError>;
}

/// The data set service over a repository.
pub struct Datasets {
    repo: Arc<dyn DatasetRepository>,
    cache: Arc<ModelCache>,
}

impl Datasets {
    /// Creates the service; `cache` is the model cache to clear when a data set (and with it its
    /// models) is deleted.
    pub fn new(repo: Arc<dyn DatasetRepository>, cache: Arc<ModelCache>) -> Self {
        Self { repo, cache }
    }
}

/// Parses stored or uploaded CSV text with the roles given.
pub fn parse(csv: &str, options: &LoadOptions) -> Result<Dataset, DataErrors> {
    load_csv(csv.as_bytes(), options, &ModelSpec::default())
}

impl DatasetService for Datasets {
    fn upload(
        &self,
        actor: &Actor,
        name: &str,
        csv: &[u8],
        roles: &UploadRoles,
    ) -> Result<Uploaded, ServiceError> {
        let name = checked_name(name)?;
        // Stored as UTF-8 text, whatever encoding the file came in.
        let text = mmm_core::dataset::decode(csv).ok_or_else(|| {
            ServiceError::Data(DataErrors {
                problems: vec![Problem {
                    column: None,
                    line: None,
                    reason: mmm_core::dataset::UTF16_UNREADABLE.to_owned(),
                }],
                truncated: 0,
            })
        })?;
        let text = match &roles.geo_column {
            Some(geo) => Cow::Owned(
                mmm_core::dataset::add_up_geos(text.as_bytes(), geo, &roles.load_options())
                    .map_err(ServiceError::Data)?,
            ),
            None => text,
        };
        let dataset = parse(&text, &roles.load_options()).map_err(ServiceError::Data)?;
        let info = DatasetInfo {
            id: new_id(),
            owner_id: actor.user_id.clone(),
            name: name.to_owned(),
            roles: dataset.roles.clone(),
            frequency: dataset.frequency.to_string(),
            row_count: dataset.len() as i64,
            history_count: dataset.history_len() as i64,
            start_date: dataset.dates[0],
            end_date: dataset.dates[dataset.len() - 1],
            content_hash: format!("{:x}", Sha256::digest(text.as_bytes())),
            created_at: now(),
        };
        self.repo.insert(&DatasetRecord { info: info.clone(), csv: text.into_owned() })?;
        Ok(Uploaded { info, checks: mmm_core::checks::check(&dataset, &ModelSpec::default()) })
    }

    fn list(&self, actor: &Actor, page: Page) -> Result<Listing<DatasetInfo>, ServiceError> {
        Ok(self.repo.list(actor.owner_filter(), page)?)
    }

    fn get(&self, actor: &Actor, id: &str) -> Result<DatasetRecord, ServiceError> {
        match self.repo.get(id)? {
            Some(d) if actor.can_see(&d.info.owner_id) => Ok(d),
            _ => Err(ServiceError::NotFound("dataset")),
        }
    }

    fn load(&self, actor: &Actor, id: &str) -> Result<(DatasetRecord, Dataset), ServiceError> {
        let record = self.get(actor, id)?;
        let data =
            parse(&record.csv, &record.info.roles.load_options()).map_err(ServiceError::Data)?;
        Ok((record, data))
    }

    fn checks(&self, actor: &Actor, id: &str) -> Result<Vec<DataCheck>, ServiceError> {
        let (_, data) = self.load(actor, id)?;
        Ok(mmm_core::checks::check(&data, &ModelSpec::default()))
    }

    fn rename(&self, actor: &Actor, id: &str, name: &str) -> Result<DatasetInfo, ServiceError> {
        self.get(actor, id)?;
        let name = checked_name(name)?;
        if !self.repo.rename(id, name)? {
            return Err(ServiceError::NotFound("dataset"));
        }
        Ok(self.get(actor, id)?.info)
    }

    fn delete(&self, actor: &Actor, id: &str) -> Result<(), ServiceError> {
        self.get(actor, id)?;
        let deleted = self.repo.delete(id)?;
        self.cache.remove_dataset(id);
        if deleted { Ok(()) } else { Err(ServiceError::NotFound("dataset")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::repository::MockDatasetRepository;
    use mmm_core::simulate::{SimConfig, simulate};

    fn ann() -> Actor {
        Actor { user_id: "ann".into(), role: Role::User }
    }

    fn csv() -> String {
        simulate(&SimConfig { periods: 60, channels: 2, ..SimConfig::default() }).dataset.to_csv()
    }

    #[test]
    fn upload_validates_and_stores_the_original() {
        let text = csv();
        let expected = text.clone();
        let mut repo = MockDatasetRepository::new();
        repo.expect_insert()
            .withf(move |d: &DatasetRecord| {
                d.csv == expected
                    && d.info.owner_id == "ann"
                    && d.info.row_count == 60
                    && d.info.roles.media == ["tv_spend", "search_spend"]
                    && d.info.content_hash.len() == 64
            })
            .times(1)
            .returning(|_| Ok(()));
        let service = Datasets::new(Arc::new(repo), Arc::new(ModelCache::new(4)));
        let uploaded =
            service.upload(&ann(), " sales ", text.as_bytes(), &UploadRoles::default()).unwrap();
        let info = &uploaded.info;
        // 60 weeks: the checks note less than two years.
        assert!(uploaded.checks.iter().any(|c| c.kind == mmm_core::checks::CheckKind::ShortSpan));
        assert_eq!(info.name, "sales");
        assert_eq!(info.frequency, "weekly");
        assert_eq!(info.start_date.to_string(), "2022-01-03");
    }

    #[test]
    fn invalid_data_is_refused_with_every_problem_and_nothing_stored() {
        let mut repo = MockDatasetRepository::new();
        repo.expect_insert().times(0);
        let service = Datasets::new(Arc::new(repo), Arc::new(ModelCache::new(4)));
        let bad = "date,revenue,tv_spend\n2024-01-01,x,-1\n";
        match service.upload(&ann(), "bad", bad.as_bytes(), &UploadRoles::default()) {
            Err(ServiceError::Data(e)) => {
                // The whole file's problem first, then the line's, column by column.
                assert!(e.problems[0].reason.starts_with("1 data row, but the model needs"));
                assert_eq!(e.problems[1].reason, "not a number: 'x'");
                assert_eq!(e.problems[2].reason, "negative spend -1");
            }
            other => panic!("{other:?}"),
        }
        // A UTF-16 byte-order mark before an odd number of bytes.
        match service.upload(&ann(), "bad", b"\xff\xfed\0a\0t", &UploadRoles::default()) {
            Err(ServiceError::Data(e)) => {
                assert_eq!(e.problems[0].reason, mmm_core::dataset::UTF16_UNREADABLE);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            service.upload(&ann(), "  ", csv().as_bytes(), &UploadRoles::default()),
            Err(ServiceError::Invalid(_))
        ));
    }

    #[test]
    fn another_users_data_set_is_not_found_and_not_deleted() {
        let mut repo = MockDatasetRepository::new();
        let text = csv();
        repo.expect_get().returning(move |id| {
            let data = parse(&text, &LoadOptions::default()).unwrap();
            Ok(Some(DatasetRecord {
                info: DatasetInfo {
                    id: id.to_owned(),
                    owner_id: "bob".into(),
                    name: "b".into(),
                    roles: data.roles.clone(),
                    frequency: "weekly".into(),
                    row_count: 60,
                    history_count: 0,
                    start_date: data.dates[0],
                    end_date: data.dates[59],
                    content_hash: String::new(),
                    created_at: now(),
                },
                csv: text.clone(),
            }))
        });
        repo.expect_delete().times(1).returning(|_| Ok(true));
        let service = Datasets::new(Arc::new(repo), Arc::new(ModelCache::new(4)));
        assert_eq!(service.get(&ann(), "d1").unwrap_err(), ServiceError::NotFound("dataset"));
        assert_eq!(service.delete(&ann(), "d1").unwrap_err(), ServiceError::NotFound("dataset"));
        let admin = Actor { user_id: "root".into(), role: Role::Admin };
        let (record, data) = service.load(&admin, "d1").unwrap();
        assert_eq!(record.info.owner_id, "bob");
        // The checks go through the same ownership test, and check the loaded data.
        assert_eq!(service.checks(&ann(), "d1").unwrap_err(), ServiceError::NotFound("dataset"));
        let found = service.checks(&admin, "d1").unwrap();
        assert_eq!(found, mmm_core::checks::check(&data, &ModelSpec::default()));
        assert!(found.iter().any(|f| f.kind == mmm_core::checks::CheckKind::ShortSpan));
        assert_eq!(data.channels.len(), 2);
        service.delete(&admin, "d1").unwrap();
    }

    #[test]
    fn listing_is_scoped_to_the_owner() {
        let mut repo = MockDatasetRepository::new();
        fn empty(_: Option<&str>, _: Page) -> Result<Listing<DatasetInfo>, crate::RepoError> {
            Ok(Listing { items: vec![], total: 0 })
        }
        repo.expect_list()
            .withf(|o, p| *o == Some("ann") && *p == Page::ALL)
            .times(1)
            .returning(empty);
        repo.expect_list().withf(|o, _| o.is_none()).times(1).returning(empty);
        let service = Datasets::new(Arc::new(repo), Arc::new(ModelCache::new(4)));
        service.list(&ann(), Page::ALL).unwrap();
        service.list(&Actor { user_id: "root".into(), role: Role::Admin }, Page::ALL).unwrap();
    }
}
