//! Rows as stored, and their conversion to and from the service records.

use crate::schema::{datasets, jobs, models, users};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mmm_service::RepoError;
use mmm_service::domain::{DatasetInfo, DatasetRecord, JobRecord, ModelInfo, ModelRecord, User};

fn corrupt(table: &str, id: &str, what: impl std::fmt::Display) -> RepoError {
    RepoError::Backend(format!("corrupt {table} row {id}: {what}"))
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub full_name: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub tokens_valid_after: Option<NaiveDateTime>,
}

impl From<&User> for UserRow {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            full_name: u.full_name.clone(),
            password_hash: u.password_hash.clone(),
            role: u.role.as_str().to_owned(),
            created_at: u.created_at,
            tokens_valid_after: u.tokens_valid_after,
        }
    }
}

impl TryFrom<UserRow> for User {
    type Error = RepoError;
    fn try_from(r: UserRow) -> Result<Self, RepoError> {
        let role = r.role.parse().map_err(|e| corrupt("users", &r.id, e))?;
        Ok(User {
            id: r.id,
            email: r.email,
            full_name: r.full_name,
            password_hash: r.password_hash,
            role,
            created_at: r.created_at,
            tokens_valid_after: r.tokens_valid_after,
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = datasets)]
pub struct DatasetInfoRow {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub roles: String,
    pub frequency: String,
    pub row_count: i64,
    pub history_count: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub content_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = datasets)]
pub struct NewDatasetRow<'a> {
    pub id: &'a str,
    pub owner_id: &'a str,
    pub name: &'a str,
    pub csv: &'a str,
    pub roles: String,
    pub frequency: &'a str,
    pub row_count: i64,
    pub history_count: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub content_hash: &'a str,
    pub created_at: NaiveDateTime,
}

impl<'a> NewDatasetRow<'a> {
    pub fn from_record(d: &'a DatasetRecord) -> Result<Self, RepoError> {
        let i = &d.info;
        Ok(Self {
            id: &i.id,
            owner_id: &i.owner_id,
            name: &i.name,
            csv: &d.csv,
            roles: serde_json::to_string(&i.roles)
                .map_err(|e| RepoError::Backend(e.to_string()))?,
            frequency: &i.frequency,
            row_count: i.row_count,
            history_count: i.history_count,
            start_date: i.start_date,
            end_date: i.end_date,
            content_hash: &i.content_hash,
            created_at: i.created_at,
        })
    }
}

impl TryFrom<DatasetInfoRow> for DatasetInfo {
    type Error = RepoError;
    fn try_from(r: DatasetInfoRow) -> Result<Self, RepoError> {
        let roles = serde_json::from_str(&r.roles).map_err(|e| corrupt("datasets", &r.id, e))?;
        Ok(DatasetInfo {
            id: r.id,
            owner_id: r.owner_id,
            name: r.name,
            roles,
            frequency: r.frequency,
            row_count: r.row_count,
            history_count: r.history_count,
            start_date: r.start_date,
            end_date: r.end_date,
            content_hash: r.content_hash,
            created_at: r.created_at,
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = models)]
pub struct ModelInfoRow {
    pub id: String,
    pub owner_id: String,
    pub dataset_id: String,
    pub spec: String,
    pub status: String,
    pub metrics: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub name: Option<String>,
}

impl TryFrom<ModelInfoRow> for ModelInfo {
    type Error = RepoError;
    fn try_from(r: ModelInfoRow) -> Result<Self, RepoError> {
        let spec = serde_json::from_str(&r.spec).map_err(|e| corrupt("models", &r.id, e))?;
        let status = r.status.parse().map_err(|e| corrupt("models", &r.id, e))?;
        let metrics = match r.metrics {
            Some(m) => Some(serde_json::from_str(&m).map_err(|e| corrupt("models", &r.id, e))?),
            None => None,
        };
        Ok(ModelInfo {
            id: r.id,
            owner_id: r.owner_id,
            dataset_id: r.dataset_id,
            spec,
            status,
            metrics,
            created_at: r.created_at,
            finished_at: r.finished_at,
            name: r.name,
        })
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = models, treat_none_as_null = true)]
pub struct ModelRow {
    pub id: String,
    pub owner_id: String,
    pub dataset_id: String,
    pub spec: String,
    pub status: String,
    pub document: Option<String>,
    pub metrics: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// Renamed on its own (`ModelRepository::rename`): finishing a training the owner renamed
    /// meanwhile must not put the old name back.
    #[diesel(skip_update)]
    pub name: Option<String>,
}

impl ModelRow {
    pub fn from_info(m: &ModelInfo, document: Option<&str>) -> Result<Self, RepoError> {
        let json = |e: serde_json::Error| RepoError::Backend(e.to_string());
        Ok(Self {
            id: m.id.clone(),
            owner_id: m.owner_id.clone(),
            dataset_id: m.dataset_id.clone(),
            spec: serde_json::to_string(&m.spec).map_err(json)?,
            status: m.status.as_str().to_owned(),
            document: document.map(str::to_owned),
            metrics: m.metrics.as_ref().map(serde_json::to_string).transpose().map_err(json)?,
            created_at: m.created_at,
            finished_at: m.finished_at,
            name: m.name.clone(),
        })
    }
}

pub fn model_record(
    info: ModelInfoRow,
    document: Option<String>,
) -> Result<ModelRecord, RepoError> {
    Ok(ModelRecord { info: info.try_into()?, document })
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = jobs, treat_none_as_null = true)]
pub struct JobRow {
    pub id: String,
    pub owner_id: String,
    pub model_id: String,
    pub state: String,
    pub progress: f64,
    pub message: String,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
}

impl From<&JobRecord> for JobRow {
    fn from(j: &JobRecord) -> Self {
        Self {
            id: j.id.clone(),
            owner_id: j.owner_id.clone(),
            model_id: j.model_id.clone(),
            state: j.state.as_str().to_owned(),
            progress: j.progress,
            message: j.message.clone(),
            error: j.error.clone(),
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

impl TryFrom<JobRow> for JobRecord {
    type Error = RepoError;
    fn try_from(r: JobRow) -> Result<Self, RepoError> {
        let state = r.state.parse().map_err(|e| corrupt("jobs", &r.id, e))?;
        Ok(JobRecord {
            id: r.id,
            owner_id: r.owner_id,
            model_id: r.model_id,
            state,
            progress: r.progress,
            message: r.message,
            error: r.error,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}
