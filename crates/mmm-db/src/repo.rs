//! The repository implementations: one struct over a pool, the same queries on both backends.

use crate::connection::{Manager, Pool};
use crate::rows::{
    DatasetInfoRow, JobRow, ModelInfoRow, ModelRow, NewDatasetRow, UserRow, model_record,
};
use crate::schema::{datasets, jobs, models, users};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use mmm_service::RepoError;
use mmm_service::domain::{
    DatasetInfo, DatasetRecord, JobRecord, JobState, Listing, ModelInfo, ModelRecord, ModelStatus,
    Page, User,
};
use mmm_service::repository::{
    DatasetRepository, HealthCheck, JobRepository, ModelRepository, UserRepository,
};

/// Every repository trait over one connection pool.
#[derive(Clone)]
pub struct DbRepository {
    pool: Pool,
}

fn db_err(e: DieselError) -> RepoError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RepoError::Conflict(info.message().to_owned())
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            RepoError::NotFound(info.message().to_owned())
        }
        other => RepoError::Backend(other.to_string()),
    }
}

impl DbRepository {
    /// Wraps a pool.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The pool (for readiness checks).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, RepoError> {
        self.pool.get().map_err(|e| RepoError::Backend(format!("no database connection: {e}")))
    }
}

impl UserRepository for DbRepository {
    fn insert(&self, user: &User) -> Result<(), RepoError> {
        diesel::insert_into(users::table)
            .values(UserRow::from(user))
            .execute(&mut *self.conn()?)
            .map_err(db_err)?;
        Ok(())
    }

    fn by_email(&self, email: &str) -> Result<Option<User>, RepoError> {
        let row = users::table
            .filter(users::email.eq(email.to_lowercase()))
            .select(UserRow::as_select())
            .first(&mut *self.conn()?)
            .optional()
            .map_err(db_err)?;
        row.map(User::try_from).transpose()
    }

    fn by_id(&self, id: &str) -> Result<Option<User>, RepoError> {
        let row = users::table
            .find(id)
            .select(UserRow::as_select())
            .first(&mut *self.conn()?)
            .optional()
            .map_err(db_err)?;
        row.map(User::try_from).transpose()
    }

    fn set_password_hash(
        &self,
        id: &str,
        hash: &str,
        tokens_valid_after: NaiveDateTime,
    ) -> Result<bool, RepoError> {
        let updated = diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(hash),
                users::tokens_valid_after.eq(Some(tokens_valid_after)),
            ))
            .execute(&mut *self.conn()?)
            .map_err(db_err)?;
        Ok(updated > 0)
    }

    fn list(&self) -> Result<Vec<User>, RepoError> {
        let rows = users::table
            .order((users::created_at.asc(), users::id.asc()))
            .select(UserRow::as_select())
            .load(&mut *self.conn()?)
            .map_err(db_err)?;
        rows.into_iter().map(User::try_from).collect()
    }
}

/// A page's offset and limit as SQL takes them. SQLite has no OFFSET without a LIMIT, so the
/// whole listing is the largest limit there is.
fn bounds(page: Page) -> Result<(i64, i64), RepoError> {
    let sql = |n: u64| {
        i64::try_from(n).map_err(|_| RepoError::Backend(format!("{n} is beyond a page's range")))
    };
    Ok((sql(page.offset)?, page.limit.map_or(Ok(i64::MAX), sql)?))
}

