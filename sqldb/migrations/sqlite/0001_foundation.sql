-- Places, organisations, users and their memberships, sessions, API tokens, one-time links
-- and the append-only audit trail.

CREATE TABLE places (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX places_name ON places (lower(name));

CREATE TABLE organisations (
	id         INTEGER PRIMARY KEY,
	place_id   INTEGER NOT NULL REFERENCES places (id),
	name       TEXT NOT NULL,
	sector     TEXT NOT NULL CHECK (sector IN ('nhs', 'social_care', 'council', 'housing', 'police', 'fire', 'vcse', 'faith', 'education', 'other')),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organisations_place_name ON organisations (place_id, lower(name));

CREATE TABLE users (
	id                   INTEGER PRIMARY KEY,
	email                TEXT NOT NULL UNIQUE,
	name                 TEXT NOT NULL,
	password_hash        TEXT NOT NULL,
	must_change_password INTEGER NOT NULL DEFAULT 0,
	failed_logins        INTEGER NOT NULL DEFAULT 0,
	locked_until         TIMESTAMP,
	password_changed_at  TIMESTAMP NOT NULL,
	created_at           TIMESTAMP NOT NULL,
	updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
	user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	role            TEXT NOT NULL CHECK (role IN ('admin', 'commissioner', 'manager', 'link_worker', 'referrer', 'community')),
	created_at      TIMESTAMP NOT NULL,
	PRIMARY KEY (user_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (organisation_id);

CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	secret_hash  TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	place_id     INTEGER NOT NULL REFERENCES places (id),
	created_at   TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	ip           TEXT NOT NULL,
	user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	secret_hash  TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	place_id     INTEGER NOT NULL REFERENCES places (id),
	name         TEXT NOT NULL,
	hint         TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE one_time_links (
	id          INTEGER PRIMARY KEY,
	purpose     TEXT NOT NULL CHECK (purpose IN ('setup', 'reset')),
	secret_hash TEXT NOT NULL UNIQUE,
	user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
	created_at  TIMESTAMP NOT NULL,
	expires_at  TIMESTAMP NOT NULL,
	used_at     TIMESTAMP
);

CREATE TABLE audit_events (
	id            INTEGER PRIMARY KEY,
	at            TIMESTAMP NOT NULL,
	place_id      INTEGER REFERENCES places (id),
	actor_user_id INTEGER,
	actor_label   TEXT NOT NULL,
	action        TEXT NOT NULL,
	record_type   TEXT NOT NULL,
	record_id     TEXT NOT NULL,
	detail        TEXT NOT NULL,
	ip            TEXT NOT NULL,
	request_id    TEXT NOT NULL
);
CREATE INDEX audit_events_place_at ON audit_events (place_id, id);
CREATE INDEX audit_events_record ON audit_events (record_type, record_id);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, id);

-- The audit trail is append-only: the database itself refuses to change or delete an event.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events cannot be changed');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events cannot be deleted');
END;
