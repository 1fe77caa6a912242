//! Repository behaviour: migrations, constraints, cascades, transactions.

use crate::backend::TestDb;
use chrono::NaiveDate;
use diesel::prelude::*;
use mmm_core::dataset::ColumnRoles;
use mmm_db::{revert_all, status};
use mmm_service::RepoError;
use mmm_service::domain::*;
use mmm_service::repository::{DatasetRepository, JobRepository, ModelRepository, UserRepository};

crate::on_both!(
    migrations_run_up_and_down,
    an_older_database_keeps_its_data_sets_through_the_history_migration,
    users_are_unique_by_email_case_insensitively,
    datasets_round_trip_and_list_by_owner,
    deleting_a_data_set_deletes_its_models_and_jobs,
    a_failed_write_leaves_nothing_behind,
    training_results_are_recorded_together,
    models_are_listed_by_page_newest_first,
    unfinished_jobs_are_failed_after_a_restart,
    concurrent_writes_do_not_fail,
);

fn user(id: &str, email: &str) -> User {
    User {
        id: id.into(),
        email: email.into(),
        full_name: Some("Full Name".into()),
        password_hash: "$2b$04$hash".into(),
        role: Role::User,
        created_at: now(),
        tokens_valid_after: None,
    }
}

fn dataset(id: &str, owner: &str) -> DatasetRecord {
    DatasetRecord {
        info: DatasetInfo {
            id: id.into(),
            owner_id: owner.into(),
            name: format!("data {id}"),
            roles: ColumnRoles {
                date: "date".into(),
                kpi: "revenue".into(),
                media: vec!["tv_spend".into()],
                media_units: vec!["tv_grps".into()],
                media_units_of: Some([("tv_spend".into(), "tv_grps".into())].into()),
                controls: vec!["price".into()],
                ignored: vec![],
            },
            frequency: "weekly".into(),
            row_count: 3,
            history_count: 0,
            start_date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            end_date: NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
            content_hash: "ab".repeat(32),
            created_at: now(),
        },
        csv: "date,revenue,tv_spend,price\n2024-01-01,1,2,3\n".into(),
    }
}

fn model(id: &str, owner: &str, dataset: &str) -> ModelInfo {
    ModelInfo {
        id: id.into(),
        owner_id: owner.into(),
        dataset_id: dataset.into(),
        spec: TrainRequest {
            dataset_id: dataset.into(),
            holdout: 4,
            seed: Some(9),
            ..TrainRequest::default()
        },
        status: ModelStatus::Training,
        metrics: None,
        created_at: now(),
        finished_at: None,
        name: Some("first try".into()),
    }
}

fn job(id: &str, owner: &str, model: &str, state: JobState) -> JobRecord {
    JobRecord {
        id: id.into(),
        owner_id: owner.into(),
        model_id: model.into(),
        state,
        progress: 0.0,
        message: "queued".into(),
        error: None,
        created_at: now(),
        started_at: None,
        finished_at: None,
    }
}

/// A user, a data set and a training model with its job.
fn seeded(db: &TestDb) {
    let repo = db.repo();
    UserRepository::insert(&repo, &user("u1", "ann@example.com")).unwrap();
    DatasetRepository::insert(&repo, &dataset("d1", "u1")).unwrap();
    repo.insert_with_job(&model("m1", "u1", "d1"), &job("j1", "u1", "m1", JobState::Queued))
        .unwrap();
}

fn migrations_run_up_and_down(db: TestDb) {
    let mut conn = db.pool.get().unwrap();
    let s = status(&mut conn).unwrap();
    assert_eq!(s.backend, db.url.backend());
    assert_eq!(s.applied.len(), 4);
    assert!(s.pending.is_empty());
    assert!(!s.version.is_empty());
    let reverted = revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), 4);
    // The tables are gone.
    let err = mmm_db::schema::users::table.count().get_result::<i64>(&mut *conn);
    assert!(err.is_err());
    assert_eq!(status(&mut conn).unwrap().pending.len(), 4);
    mmm_db::migrate(&mut conn).unwrap();
    assert_eq!(mmm_db::schema::users::table.count().get_result::<i64>(&mut *conn).unwrap(), 0);
}

