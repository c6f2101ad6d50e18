-- The place directory: taxonomies, services (community offers and connector schemes) with
-- their schedules, locations, contacts and areas, and the directory of link workers.

ALTER TABLE organisations ADD COLUMN uuid TEXT;
UPDATE organisations SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
	substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX organisations_uuid ON organisations (uuid);

CREATE TABLE taxonomies (
	id          INTEGER PRIMARY KEY,
	uuid        TEXT NOT NULL UNIQUE,
	place_id    INTEGER NOT NULL REFERENCES places (id),
	code        TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	UNIQUE (place_id, code)
);

CREATE TABLE taxonomy_terms (
	id          INTEGER PRIMARY KEY,
	uuid        TEXT NOT NULL UNIQUE,
	taxonomy_id INTEGER NOT NULL REFERENCES taxonomies (id),
	code        TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	UNIQUE (taxonomy_id, code)
);

CREATE TABLE services (
	id               INTEGER PRIMARY KEY,
	uuid             TEXT NOT NULL UNIQUE,
	place_id         INTEGER NOT NULL REFERENCES places (id),
	organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
	kind             TEXT NOT NULL CHECK (kind IN ('activity', 'connector_scheme')),
	name             TEXT NOT NULL,
	description      TEXT NOT NULL,
	url              TEXT NOT NULL,
	email            TEXT NOT NULL,
	phone            TEXT NOT NULL,
	status           TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
	min_age          INTEGER CHECK (min_age BETWEEN 0 AND 120),
	max_age          INTEGER CHECK (max_age BETWEEN 0 AND 120),
	eligibility      TEXT NOT NULL,
	free             INTEGER NOT NULL,
	fees             TEXT NOT NULL,
	accessibility    TEXT NOT NULL,
	languages        TEXT NOT NULL,
	last_verified_at TIMESTAMP,
	verified_by      TEXT NOT NULL,
	created_at       TIMESTAMP NOT NULL,
	updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX services_place_kind ON services (place_id, kind, name);
CREATE INDEX services_organisation ON services (organisation_id);
CREATE INDEX services_verified ON services (place_id, last_verified_at);

CREATE TABLE service_terms (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	term_id    INTEGER NOT NULL REFERENCES taxonomy_terms (id),
	PRIMARY KEY (service_id, term_id)
);
CREATE INDEX service_terms_term ON service_terms (term_id, service_id);

CREATE TABLE service_areas (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT NOT NULL,
	PRIMARY KEY (service_id, position)
);
CREATE INDEX service_areas_name ON service_areas (name);

CREATE TABLE schedules (
	id          INTEGER PRIMARY KEY,
	service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	freq        TEXT NOT NULL CHECK (freq IN ('WEEKLY', 'MONTHLY')),
	days        INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
	ordinal     INTEGER NOT NULL,
	opens       INTEGER NOT NULL CHECK (opens BETWEEN 0 AND 1439),
	closes      INTEGER NOT NULL CHECK (closes BETWEEN 1 AND 1439),
	description TEXT NOT NULL
);
CREATE INDEX schedules_service ON schedules (service_id, position);

CREATE TABLE locations (
	id         INTEGER PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT NOT NULL,
	address_1  TEXT NOT NULL,
	address_2  TEXT NOT NULL,
	town       TEXT NOT NULL,
	postcode   TEXT NOT NULL,
	lat        REAL,
	lng        REAL,
	lsoa       TEXT NOT NULL
);
CREATE INDEX locations_service ON locations (service_id, position);
CREATE INDEX locations_lat_lng ON locations (lat, lng);
CREATE INDEX locations_lsoa ON locations (lsoa);

CREATE TABLE contacts (
	id         INTEGER PRIMARY KEY,
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT NOT NULL,
	title      TEXT NOT NULL,
	email      TEXT NOT NULL,
	phone      TEXT NOT NULL
);
CREATE INDEX contacts_service ON contacts (service_id, position);

CREATE TABLE connector_schemes (
	service_id        INTEGER PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	model             TEXT NOT NULL,
	who_can_refer     TEXT NOT NULL,
	how_to_refer      TEXT NOT NULL,
	funding_source    TEXT NOT NULL,
	staff_fte         REAL NOT NULL,
	caseload_limit    INTEGER NOT NULL,
	waiting_weeks     INTEGER NOT NULL,
	electronic_system TEXT NOT NULL,
	assessment_tools  TEXT NOT NULL
);

CREATE TABLE practitioners (
	id              INTEGER PRIMARY KEY,
	place_id        INTEGER NOT NULL REFERENCES places (id),
	user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
	name            TEXT NOT NULL,
	job_title       TEXT NOT NULL,
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	scheme_id       INTEGER REFERENCES services (id) ON DELETE SET NULL,
	neighbourhoods  TEXT NOT NULL,
	specialisms     TEXT NOT NULL,
	languages       TEXT NOT NULL,
	email           TEXT NOT NULL,
	phone           TEXT NOT NULL,
	availability    TEXT NOT NULL,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL,
	-- What the text filter matches: the entry's words and its employer's and scheme's
	-- names, folded to lower case by linkwork (not the database, whose folding differs).
	search_text     TEXT NOT NULL
);
CREATE UNIQUE INDEX practitioners_place_user ON practitioners (place_id, user_id);
CREATE INDEX practitioners_place_name ON practitioners (place_id, name);
CREATE INDEX practitioners_organisation ON practitioners (organisation_id);
