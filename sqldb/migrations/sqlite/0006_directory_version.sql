-- directory_version counts changes to what the open data API serves, so that its responses
-- can be kept and reused until the directory changes (oruk/cache.go). Triggers on the tables
-- a response is made from bump it; every write to a service's lists also writes its row in
-- services. On SQLite writers take turns, so a plain row trigger cannot deadlock.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

CREATE TRIGGER places_directory_insert AFTER INSERT ON places BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER places_directory_update AFTER UPDATE ON places BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER places_directory_delete AFTER DELETE ON places BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_directory_insert AFTER INSERT ON organisations BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_directory_update AFTER UPDATE ON organisations BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organisations_directory_delete AFTER DELETE ON organisations BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER services_directory_insert AFTER INSERT ON services BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER services_directory_update AFTER UPDATE ON services BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER services_directory_delete AFTER DELETE ON services BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER taxonomies_directory_insert AFTER INSERT ON taxonomies BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER taxonomies_directory_update AFTER UPDATE ON taxonomies BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER taxonomies_directory_delete AFTER DELETE ON taxonomies BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER taxonomy_terms_directory_insert AFTER INSERT ON taxonomy_terms BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER taxonomy_terms_directory_update AFTER UPDATE ON taxonomy_terms BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER taxonomy_terms_directory_delete AFTER DELETE ON taxonomy_terms BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
