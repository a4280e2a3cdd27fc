-- The programme ledger, version 1. Valid in SQLite and PostgreSQL alike.
-- Every record: id (text), version (raised by one on every change), updated_at (RFC 3339,
-- UTC), updated_by. Amounts are whole euros in current prices; unknown amounts are NULL.
CREATE TABLE goal (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    name_nl TEXT NOT NULL,
    name_en TEXT,
    statement TEXT,
    source TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE programme (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    goal_id TEXT NOT NULL REFERENCES goal (id),
    market TEXT,
    name_nl TEXT NOT NULL,
    name_en TEXT,
    status TEXT,
    start_date TEXT,
    end_date TEXT,
    source TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE action_type (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    position BIGINT NOT NULL,
    name_nl TEXT NOT NULL,
    name_en TEXT,
    description TEXT,
    source TEXT NOT NULL
);
CREATE TABLE action (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    programme_id TEXT NOT NULL REFERENCES programme (id),
    action_type_id TEXT NOT NULL REFERENCES action_type (id),
    name TEXT NOT NULL,
    status TEXT,
    start_date TEXT,
    end_date TEXT,
    source TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE instrument (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_nl TEXT NOT NULL,
    name_en TEXT,
    goal_id TEXT REFERENCES goal (id),
    programme_id TEXT REFERENCES programme (id),
    action_id TEXT REFERENCES action (id),
    source TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE budget_line (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    goal_id TEXT REFERENCES goal (id),
    programme_id TEXT REFERENCES programme (id),
    instrument_id TEXT REFERENCES instrument (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    covers TEXT,
    amount_eur BIGINT,
    prices TEXT NOT NULL,
    basis TEXT,
    source_document TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE indicator (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    goal_id TEXT REFERENCES goal (id),
    programme_id TEXT REFERENCES programme (id),
    level TEXT NOT NULL,
    name_nl TEXT NOT NULL,
    name_en TEXT,
    unit TEXT NOT NULL,
    baseline_value DOUBLE PRECISION,
    baseline_year BIGINT,
    target_value DOUBLE PRECISION,
    target_year BIGINT,
    series TEXT,
    source TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE actual (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    indicator_id TEXT NOT NULL REFERENCES indicator (id),
    period TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL,
    notes TEXT,
    UNIQUE (indicator_id, period)
);
CREATE TABLE evaluation (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    goal_id TEXT REFERENCES goal (id),
    programme_id TEXT REFERENCES programme (id),
    instrument_id TEXT REFERENCES instrument (id),
    date TEXT,
    kind TEXT NOT NULL,
    finding TEXT NOT NULL,
    evidence TEXT,
    source TEXT NOT NULL,
    notes TEXT
);
CREATE TABLE milestone (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    goal_id TEXT REFERENCES goal (id),
    programme_id TEXT REFERENCES programme (id),
    name_nl TEXT NOT NULL,
    name_en TEXT,
    date TEXT,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    notes TEXT
);
-- The audit trail: one row per change of a record; before and after as JSON objects
-- (before is NULL for an insert). (entity, record_id, version) is unique, so two
-- writers can never both record the same version of a record.
CREATE TABLE change_log (
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    operation TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT NOT NULL,
    PRIMARY KEY (entity, record_id, version)
);
CREATE INDEX change_log_at ON change_log (changed_at);
-- Editors of the web pages: a name, a role, and the SHA-256 of their token (the token
-- itself is shown once, when it is made, and never stored).
CREATE TABLE ledger_token (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
)