impl DatasetRepository for DbRepository {
    fn insert(&self, dataset: &DatasetRecord) -> Result<(), RepoError> {
        let row = NewDatasetRow::from_record(dataset)?;
        diesel::insert_into(datasets::table)
            .values(row)
            .execute(&mut *self.conn()?)
            .map_err(db_err)?;
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<DatasetRecord>, RepoError> {
        let mut conn = self.conn()?;
        let found = datasets::table
            .find(id)
            .select((DatasetInfoRow::as_select(), datasets::csv))
            .first::<(DatasetInfoRow, String)>(&mut *conn)
            .optional()
            .map_err(db_err)?;
        found.map(|(info, csv)| Ok(DatasetRecord { info: info.try_into()?, csv })).transpose()
    }

    fn list(&self, owner: Option<&str>, page: Page) -> Result<Listing<DatasetInfo>, RepoError> {
        let mut conn = self.conn()?;
        let mut count = datasets::table.count().into_boxed();
        let mut query = datasets::table.select(DatasetInfoRow::as_select()).into_boxed();
        if let Some(owner) = owner {
            count = count.filter(datasets::owner_id.eq(owner));
            query = query.filter(datasets::owner_id.eq(owner));
        }
        let total: i64 = count.get_result(&mut *conn).map_err(db_err)?;
        let (offset, limit) = bounds(page)?;
        let query = query
            .order((datasets::created_at.desc(), datasets::id.desc()))
            .limit(limit)
            .offset(offset);
        let rows = query.load(&mut *conn).map_err(db_err)?;
        let items = rows.into_iter().map(DatasetInfo::try_from).collect::<Result<_, _>>()?;
        Ok(Listing { items, total: u64::try_from(total).unwrap_or(0) })
    }

    fn rename(&self, id: &str, name: &str) -> Result<bool, RepoError> {
        let updated = diesel::update(datasets::table.find(id))
            .set(datasets::name.eq(name))
            .execute(&mut *self.conn()?)
            .map_err(db_err)?;
        Ok(updated > 0)
    }

    fn delete(&self, id: &str) -> Result<bool, RepoError> {
        self.conn()?
            .transaction::<_, DieselError, _>(|conn| {
                let model_ids = models::table.filter(models::dataset_id.eq(id)).select(models::id);
                diesel::delete(jobs::table.filter(jobs::model_id.eq_any(model_ids)))
                    .execute(conn)?;
                diesel::delete(models::table.filter(models::dataset_id.eq(id))).execute(conn)?;
                Ok(diesel::delete(datasets::table.find(id)).execute(conn)? > 0)
            })
            .map_err(db_err)
    }
}

impl ModelRepository for DbRepository {
    fn insert_with_job(&self, model: &ModelInfo, job: &JobRecord) -> Result<(), RepoError> {
        let model_row = ModelRow::from_info(model, None)?;
        let job_row = JobRow::from(job);
        self.conn()?
            .transaction::<_, DieselError, _>(|conn| {
                diesel::insert_into(models::table).values(&model_row).execute(conn)?;
                diesel::insert_into(jobs::table).values(&job_row).execute(conn)?;
                Ok(())
            })
            .map_err(db_err)
    }

    fn get(&self, id: &str) -> Result<Option<ModelRecord>, RepoError> {
        let found = models::table
            .find(id)
            .select((ModelInfoRow::as_select(), models::document))
            .first::<(ModelInfoRow, Option<String>)>(&mut *self.conn()?)
            .optional()
            .map_err(db_err)?;
        found.map(|(info, doc)| model_record(info, doc)).transpose()
    }

    fn list(&self, owner: Option<&str>, page: Page) -> Result<Listing<ModelInfo>, RepoError> {
        let mut conn = self.conn()?;
        let mut count = models::table.count().into_boxed();
        let mut query = models::table.select(ModelInfoRow::as_select()).into_boxed();
        if let Some(owner) = owner {
            count = count.filter(models::owner_id.eq(owner));
            query = query.filter(models::owner_id.eq(owner));
        }
        let total: i64 = count.get_result(&mut *conn).map_err(db_err)?;
        let (offset, limit) = bounds(page)?;
        let query =
            query.order((models::created_at.desc(), models::id.desc())).limit(limit).offset(offset);
        let rows = query.load(&mut *conn).map_err(db_err)?;
        let items = rows.into_iter().map(ModelInfo::try_from).collect::<Result<_, _>>()?;
        Ok(Listing { items, total: u64::try_from(total).unwrap_or(0) })
    }

    fn latest_fitted(&self, owner: &str) -> Result<Option<ModelInfo>, RepoError> {
        let row = models::table
            .filter(models::owner_id.eq(owner))
            .filter(models::status.eq(ModelStatus::Succeeded.as_str()))
            .order((models::created_at.desc(), models::id.desc()))
            .select(ModelInfoRow::as_select())
            .first(&mut *self.conn()?)
            .optional()
            .map_err(db_err)?;
        row.map(ModelInfo::try_from).transpose()
    }