fn an_older_database_keeps_its_data_sets_through_the_history_migration(db: TestDb) {
    let repo = db.repo();
    UserRepository::insert(&repo, &user("u1", "ann@example.com")).unwrap();
    let stored = dataset("d1", "u1");
    DatasetRepository::insert(&repo, &stored).unwrap();
    // Take the database back to before the media-history migration, data set and all.
    let mut conn = db.pool.get().unwrap();
    diesel::sql_query("ALTER TABLE datasets DROP COLUMN history_count")
        .execute(&mut *conn)
        .unwrap();
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = '20261122000002'")
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(status(&mut conn).unwrap().pending, ["20261122000002"]);
    mmm_db::migrate(&mut conn).unwrap();
    // The data set reads back as it was, with no media history.
    let back = DatasetRepository::get(&repo, "d1").unwrap().unwrap();
    assert_eq!(back, stored);
    assert_eq!(back.info.history_count, 0);
}

fn users_are_unique_by_email_case_insensitively(db: TestDb) {
    let repo = db.repo();
    let ann = user("u1", "ann@example.com");
    UserRepository::insert(&repo, &ann).unwrap();
    assert_eq!(repo.by_email("ANN@example.com").unwrap().unwrap(), ann);
    assert_eq!(repo.by_id("u1").unwrap().unwrap(), ann);
    assert_eq!(repo.by_id("nope").unwrap(), None);
    // Another writer storing mixed case still hits the unique index on lower(email).
    let err = UserRepository::insert(&repo, &user("u2", "Ann@Example.com")).unwrap_err();
    assert!(matches!(err, RepoError::Conflict(_)), "{err:?}");
    assert_eq!(UserRepository::list(&repo).unwrap().len(), 1);
    // A new password, and the time before which tokens are refused, change nothing else.
    let at = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(4, 5, 6).unwrap();
    assert!(repo.set_password_hash("u1", "$2b$04$other", at).unwrap());
    let changed = repo.by_id("u1").unwrap().unwrap();
    let expected =
        User { password_hash: "$2b$04$other".into(), tokens_valid_after: Some(at), ..ann };
    assert_eq!(changed, expected);
    assert!(!repo.set_password_hash("nope", "$2b$04$other", at).unwrap());
}

fn datasets_round_trip_and_list_by_owner(db: TestDb) {
    let repo = db.repo();
    UserRepository::insert(&repo, &user("u1", "ann@example.com")).unwrap();
    UserRepository::insert(&repo, &user("u2", "bob@example.com")).unwrap();
    let d1 = dataset("d1", "u1");
    DatasetRepository::insert(&repo, &d1).unwrap();
    DatasetRepository::insert(&repo, &dataset("d2", "u2")).unwrap();
    assert_eq!(DatasetRepository::get(&repo, "d1").unwrap().unwrap(), d1);
    let mine = DatasetRepository::list(&repo, Some("u1"), Page::ALL).unwrap();
    assert_eq!(mine, Listing { items: vec![d1.info.clone()], total: 1 });
    assert_eq!(DatasetRepository::list(&repo, None, Page::ALL).unwrap().items.len(), 2);
    // Renamed, it is the same data set under another name.
    assert!(DatasetRepository::rename(&repo, "d1", "weekly sales").unwrap());
    let renamed = DatasetRepository::get(&repo, "d1").unwrap().unwrap();
    assert_eq!(renamed.info.name, "weekly sales");
    assert_eq!(
        DatasetRecord {
            info: DatasetInfo { name: d1.info.name.clone(), ..renamed.info },
            ..renamed
        },
        d1
    );
    assert!(!DatasetRepository::rename(&repo, "d9", "absent").unwrap());
    // A data set for a user that does not exist violates the foreign key.
    let err = DatasetRepository::insert(&repo, &dataset("d3", "ghost")).unwrap_err();
    assert!(matches!(err, RepoError::NotFound(_)), "{err:?}");
}

fn deleting_a_data_set_deletes_its_models_and_jobs(db: TestDb) {
    seeded(&db);
    let repo = db.repo();
    assert!(DatasetRepository::delete(&repo, "d1").unwrap());
    assert_eq!(ModelRepository::get(&repo, "m1").unwrap(), None);
    assert_eq!(JobRepository::get(&repo, "j1").unwrap(), None);
    assert!(!DatasetRepository::delete(&repo, "d1").unwrap());
    assert!(repo.by_id("u1").unwrap().is_some());
}

