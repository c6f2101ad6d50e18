-- Casework: a person's case record held by an organisation, the "what matters to me"
-- conversation, the support plan (goals, steps and progress notes), contacts, and each
-- place's retention period for closed cases. Dates a person gives are kept as text,
-- YYYY-MM-DD, as referrals keep a date of birth.

CREATE TABLE persons (
	id                  INTEGER PRIMARY KEY,
	uuid                TEXT NOT NULL UNIQUE,
	place_id            INTEGER NOT NULL REFERENCES places (id),
	organisation_id     INTEGER NOT NULL REFERENCES organisations (id),
	referral_id         INTEGER REFERENCES referrals (id),
	given_name          TEXT NOT NULL,
	family_name         TEXT NOT NULL,
	-- name_key is the given and family names folded to lower case by linkwork, as for
	-- referrals: duplicates are found and names searched through it.
	name_key            TEXT NOT NULL,
	preferred_name      TEXT NOT NULL,
	date_of_birth       TEXT NOT NULL,
	nhs_number          TEXT NOT NULL,
	address_1           TEXT NOT NULL,
	address_2           TEXT NOT NULL,
	town                TEXT NOT NULL,
	postcode            TEXT NOT NULL,
	phone               TEXT NOT NULL,
	email               TEXT NOT NULL,
	contact_preferences TEXT NOT NULL,
	language            TEXT NOT NULL,
	interpreter         INTEGER NOT NULL,
	access_needs        TEXT NOT NULL,
	gp_practice         TEXT NOT NULL,
	-- Demographics for equity monitoring; '' is not asked.
	sex                 TEXT NOT NULL,
	gender_same_as_sex  TEXT NOT NULL,
	gender              TEXT NOT NULL,
	ethnicity           TEXT NOT NULL,
	disability          TEXT NOT NULL,
	carer               TEXT NOT NULL,
	first_language      TEXT NOT NULL,
	-- age_band is set when the record is erased and the date of birth goes.
	age_band            TEXT NOT NULL,
	lsoa                TEXT NOT NULL,
	imd_decile          INTEGER NOT NULL CHECK (imd_decile BETWEEN 0 AND 10),
	worker_user_id      INTEGER REFERENCES users (id),
	status              TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'closed', 'erased')),
	opened_on           TEXT NOT NULL,
	-- Kept current by linkwork, so that caseloads read them instead of summing: the latest
	-- contact, its follow-up, the earliest step to do, and the earlier of those two dates.
	last_contact_on     TEXT,
	follow_up_on        TEXT,
	next_step_due       TEXT,
	next_step           TEXT NOT NULL,
	next_action_on      TEXT,
	outcome             TEXT NOT NULL,
	closing_note        TEXT NOT NULL,
	closed_at           TIMESTAMP,
	erased_at           TIMESTAMP,
	version             INTEGER NOT NULL,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL
);
-- One unerased record per person per organisation, by NHS number or by name and date of
-- birth; and one case per referral.
CREATE UNIQUE INDEX persons_nhs_number ON persons (organisation_id, nhs_number) WHERE nhs_number <> '' AND status <> 'erased';
CREATE UNIQUE INDEX persons_name_dob ON persons (organisation_id, name_key, date_of_birth) WHERE status <> 'erased';
CREATE UNIQUE INDEX persons_referral ON persons (referral_id);
-- Caseloads: a link worker's people, and an organisation's.
CREATE INDEX persons_worker ON persons (worker_user_id, status, next_action_on);
CREATE INDEX persons_organisation ON persons (organisation_id, status, next_action_on);
-- A worker's follow-ups in a week.
CREATE INDEX persons_follow_up ON persons (worker_user_id, follow_up_on) WHERE follow_up_on IS NOT NULL;
-- Closed cases due for erasure.
CREATE INDEX persons_closed ON persons (closed_at) WHERE status = 'closed';

-- The "what matters to me" conversation: one per person, saved over with who and when.
CREATE TABLE conversations (
	person_id          INTEGER PRIMARY KEY REFERENCES persons (id),
	held_on            TEXT NOT NULL,
	what_matters       TEXT NOT NULL,
	strengths          TEXT NOT NULL,
	interests          TEXT NOT NULL,
	barriers           TEXT NOT NULL,
	connect            TEXT NOT NULL,
	space              TEXT NOT NULL,
	skills             TEXT NOT NULL,
	control            TEXT NOT NULL,
	notes              TEXT NOT NULL,
	updated_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	updated_by         TEXT NOT NULL,
	updated_at         TIMESTAMP NOT NULL,
	version            INTEGER NOT NULL
);

-- The support plan: goals in the person's words, each with small steps.
CREATE TABLE plan_goals (
	id         INTEGER PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES persons (id),
	text       TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('active', 'met', 'partly_met', 'stopped')),
	position   INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_goals_person ON plan_goals (person_id, position, id);

-- onward_referral_id names the onward referral made from the step; it has no foreign key
-- because onward_referrals comes in a later migration.
CREATE TABLE plan_steps (
	id                 INTEGER PRIMARY KEY,
	goal_id            INTEGER NOT NULL REFERENCES plan_goals (id),
	person_id          INTEGER NOT NULL REFERENCES persons (id),
	text               TEXT NOT NULL,
	due_on             TEXT NOT NULL,
	status             TEXT NOT NULL CHECK (status IN ('to_do', 'done', 'not_done')),
	done_on            TEXT,
	service_id         INTEGER REFERENCES services (id),
	onward_referral_id INTEGER,
	position           INTEGER NOT NULL,
	created_at         TIMESTAMP NOT NULL,
	updated_at         TIMESTAMP NOT NULL
);
-- A person's next step and overdue steps; their steps due in a week.
CREATE INDEX plan_steps_person ON plan_steps (person_id, status, due_on, id);
CREATE INDEX plan_steps_goal ON plan_steps (goal_id, position, id);

CREATE TABLE progress_notes (
	id             INTEGER PRIMARY KEY,
	person_id      INTEGER NOT NULL REFERENCES persons (id),
	goal_id        INTEGER REFERENCES plan_goals (id),
	text           TEXT NOT NULL,
	author_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author_name    TEXT NOT NULL,
	at             TIMESTAMP NOT NULL
);
CREATE INDEX progress_notes_person ON progress_notes (person_id, at);

-- Contacts with a person. on_date is the contact's date ("on" is an SQL keyword).
CREATE TABLE case_contacts (
	id             INTEGER PRIMARY KEY,
	person_id      INTEGER NOT NULL REFERENCES persons (id),
	on_date        TEXT NOT NULL,
	mode           TEXT NOT NULL CHECK (mode IN ('face_to_face', 'phone', 'video', 'home_visit', 'group', 'message')),
	minutes        INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 480),
	worker_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	worker_name    TEXT NOT NULL,
	with_whom      TEXT NOT NULL,
	note           TEXT NOT NULL,
	follow_up_on   TEXT,
	created_at     TIMESTAMP NOT NULL
);
CREATE INDEX case_contacts_person ON case_contacts (person_id, on_date, id);
CREATE INDEX case_contacts_worker ON case_contacts (worker_user_id, on_date);

-- How long each place keeps closed cases before their personal data is erased, in months;
-- 0 keeps them until erased by hand. Eight years unless the place says.
ALTER TABLE places ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 96 CHECK (retention_months BETWEEN 0 AND 240);
