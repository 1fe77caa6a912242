//! The diesel schema, the same for SQLite and PostgreSQL (see `migrations/`).

#![allow(missing_docs)]

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        full_name -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        tokens_valid_after -> Nullable<Timestamp>,
    }
}

diesel::table! {
    datasets (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        csv -> Text,
        roles -> Text,
        frequency -> Text,
        row_count -> BigInt,
        history_count -> BigInt,
        start_date -> Date,
        end_date -> Date,
        content_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    models (id) {
        id -> Text,
        owner_id -> Text,
        dataset_id -> Text,
        spec -> Text,
        status -> Text,
        document -> Nullable<Text>,
        metrics -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        name -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        owner_id -> Text,
        model_id -> Text,
        state -> Text,
        progress -> Double,
        message -> Text,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(datasets -> users (owner_id));
diesel::joinable!(models -> datasets (dataset_id));
diesel::joinable!(jobs -> models (model_id));
diesel::allow_tables_to_appear_in_same_query!(users, datasets, models, jobs);
