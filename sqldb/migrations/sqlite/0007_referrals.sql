-- Referrals through the front door: the referral with its needs and client groups, the
-- organisations the person agreed may see it, possible duplicates, its history of events,
-- link workers' own caseload limits, and the outbox of notifications.

CREATE TABLE referrals (
	id                       INTEGER PRIMARY KEY,
	uuid                     TEXT NOT NULL UNIQUE,
	place_id                 INTEGER NOT NULL REFERENCES places (id),
	reference                TEXT NOT NULL,
	given_name               TEXT NOT NULL,
	family_name              TEXT NOT NULL,
	-- name_key is the given and family names folded to lower case by linkwork, to find a
	-- person's other referrals (the databases fold case differently).
	name_key                 TEXT NOT NULL,
	date_of_birth            TEXT NOT NULL,
	nhs_number               TEXT NOT NULL,
	address_1                TEXT NOT NULL,
	address_2                TEXT NOT NULL,
	town                     TEXT NOT NULL,
	postcode                 TEXT NOT NULL,
	phone                    TEXT NOT NULL,
	email                    TEXT NOT NULL,
	contact_preferences      TEXT NOT NULL,
	language                 TEXT NOT NULL,
	interpreter              INTEGER NOT NULL,
	access_needs             TEXT NOT NULL,
	gp_practice              TEXT NOT NULL,
	reason                   TEXT NOT NULL,
	risk                     TEXT NOT NULL,
	urgency                  TEXT NOT NULL CHECK (urgency IN ('routine', 'soon', 'urgent')),
	-- urgency_rank orders queues urgent first (0) through an index.
	urgency_rank             INTEGER NOT NULL CHECK (urgency_rank BETWEEN 0 AND 2),
	referrer_type            TEXT NOT NULL,
	referrer_user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
	referrer_organisation_id INTEGER REFERENCES organisations (id),
	referrer_name            TEXT NOT NULL,
	referrer_role            TEXT NOT NULL,
	referrer_phone           TEXT NOT NULL,
	referrer_email           TEXT NOT NULL,
	consent_to_referral      INTEGER NOT NULL,
	consent_method           TEXT NOT NULL,
	consent_recorded_by      TEXT NOT NULL,
	consent_recorded_at      TIMESTAMP NOT NULL,
	scheme_id                INTEGER NOT NULL REFERENCES services (id),
	routed_by                TEXT NOT NULL CHECK (routed_by IN ('referrer', 'linkwork')),
	status                   TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'declined', 'waiting', 'allocated', 'in_progress', 'closed')),
	worker_user_id           INTEGER REFERENCES users (id),
	decline_reason           TEXT NOT NULL,
	outcome                  TEXT NOT NULL,
	version                  INTEGER NOT NULL,
	received_at              TIMESTAMP NOT NULL,
	updated_at               TIMESTAMP NOT NULL,
	waiting_since            TIMESTAMP
);
CREATE UNIQUE INDEX referrals_place_reference ON referrals (place_id, reference);
-- A scheme's triage queue in order, and its counts by status.
CREATE INDEX referrals_scheme_status ON referrals (scheme_id, status, urgency_rank, received_at, id);
-- A scheme's waiting list in order.
CREATE INDEX referrals_waiting ON referrals (scheme_id, urgency_rank, waiting_since, id) WHERE status = 'waiting';
CREATE INDEX referrals_place_received ON referrals (place_id, received_at);
CREATE INDEX referrals_referrer_organisation ON referrals (referrer_organisation_id, received_at);
CREATE INDEX referrals_referrer_user ON referrals (referrer_user_id);
CREATE INDEX referrals_worker ON referrals (worker_user_id, status);
-- Each scheme's active cases by link worker, for its capacity.
CREATE INDEX referrals_active ON referrals (scheme_id, worker_user_id, status) WHERE status IN ('allocated', 'in_progress');
-- Possible duplicates: the same NHS number, or the same name and date of birth.
CREATE INDEX referrals_nhs_number ON referrals (place_id, nhs_number);
CREATE INDEX referrals_person ON referrals (place_id, name_key, date_of_birth);

-- The needs and client groups of a referral (terms of the need and client_group
-- taxonomies), in the order the referrer gave them.
CREATE TABLE referral_terms (
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	term_id     INTEGER NOT NULL REFERENCES taxonomy_terms (id),
	position    INTEGER NOT NULL,
	PRIMARY KEY (referral_id, term_id)
);

-- The organisations the person agreed may see the referral.
CREATE TABLE referral_shares (
	referral_id     INTEGER NOT NULL REFERENCES referrals (id),
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	position        INTEGER NOT NULL,
	PRIMARY KEY (referral_id, organisation_id)
);
CREATE INDEX referral_shares_organisation ON referral_shares (organisation_id, referral_id);

-- Other open referrals that looked like the same person when a referral arrived: flagged
-- for the triager, never merged.
CREATE TABLE referral_duplicates (
	referral_id  INTEGER NOT NULL REFERENCES referrals (id),
	duplicate_id INTEGER NOT NULL REFERENCES referrals (id),
	PRIMARY KEY (referral_id, duplicate_id)
);
CREATE INDEX referral_duplicates_duplicate ON referral_duplicates (duplicate_id, referral_id);

-- A referral's history: its arrival and every transition. scheme_id is the scheme the
-- referral was with after the event, to count a scheme's allocations.
CREATE TABLE referral_events (
	id             INTEGER PRIMARY KEY,
	referral_id    INTEGER NOT NULL REFERENCES referrals (id),
	scheme_id      INTEGER NOT NULL REFERENCES services (id),
	at             TIMESTAMP NOT NULL,
	action         TEXT NOT NULL,
	from_status    TEXT NOT NULL,
	to_status      TEXT NOT NULL,
	actor_user_id  INTEGER,
	actor_name     TEXT NOT NULL,
	from_scheme_id INTEGER REFERENCES services (id),
	to_scheme_id   INTEGER REFERENCES services (id),
	worker_user_id INTEGER,
	reason         TEXT NOT NULL,
	note           TEXT NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);
CREATE INDEX referral_events_scheme ON referral_events (scheme_id, action, at);

-- A link worker's own caseload limit in a place, instead of their scheme's.
CREATE TABLE caseload_limits (
	place_id       INTEGER NOT NULL REFERENCES places (id),
	user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	caseload_limit INTEGER NOT NULL CHECK (caseload_limit BETWEEN 1 AND 500),
	updated_at     TIMESTAMP NOT NULL,
	PRIMARY KEY (place_id, user_id)
);

-- The outbox: messages written in the same transaction as the change they tell of, and
-- sent by a background worker that leases them.
CREATE TABLE notifications (
	id              INTEGER PRIMARY KEY,
	place_id        INTEGER NOT NULL REFERENCES places (id),
	referral_id     INTEGER REFERENCES referrals (id),
	to_address      TEXT NOT NULL,
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	message_id      TEXT NOT NULL UNIQUE,
	created_at      TIMESTAMP NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at TIMESTAMP NOT NULL,
	leased_until    TIMESTAMP,
	sent_at         TIMESTAMP,
	last_error      TEXT NOT NULL,
	gave_up         INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE sent_at IS NULL AND NOT gave_up;
CREATE INDEX notifications_referral ON notifications (referral_id, id);
