-- directory_version counts changes to what the open data API serves, so that its responses
-- can be kept and reused until the directory changes (oruk/cache.go). Triggers on the tables
-- a response is made from bump it; every write to a service's lists also writes its row in
-- services.
--
-- The triggers are deferred to commit and bump once a transaction, so the counter's row is
-- the last lock a writer takes: two writers cannot deadlock over it, and a bulk import
-- updates it once, not once a row.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('linkwork.directory_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE directory_version SET version = version + 1 WHERE id = 1;
        PERFORM set_config('linkwork.directory_bumped', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER places_directory_changed AFTER INSERT OR UPDATE OR DELETE ON places
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER organisations_directory_changed AFTER INSERT OR UPDATE OR DELETE ON organisations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER services_directory_changed AFTER INSERT OR UPDATE OR DELETE ON services
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER taxonomies_directory_changed AFTER INSERT OR UPDATE OR DELETE ON taxonomies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER taxonomy_terms_directory_changed AFTER INSERT OR UPDATE OR DELETE ON taxonomy_terms
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
