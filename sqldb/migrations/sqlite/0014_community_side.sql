-- The community side (issue 7): devolved budgets and their ledger, the community group
-- portal, and the practitioners' forum. Dates are 'YYYY-MM-DD' text, as elsewhere.

-- A devolved budget pot. Its money is in ledger_entries; nothing here holds a balance.
CREATE TABLE budget_pots (
	id                   INTEGER PRIMARY KEY,
	place_id             INTEGER NOT NULL REFERENCES places (id),
	organisation_id      INTEGER NOT NULL REFERENCES organisations (id),
	holder               TEXT NOT NULL CHECK (holder IN ('scheme', 'team', 'link_worker')),
	service_id           INTEGER REFERENCES services (id),
	user_id              INTEGER REFERENCES users (id),
	name                 TEXT NOT NULL,
	funder               TEXT NOT NULL,
	period_start         TEXT NOT NULL,
	period_end           TEXT NOT NULL,
	max_per_item         INTEGER NOT NULL CHECK (max_per_item >= 0),
	approval_threshold   INTEGER NOT NULL CHECK (approval_threshold >= 0),
	kinds                TEXT NOT NULL, -- space-separated spend kinds
	needs                TEXT NOT NULL, -- newline-separated need term codes; empty for any
	rules                TEXT NOT NULL,
	open_to_applications BOOLEAN NOT NULL,
	status               TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	closed_at            TIMESTAMP,
	closed_by            TEXT NOT NULL DEFAULT '',
	created_by_user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_by           TEXT NOT NULL,
	created_at           TIMESTAMP NOT NULL,
	version              INTEGER NOT NULL
);
CREATE INDEX budget_pots_place ON budget_pots (place_id, organisation_id, status);

-- A spend: a micro-grant application or a personal spend, and where it stands.
CREATE TABLE spends (
	id                      INTEGER PRIMARY KEY,
	place_id                INTEGER NOT NULL REFERENCES places (id),
	pot_id                  INTEGER NOT NULL REFERENCES budget_pots (id),
	kind                    TEXT NOT NULL CHECK (kind IN ('micro_grant', 'personal')),
	amount                  INTEGER NOT NULL CHECK (amount > 0),
	need                    TEXT NOT NULL,
	neighbourhood_code      TEXT NOT NULL,
	funding_opportunity_id  INTEGER REFERENCES funding_opportunities (id),
	group_organisation_id   INTEGER REFERENCES organisations (id),
	activity_name           TEXT NOT NULL,
	purpose                 TEXT NOT NULL,
	postcode                TEXT NOT NULL,
	people_expected         INTEGER NOT NULL,
	contact_name            TEXT NOT NULL,
	contact_email           TEXT NOT NULL,
	contact_phone           TEXT NOT NULL,
	report_due              TEXT,
	report_what_happened    TEXT,
	report_people_reached   INTEGER,
	report_volunteers       INTEGER,
	report_amount_used      INTEGER,
	report_submitted_by     TEXT,
	report_submitted_at     TIMESTAMP,
	person_id               INTEGER REFERENCES persons (id),
	goal_id                 INTEGER,
	item                    TEXT NOT NULL,
	reason                  TEXT NOT NULL,
	status                  TEXT NOT NULL CHECK (status IN ('applied', 'requested', 'approved', 'paid', 'reported', 'declined', 'withdrawn', 'reversed')),
	decision_reason         TEXT NOT NULL,
	requested_by_user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
	requested_by            TEXT NOT NULL,
	requested_at            TIMESTAMP NOT NULL,
	decided_by              TEXT NOT NULL,
	decided_at              TIMESTAMP,
	paid_at                 TIMESTAMP,
	version                 INTEGER NOT NULL
);
CREATE INDEX spends_pot ON spends (pot_id, status, requested_at);
CREATE INDEX spends_place ON spends (place_id, status, paid_at);
CREATE INDEX spends_group ON spends (group_organisation_id, status) WHERE group_organisation_id IS NOT NULL;
CREATE INDEX spends_person ON spends (person_id) WHERE person_id IS NOT NULL;