fn a_failed_write_leaves_nothing_behind(db: TestDb) {
    seeded(&db);
    let repo = db.repo();
    // The job id is taken: the model insert in the same transaction must roll back.
    let err = repo
        .insert_with_job(&model("m2", "u1", "d1"), &job("j1", "u1", "m2", JobState::Queued))
        .unwrap_err();
    assert!(matches!(err, RepoError::Conflict(_)), "{err:?}");
    assert_eq!(ModelRepository::get(&repo, "m2").unwrap(), None);
    assert_eq!(ModelRepository::list(&repo, Some("u1"), Page::ALL).unwrap().items.len(), 1);

    // An import whose job id is taken stores neither its data set nor its model.
    let record = ModelRecord { info: model("m3", "u1", "d9"), document: Some("{}".into()) };
    let err = repo
        .insert_imported(&dataset("d9", "u1"), &record, &job("j1", "u1", "m3", JobState::Succeeded))
        .unwrap_err();
    assert!(matches!(err, RepoError::Conflict(_)), "{err:?}");
    assert_eq!(DatasetRepository::get(&repo, "d9").unwrap(), None);
    assert_eq!(ModelRepository::get(&repo, "m3").unwrap(), None);
    repo.insert_imported(
        &dataset("d9", "u1"),
        &record,
        &job("j9", "u1", "m3", JobState::Succeeded),
    )
    .unwrap();
    assert!(DatasetRepository::get(&repo, "d9").unwrap().is_some());
    assert_eq!(ModelRepository::get(&repo, "m3").unwrap().unwrap().document.as_deref(), Some("{}"));
}

fn training_results_are_recorded_together(db: TestDb) {
    seeded(&db);
    let repo = db.repo();
    let mut m = ModelRepository::get(&repo, "m1").unwrap().unwrap();
    assert_eq!(m.info.spec.seed, Some(9));
    m.info.status = ModelStatus::Succeeded;
    m.info.metrics = Some(serde_json::json!({"r2": 0.9}));
    m.info.finished_at = Some(now());
    m.document = Some("{\"format_version\": 1}".into());
    let mut j = JobRepository::get(&repo, "j1").unwrap().unwrap();
    j.state = JobState::Succeeded;
    j.progress = 1.0;
    j.finished_at = m.info.finished_at;
    repo.finish(&m, &j).unwrap();
    assert_eq!(ModelRepository::get(&repo, "m1").unwrap().unwrap(), m);
    assert_eq!(JobRepository::get(&repo, "j1").unwrap().unwrap(), j);
    // A name given while the model trained outlives the end of its training, which writes the
    // record the job started with.
    assert!(ModelRepository::rename(&repo, "m1", Some("renamed")).unwrap());
    repo.finish(&m, &j).unwrap();
    let renamed = ModelRepository::get(&repo, "m1").unwrap().unwrap();
    assert_eq!(renamed.info.name.as_deref(), Some("renamed"));
    assert!(ModelRepository::rename(&repo, "m1", None).unwrap());
    assert_eq!(ModelRepository::get(&repo, "m1").unwrap().unwrap().info.name, None);
    assert!(!ModelRepository::rename(&repo, "m9", Some("absent")).unwrap());
    // Finishing a deleted model is reported, not ignored.
    assert!(ModelRepository::delete(&repo, "m1").unwrap());
    assert!(matches!(repo.finish(&m, &j), Err(RepoError::NotFound(_))));
    assert_eq!(JobRepository::get(&repo, "j1").unwrap(), None);
}

