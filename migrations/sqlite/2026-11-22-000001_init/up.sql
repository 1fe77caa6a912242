-- Users, data sets, models and training jobs (SQLite).
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    full_name TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
    created_at TIMESTAMP NOT NULL
);
-- Emails are stored lower-cased; the index on lower() also guards other writers.
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));

CREATE TABLE datasets (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    csv TEXT NOT NULL,
    roles TEXT NOT NULL,
    frequency TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    content_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX datasets_owner ON datasets (owner_id);

CREATE TABLE models (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    spec TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('training', 'succeeded', 'failed', 'cancelled')),
    document TEXT,
    metrics TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX models_owner ON models (owner_id);
CREATE INDEX models_dataset ON models (dataset_id);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_owner ON jobs (owner_id);
CREATE INDEX jobs_model ON jobs (model_id);
CREATE INDEX jobs_state ON jobs (state);