    fn finish(&self, model: &ModelRecord, job: &JobRecord) -> Result<(), RepoError> {
        let model_row = ModelRow::from_info(&model.info, model.document.as_deref())?;
        let job_row = JobRow::from(job);
        self.conn()?
            .transaction::<_, DieselError, _>(|conn| {
                let updated = diesel::update(models::table.find(&model_row.id))
                    .set(&model_row)
                    .execute(conn)?;
                if updated == 0 {
                    return Err(DieselError::NotFound);
                }
                diesel::update(jobs::table.find(&job_row.id)).set(&job_row).execute(conn)?;
                Ok(())
            })
            .map_err(|e| match e {
                DieselError::NotFound => RepoError::NotFound(format!("model {}", model.info.id)),
                other => db_err(other),
            })
    }

    fn insert_imported(
        &self,
        dataset: &DatasetRecord,
        model: &ModelRecord,
        job: &JobRecord,
    ) -> Result<(), RepoError> {
        let dataset_row = NewDatasetRow::from_record(dataset)?;
        let model_row = ModelRow::from_info(&model.info, model.document.as_deref())?;
        let job_row = JobRow::from(job);
        self.conn()?
            .transaction::<_, DieselError, _>(|conn| {
                diesel::insert_into(datasets::table).values(dataset_row).execute(conn)?;
                diesel::insert_into(models::table).values(&model_row).execute(conn)?;
                diesel::insert_into(jobs::table).values(&job_row).execute(conn)?;
                Ok(())
            })
            .map_err(db_err)
    }

    fn rename(&self, id: &str, name: Option<&str>) -> Result<bool, RepoError> {
        let updated = diesel::update(models::table.find(id))
            .set(models::name.eq(name))
            .execute(&mut *self.conn()?)
            .map_err(db_err)?;
        Ok(updated > 0)
    }

    fn delete(&self, id: &str) -> Result<bool, RepoError> {
        self.conn()?
            .transaction::<_, DieselError, _>(|conn| {
                diesel::delete(jobs::table.filter(jobs::model_id.eq(id))).execute(conn)?;
                Ok(diesel::delete(models::table.find(id)).execute(conn)? > 0)
            })
            .map_err(db_err)
    }
}

impl JobRepository for DbRepository {
    fn get(&self, id: &str) -> Result<Option<JobRecord>, RepoError> {
        let row = jobs::table
            .find(id)
            .select(JobRow::as_select())
            .first(&mut *self.conn()?)
            .optional()
            .map_err(db_err)?;
        row.map(JobRecord::try_from).transpose()
    }

    fn update(&self, job: &JobRecord) -> Result<(), RepoError> {
        let row = JobRow::from(job);
        let updated = diesel::update(jobs::table.find(&row.id))
            .set(&row)
            .execute(&mut *self.conn()?)
            .map_err(db_err)?;
        if updated == 0 { Err(RepoError::NotFound(format!("job {}", job.id))) } else { Ok(()) }
    }

    fn fail_unfinished(&self, message: &str, at: NaiveDateTime) -> Result<usize, RepoError> {
        let unfinished = [JobState::Queued.as_str(), JobState::Running.as_str()];
        self.conn()?
            .transaction::<_, DieselError, _>(|conn| {
                let model_ids: Vec<String> = jobs::table
                    .filter(jobs::state.eq_any(unfinished))
                    .select(jobs::model_id)
                    .load(conn)?;
                let count = diesel::update(jobs::table.filter(jobs::state.eq_any(unfinished)))
                    .set((
                        jobs::state.eq(JobState::Failed.as_str()),
                        jobs::message.eq("failed"),
                        jobs::error.eq(Some(message)),
                        jobs::finished_at.eq(Some(at)),
                    ))
                    .execute(conn)?;
                diesel::update(
                    models::table
                        .filter(models::id.eq_any(&model_ids))
                        .filter(models::status.eq(ModelStatus::Training.as_str())),
                )
                .set((
                    models::status.eq(ModelStatus::Failed.as_str()),
                    models::finished_at.eq(Some(at)),
                ))
                .execute(conn)?;
                Ok(count)
            })
            .map_err(db_err)
    }
}

impl HealthCheck for DbRepository {
    fn ready(&self) -> Result<(), String> {
        let mut conn = self.pool.get().map_err(|e| format!("database unreachable: {e}"))?;
        let status = crate::connection::status(&mut conn).map_err(|e| e.to_string())?;
        if status.pending.is_empty() {
            Ok(())
        } else {
            Err(format!("{} migration(s) pending: run `mmm migrate`", status.pending.len()))
        }
    }
}