fn unfinished_jobs_are_failed_after_a_restart(db: TestDb) {
    seeded(&db);
    let repo = db.repo();
    repo.insert_with_job(&model("m2", "u1", "d1"), &job("j2", "u1", "m2", JobState::Running))
        .unwrap();
    let mut done = model("m3", "u1", "d1");
    repo.insert_with_job(&done, &job("j3", "u1", "m3", JobState::Succeeded)).unwrap();
    done.status = ModelStatus::Succeeded;
    let at = now();
    assert_eq!(repo.fail_unfinished("server restarted", at).unwrap(), 2);
    for (j, m) in [("j1", "m1"), ("j2", "m2")] {
        let job = JobRepository::get(&repo, j).unwrap().unwrap();
        assert_eq!(job.state, JobState::Failed);
        assert_eq!(job.error.as_deref(), Some("server restarted"));
        assert_eq!(job.finished_at, Some(at));
        assert_eq!(
            ModelRepository::get(&repo, m).unwrap().unwrap().info.status,
            ModelStatus::Failed
        );
    }
    assert_eq!(JobRepository::get(&repo, "j3").unwrap().unwrap().state, JobState::Succeeded);
    assert_eq!(repo.fail_unfinished("again", now()).unwrap(), 0);
}

fn concurrent_writes_do_not_fail(db: TestDb) {
    seeded(&db);
    let repo = db.repo();
    std::thread::scope(|s| {
        for t in 0..8 {
            let repo = repo.clone();
            s.spawn(move || {
                for i in 0..10 {
                    let m = format!("m-{t}-{i}");
                    repo.insert_with_job(
                        &model(&m, "u1", "d1"),
                        &job(&format!("j-{t}-{i}"), "u1", &m, JobState::Queued),
                    )
                    .unwrap();
                    let mut j = JobRepository::get(&repo, &format!("j-{t}-{i}")).unwrap().unwrap();
                    j.progress = 0.5;
                    repo.update(&j).unwrap();
                }
            });
        }
    });
    assert_eq!(ModelRepository::list(&repo, Some("u1"), Page::ALL).unwrap().items.len(), 81);
}

fn models_are_listed_by_page_newest_first(db: TestDb) {
    seeded(&db);
    let repo = db.repo();
    UserRepository::insert(&repo, &user("u2", "bob@example.com")).unwrap();
    DatasetRepository::insert(&repo, &dataset("d2", "u2")).unwrap();
    // m1 (seeded) is the oldest; m2..m5 follow a day apart; Bob's is the newest of all.
    let day = |d: u32| NaiveDate::from_ymd_opt(2030, 1, d).unwrap().and_hms_opt(0, 0, 0).unwrap();
    for (i, (id, owner, dataset)) in [
        ("m2", "u1", "d1"),
        ("m3", "u1", "d1"),
        ("m4", "u1", "d1"),
        ("m5", "u1", "d1"),
        ("b1", "u2", "d2"),
    ]
    .into_iter()
    .enumerate()
    {
        let m = ModelInfo { created_at: day(i as u32 + 1), ..model(id, owner, dataset) };
        repo.insert_with_job(&m, &job(&format!("j{id}"), owner, id, JobState::Queued)).unwrap();
    }
    let ids = |owner, offset, limit| {
        let listing = ModelRepository::list(&repo, owner, Page { offset, limit }).unwrap();
        (listing.items.iter().map(|m| m.id.clone()).collect::<Vec<_>>(), listing.total)
    };
    assert_eq!(
        ids(Some("u1"), 0, None),
        (["m5", "m4", "m3", "m2", "m1"].map(String::from).to_vec(), 5)
    );
    assert_eq!(ids(Some("u1"), 1, Some(2)), (vec!["m4".to_owned(), "m3".to_owned()], 5));
    assert_eq!(ids(Some("u1"), 3, None), (vec!["m2".to_owned(), "m1".to_owned()], 5));
    assert_eq!(ids(Some("u1"), 9, Some(2)), (vec![], 5));
    assert_eq!(ids(None, 0, Some(1)), (vec!["b1".to_owned()], 6));
    // The latest fitted model is the newest that succeeded, whatever came after it.
    assert_eq!(repo.latest_fitted("u1").unwrap(), None);
    for id in ["m3", "m2"] {
        let mut m = ModelRepository::get(&repo, id).unwrap().unwrap();
        m.info.status = ModelStatus::Succeeded;
        let j = JobRepository::get(&repo, &format!("j{id}")).unwrap().unwrap();
        repo.finish(&m, &j).unwrap();
    }
    assert_eq!(repo.latest_fitted("u1").unwrap().map(|m| m.id), Some("m3".to_owned()));
    assert_eq!(repo.latest_fitted("u2").unwrap(), None);
}
