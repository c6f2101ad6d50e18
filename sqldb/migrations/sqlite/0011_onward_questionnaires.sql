-- Onward referrals from a person's case to community offers in the directory, the place's
-- own wellbeing questionnaires and its licensed SWEMWBS wording, and people's responses.

-- An onward referral holds only what the receiving group needs of the person, given with
-- their consent. plan_steps.onward_referral_id points back here (without a foreign key, as
-- plan_steps came first).
CREATE TABLE onward_referrals (
	id                      INTEGER PRIMARY KEY,
	place_id                INTEGER NOT NULL REFERENCES places (id),
	person_id               INTEGER NOT NULL REFERENCES persons (id),
	person_organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
	step_id                 INTEGER REFERENCES plan_steps (id),
	service_id              INTEGER NOT NULL REFERENCES services (id),
	service_organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	first_name              TEXT NOT NULL,
	contact_phone           TEXT NOT NULL,
	contact_email           TEXT NOT NULL,
	needs                   TEXT NOT NULL,
	access_requirements     TEXT NOT NULL,
	message                 TEXT NOT NULL,
	consent                 INTEGER NOT NULL,
	consent_method          TEXT NOT NULL,
	status                  TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'declined', 'attended', 'did_not_attend', 'withdrawn')),
	reason                  TEXT NOT NULL,
	note                    TEXT NOT NULL,
	sent_by_user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
	sent_by                 TEXT NOT NULL,
	sent_at                 TIMESTAMP NOT NULL,
	answered_at             TIMESTAMP,
	answered_by             TEXT NOT NULL,
	version                 INTEGER NOT NULL
);
-- A person's onward referrals, and those awaiting an answer for the caseload.
CREATE INDEX onward_person ON onward_referrals (person_id, status, sent_at);
-- A receiving organisation's inbox.
CREATE INDEX onward_inbox ON onward_referrals (service_organisation_id, status, sent_at);

-- A place's own questionnaires. definition is the linkwork.Questionnaire as JSON; it is never
-- changed once made, so that every response keeps the meaning it had. code is "local-<id>".
CREATE TABLE local_questionnaires (
	id         INTEGER PRIMARY KEY,
	place_id   INTEGER NOT NULL REFERENCES places (id),
	code       TEXT NOT NULL,
	name       TEXT NOT NULL,
	definition TEXT NOT NULL,
	retired    INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX local_questionnaires_place ON local_questionnaires (place_id, id);

-- The seven licensed SWEMWBS items a place's deploying organisation supplied, as a JSON
-- array of strings.
CREATE TABLE questionnaire_wording (
	place_id      INTEGER PRIMARY KEY REFERENCES places (id),
	swemwbs_items TEXT NOT NULL
);

-- A person's answers to a questionnaire at one timepoint. answers is a JSON array with null
-- for an item not yet answered (drafts); score is the JSON linkwork.QuestionnaireScore of a
-- complete response, '' for a draft.
CREATE TABLE questionnaire_responses (
	id                  INTEGER PRIMARY KEY,
	person_id           INTEGER NOT NULL REFERENCES persons (id),
	questionnaire_code  TEXT NOT NULL,
	questionnaire_name  TEXT NOT NULL,
	timepoint           TEXT NOT NULL CHECK (timepoint IN ('baseline', 'review', 'final')),
	answers             TEXT NOT NULL,
	status              TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
	score               TEXT NOT NULL,
	completed_on        TEXT NOT NULL,
	recorded_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	recorded_by         TEXT NOT NULL,
	created_at          TIMESTAMP NOT NULL,
	updated_at          TIMESTAMP NOT NULL,
	version             INTEGER NOT NULL
);
CREATE INDEX questionnaire_responses_person ON questionnaire_responses (person_id, created_at);
