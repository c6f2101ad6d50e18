-- The measures (issue 8): a place's choice of measures and its suppression rule, the
-- measures it added with their monthly values, the monthly facts the dashboards are counted
-- from, how current each place's facts are, and health service use data with the key a
-- place's files name people by.

-- measures is the dashboards' measures in order, space-separated codes.
CREATE TABLE measure_settings (
	place_id   INTEGER PRIMARY KEY REFERENCES places (id),
	measures   TEXT NOT NULL,
	threshold  INTEGER NOT NULL CHECK (threshold BETWEEN 0 AND 100),
	round_to   INTEGER NOT NULL CHECK (round_to BETWEEN 1 AND 100),
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);

-- A place's own measures: a figure each organisation enters month by month. Code "local-<id>".
CREATE TABLE local_measures (
	id           INTEGER PRIMARY KEY,
	place_id     INTEGER NOT NULL REFERENCES places (id),
	name         TEXT NOT NULL,
	definition   TEXT NOT NULL,
	unit         TEXT NOT NULL,
	about_people BOOLEAN NOT NULL,
	retired      BOOLEAN NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX local_measures_place_name ON local_measures (place_id, lower(name));

-- One organisation's value of a local measure in a month ('YYYY-MM').
CREATE TABLE local_measure_values (
	measure_id      INTEGER NOT NULL REFERENCES local_measures (id),
	organisation_id INTEGER NOT NULL REFERENCES organisations (id),
	month           TEXT NOT NULL,
	value           BIGINT NOT NULL CHECK (value >= 0),
	updated_at      TIMESTAMP NOT NULL,
	updated_by      TEXT NOT NULL,
	PRIMARY KEY (measure_id, organisation_id, month)
);
CREATE INDEX local_measure_values_organisation ON local_measure_values (organisation_id, month);

-- The monthly facts of every place and scope (linkwork.MeasureFact; measure_facts.go lists
-- them), remade for a place by sqldb/measure_aggregate.go. A dashboard reads one scope's
-- months through the primary key, which on SQLite holds the rows themselves.
CREATE TABLE measure_facts (
	place_id   INTEGER NOT NULL REFERENCES places (id),
	scope_kind TEXT NOT NULL,
	scope_key  TEXT NOT NULL,
	month      TEXT NOT NULL,
	fact       TEXT NOT NULL,
	key        TEXT NOT NULL,
	n          BIGINT NOT NULL,
	total      BIGINT NOT NULL,
	PRIMARY KEY (place_id, scope_kind, scope_key, month, fact, key)
) WITHOUT ROWID;
-- The place's and an organisation's dashboards show the referrals of each of their schemes:
-- read across schemes through this small index instead of a scheme at a time.
CREATE INDEX measure_facts_scheme_referrals ON measure_facts (place_id, month, scope_key)
	WHERE scope_kind = 'scheme' AND fact = 'referrals' AND key = 'all';

-- How current a place's facts are: the triggers below count every change to a record the
-- facts are made from (change_seq) and the aggregation records the count it made them at
-- (aggregated_seq). A place whose counts differ, or that has no row, is aggregated again.
-- facts_version counts the aggregations, so that one can tell whether the facts changed
-- under it while it worked.
CREATE TABLE measure_state (
	place_id       INTEGER PRIMARY KEY REFERENCES places (id),
	change_seq     BIGINT NOT NULL,
	aggregated_seq BIGINT NOT NULL,
	facts_version  BIGINT NOT NULL DEFAULT 0,
	changed_at     TIMESTAMP,
	aggregated_at  TIMESTAMP
);

-- Health service use: a person's GP appointments and non-elective admissions in a month
-- ('YYYY-MM'), from the files a place loads (linkwork import activity).
CREATE TABLE person_activity (
	person_id       INTEGER NOT NULL REFERENCES persons (id),
	month           TEXT NOT NULL,
	gp_appointments INTEGER NOT NULL CHECK (gp_appointments >= 0),
	admissions      INTEGER NOT NULL CHECK (admissions >= 0),
	PRIMARY KEY (person_id, month)
);

-- How a place's activity files name people: the NHS number, or its HMAC-SHA256 under the
-- place's secret (kept to match people, never shown).
CREATE TABLE activity_keys (
	place_id   INTEGER PRIMARY KEY REFERENCES places (id),
	kind       TEXT NOT NULL CHECK (kind IN ('nhs_number', 'hmac_sha256')),
	secret     TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- The triggers: a change to any record the facts are made from counts as a change to its
-- place. On SQLite writers take turns, so a row trigger cannot deadlock.
CREATE TRIGGER referrals_measures_insert AFTER INSERT ON referrals BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referrals_measures_update AFTER UPDATE ON referrals BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referrals_measures_delete AFTER DELETE ON referrals BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referral_terms_measures_insert AFTER INSERT ON referral_terms BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM referrals WHERE id = NEW.referral_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referral_terms_measures_update AFTER UPDATE ON referral_terms BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM referrals WHERE id = NEW.referral_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referral_terms_measures_delete AFTER DELETE ON referral_terms BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM referrals WHERE id = OLD.referral_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referral_events_measures_insert AFTER INSERT ON referral_events BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM referrals WHERE id = NEW.referral_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referral_events_measures_update AFTER UPDATE ON referral_events BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM referrals WHERE id = NEW.referral_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER referral_events_measures_delete AFTER DELETE ON referral_events BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM referrals WHERE id = OLD.referral_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER persons_measures_insert AFTER INSERT ON persons BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER persons_measures_update AFTER UPDATE ON persons BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER persons_measures_delete AFTER DELETE ON persons BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER case_contacts_measures_insert AFTER INSERT ON case_contacts BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = NEW.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER case_contacts_measures_update AFTER UPDATE ON case_contacts BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = NEW.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER case_contacts_measures_delete AFTER DELETE ON case_contacts BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = OLD.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER questionnaire_responses_measures_insert AFTER INSERT ON questionnaire_responses BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = NEW.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER questionnaire_responses_measures_update AFTER UPDATE ON questionnaire_responses BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = NEW.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER questionnaire_responses_measures_delete AFTER DELETE ON questionnaire_responses BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = OLD.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER onward_referrals_measures_insert AFTER INSERT ON onward_referrals BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER onward_referrals_measures_update AFTER UPDATE ON onward_referrals BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER onward_referrals_measures_delete AFTER DELETE ON onward_referrals BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER volunteer_months_measures_insert AFTER INSERT ON volunteer_months BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM organisations WHERE id = NEW.organisation_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER volunteer_months_measures_update AFTER UPDATE ON volunteer_months BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM organisations WHERE id = NEW.organisation_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER volunteer_months_measures_delete AFTER DELETE ON volunteer_months BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM organisations WHERE id = OLD.organisation_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER new_activities_measures_insert AFTER INSERT ON new_activities BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER new_activities_measures_update AFTER UPDATE ON new_activities BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER new_activities_measures_delete AFTER DELETE ON new_activities BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER organisations_measures_insert AFTER INSERT ON organisations BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER organisations_measures_update AFTER UPDATE ON organisations BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER organisations_measures_delete AFTER DELETE ON organisations BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER budget_pots_measures_insert AFTER INSERT ON budget_pots BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER budget_pots_measures_update AFTER UPDATE ON budget_pots BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER budget_pots_measures_delete AFTER DELETE ON budget_pots BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER spends_measures_insert AFTER INSERT ON spends BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER spends_measures_update AFTER UPDATE ON spends BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER spends_measures_delete AFTER DELETE ON spends BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (OLD.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER ledger_entries_measures_insert AFTER INSERT ON ledger_entries BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER person_activity_measures_insert AFTER INSERT ON person_activity BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = NEW.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER person_activity_measures_update AFTER UPDATE ON person_activity BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = NEW.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER person_activity_measures_delete AFTER DELETE ON person_activity BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM persons WHERE id = OLD.person_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER local_measure_values_measures_insert AFTER INSERT ON local_measure_values BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM organisations WHERE id = NEW.organisation_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER local_measure_values_measures_update AFTER UPDATE ON local_measure_values BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM organisations WHERE id = NEW.organisation_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
CREATE TRIGGER local_measure_values_measures_delete AFTER DELETE ON local_measure_values BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) SELECT place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now') FROM organisations WHERE id = OLD.organisation_id
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
-- A connector scheme moving to another organisation moves its referrals' facts.
CREATE TRIGGER services_measures_update AFTER UPDATE OF organisation_id ON services
WHEN OLD.organisation_id <> NEW.organisation_id BEGIN
	INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (NEW.place_id, 1, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
		ON CONFLICT (place_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at;
END;