-- The ledger: every movement of a pot's money, never changed or deleted. funds_delta and
-- committed_delta are the entry's signed effects on the pot; counts_as is the kind whose
-- total it belongs to (a reversal's is the reversed entry's kind). An entry is reversed at
-- most once (the unique index on reverses_id).
CREATE TABLE ledger_entries (
	id                 INTEGER PRIMARY KEY,
	place_id           INTEGER NOT NULL REFERENCES places (id),
	pot_id             INTEGER NOT NULL REFERENCES budget_pots (id),
	kind               TEXT NOT NULL CHECK (kind IN ('allocation', 'commitment', 'release', 'spend', 'refund', 'reversal')),
	amount             INTEGER NOT NULL CHECK (amount > 0),
	funds_delta        INTEGER NOT NULL,
	committed_delta    INTEGER NOT NULL,
	counts_as          TEXT NOT NULL,
	spend_id           INTEGER REFERENCES spends (id),
	reverses_id        INTEGER REFERENCES ledger_entries (id),
	note               TEXT NOT NULL,
	created_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_by         TEXT NOT NULL,
	created_at         TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_pot ON ledger_entries (pot_id, id);
-- The spend reports read a place's entries by date.
CREATE INDEX ledger_entries_place ON ledger_entries (place_id, created_at);
CREATE INDEX ledger_entries_spend ON ledger_entries (spend_id) WHERE spend_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_reverses ON ledger_entries (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
	SELECT RAISE(ABORT, 'ledger entries cannot be changed: correct them with a reversing entry');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
	SELECT RAISE(ABORT, 'ledger entries cannot be deleted: correct them with a reversing entry');
END;

-- The idempotency keys of money-moving requests: one row per key used in a place, written
-- in the same transaction as what the request did, so that a request sent twice is refused.
CREATE TABLE idempotency_keys (
	place_id   INTEGER NOT NULL REFERENCES places (id),
	key        TEXT NOT NULL,
	action     TEXT NOT NULL,
	record_id  INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (place_id, key)
);

-- How full a community offer is this week, kept by the group that runs it.
CREATE TABLE service_availability (
	service_id  INTEGER PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	is_full     BOOLEAN NOT NULL,
	note        TEXT NOT NULL,
	places_left INTEGER,
	week        TEXT NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	updated_by  TEXT NOT NULL
);

-- A group's volunteers and their hours in a month (month is the first day).
CREATE TABLE volunteer_months (
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	month           TEXT NOT NULL,
	volunteers      INTEGER NOT NULL CHECK (volunteers >= 0),
	hours           INTEGER NOT NULL CHECK (hours >= 0),
	updated_at      TIMESTAMP NOT NULL,
	updated_by      TEXT NOT NULL,
	PRIMARY KEY (organisation_id, month)
);

-- New activities groups have started.
CREATE TABLE new_activities (
	id              INTEGER PRIMARY KEY,
	place_id        INTEGER NOT NULL REFERENCES places (id),
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	name            TEXT NOT NULL,
	description     TEXT NOT NULL,
	started_on      TEXT NOT NULL,
	need            TEXT NOT NULL,
	co_produced     BOOLEAN NOT NULL,
	service_id      INTEGER REFERENCES services (id) ON DELETE SET NULL,
	created_at      TIMESTAMP NOT NULL,
	created_by      TEXT NOT NULL
);
CREATE INDEX new_activities_organisation ON new_activities (organisation_id, started_on);
CREATE INDEX new_activities_place ON new_activities (place_id, started_on);

-- What groups ask the place for.
CREATE TABLE group_requests (
	id                 INTEGER PRIMARY KEY,
	place_id           INTEGER NOT NULL REFERENCES places (id),
	organisation_id    INTEGER NOT NULL REFERENCES organisations (id),
	kind               TEXT NOT NULL CHECK (kind IN ('space', 'money', 'volunteers', 'training', 'other')),
	detail             TEXT NOT NULL,
	need               TEXT NOT NULL,
	postcode           TEXT NOT NULL,
	neighbourhood_code TEXT NOT NULL,
	status             TEXT NOT NULL CHECK (status IN ('open', 'met', 'withdrawn')),
	response           TEXT NOT NULL,
	created_at         TIMESTAMP NOT NULL,
	created_by         TEXT NOT NULL,
	closed_at          TIMESTAMP,
	closed_by          TEXT NOT NULL,
	version            INTEGER NOT NULL
);
CREATE INDEX group_requests_place ON group_requests (place_id, status, created_at);
CREATE INDEX group_requests_organisation ON group_requests (organisation_id, status);

-- The practitioners' forum: meetings, who they invite, who signed up and came.
CREATE TABLE forum_meetings (
	id                INTEGER PRIMARY KEY,
	place_id          INTEGER NOT NULL REFERENCES places (id),
	title             TEXT NOT NULL,
	starts_at         TIMESTAMP NOT NULL,
	ends_at           TIMESTAMP NOT NULL,
	venue             TEXT NOT NULL,
	online_url        TEXT NOT NULL,
	agenda            TEXT NOT NULL,
	capacity          INTEGER NOT NULL,
	notes             TEXT NOT NULL,
	notes_updated_at  TIMESTAMP,
	notes_updated_by  TEXT NOT NULL,
	cancelled         BOOLEAN NOT NULL,
	organiser_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	organiser_name    TEXT NOT NULL,
	created_at        TIMESTAMP NOT NULL,
	version           INTEGER NOT NULL
);
CREATE INDEX forum_meetings_place ON forum_meetings (place_id, ends_at);
CREATE TABLE meeting_invites (
	meeting_id      INTEGER NOT NULL REFERENCES forum_meetings (id) ON DELETE CASCADE,
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (meeting_id, organisation_id)
);
CREATE INDEX meeting_invites_organisation ON meeting_invites (organisation_id, meeting_id);
CREATE TABLE meeting_sign_ups (
	meeting_id        INTEGER NOT NULL REFERENCES forum_meetings (id) ON DELETE CASCADE,
	user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name              TEXT NOT NULL,
	organisation_name TEXT NOT NULL,
	signed_up_at      TIMESTAMP NOT NULL,
	attended          BOOLEAN,
	PRIMARY KEY (meeting_id, user_id)
);

-- Learning posts and their comments.
CREATE TABLE forum_posts (
	id                  INTEGER PRIMARY KEY,
	place_id            INTEGER NOT NULL REFERENCES places (id),
	title               TEXT NOT NULL,
	body                TEXT NOT NULL,
	author_user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author_name         TEXT NOT NULL,
	author_organisation TEXT NOT NULL,
	created_at          TIMESTAMP NOT NULL,
	last_activity       TIMESTAMP NOT NULL,
	hidden              BOOLEAN NOT NULL,
	hidden_reason       TEXT NOT NULL
);
CREATE INDEX forum_posts_place ON forum_posts (place_id, last_activity);
CREATE TABLE forum_comments (
	id                  INTEGER PRIMARY KEY,
	post_id             INTEGER NOT NULL REFERENCES forum_posts (id),
	body                TEXT NOT NULL,
	author_user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author_name         TEXT NOT NULL,
	author_organisation TEXT NOT NULL,
	created_at          TIMESTAMP NOT NULL,
	hidden              BOOLEAN NOT NULL
);
CREATE INDEX forum_comments_post ON forum_comments (post_id, id);
