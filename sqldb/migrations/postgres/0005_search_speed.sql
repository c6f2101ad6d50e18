-- Faster directory search (issue 3's performance target): filters inside the full-text index,
-- and each service's points in its search row, for SQL to measure. See docs/search.md.
--
-- search_rows holds what a search reads of each service, narrow and fixed-width first, so
-- that the thousands of rows a common word matches are quick to visit:
--
--   - document: the stems of the service's five fields as the 'english' configuration makes
--     them, without positions (nothing reads them: ranking is by name_stems and tier_stems),
--     and its facet tokens (sqldb.searchFacets): _p<place> while the service is searchable
--     (running or temporarily closed), _ka or _kc for its kind, _f when it is free and
--     _t<term> for each taxonomy term. The words never contain "_" (linkwork.SearchTokens
--     splits at it), so no word can match a facet;
--   - name_stems and tier_stems: the stems of the name, and of the name and terms, for
--     ranking;
--   - name_key: lower(name), which a search without a place sorts on;
--   - x1 … z3: the unit vectors of the first three located points (sqldb.geoPoint.vector),
--     from which a search measures squared chords; search_points holds the fourth and later
--     ones, and more_points says there are some.
--
-- search_documents keeps only the words each service added to the vocabulary, as on SQLite.
CREATE TABLE search_rows (
	service_id    BIGINT PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	place_id      BIGINT NOT NULL REFERENCES places (id),
	more_points   BOOLEAN NOT NULL,
	x1            DOUBLE PRECISION,
	y1            DOUBLE PRECISION,
	z1            DOUBLE PRECISION,
	x2            DOUBLE PRECISION,
	y2            DOUBLE PRECISION,
	z2            DOUBLE PRECISION,
	x3            DOUBLE PRECISION,
	y3            DOUBLE PRECISION,
	z3            DOUBLE PRECISION,
	name_key      TEXT NOT NULL,
	name_stems    TSVECTOR NOT NULL,
	tier_stems    TSVECTOR NOT NULL,
	document      TSVECTOR NOT NULL
);
CREATE INDEX search_rows_place ON search_rows (place_id);

CREATE TABLE search_points (
	service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	x          DOUBLE PRECISION NOT NULL,
	y          DOUBLE PRECISION NOT NULL,
	z          DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (service_id, position)
);

-- The words, from the documents linkwork indexed (name weight A, terms B).
INSERT INTO search_rows (service_id, place_id, more_points, name_key, name_stems, tier_stems, document)
SELECT d.service_id, d.place_id, false, '', strip(ts_filter(d.document, '{a}')), strip(ts_filter(d.document, '{a,b}')), strip(d.document)
FROM search_documents d;

DROP INDEX search_documents_document;
ALTER TABLE search_documents DROP COLUMN document;

-- rebuild: the facets, sort keys and points of every indexed service, from the directory, as
-- linkwork writes them. The statements below can run again on an indexed database, which the
-- tests do to check they match Go's index.
UPDATE search_rows r
SET document = ts_delete(r.document, ARRAY(SELECT l FROM unnest(tsvector_to_array(r.document)) l WHERE l LIKE '\_%'))
		|| array_to_tsvector(string_to_array(
			CASE WHEN s.status IN ('active', 'temporarily closed') THEN '_p' || s.place_id || ' ' ELSE '' END
			|| CASE s.kind WHEN 'connector_scheme' THEN '_kc' ELSE '_ka' END
			|| CASE WHEN s.free THEN ' _f' ELSE '' END
			|| coalesce((SELECT ' ' || string_agg('_t' || st.term_id, ' ' ORDER BY st.term_id) FROM service_terms st
				WHERE st.service_id = s.id), ''), ' ')),
	name_key = lower(s.name)
FROM services s
WHERE s.id = r.service_id;

DELETE FROM search_points;

CREATE TEMP TABLE search_vectors AS
SELECT service_id, k, cos(la) * cos(lo) AS x, cos(la) * sin(lo) AS y, sin(la) AS z
FROM (
	-- The points in units of 1e-7 degree (rounded half away from zero, as Go rounds), in
	-- radians (the factor is Go's math.Pi / 180 / 1e7).
	SELECT l.service_id, (row_number() OVER (PARTITION BY l.service_id ORDER BY l.position) - 1)::integer AS k,
		round((l.lat * 1e7)::numeric)::double precision * 1.7453292519943295e-09 AS la,
		round((l.lng * 1e7)::numeric)::double precision * 1.7453292519943295e-09 AS lo
	FROM locations l
	WHERE l.lat IS NOT NULL AND l.lng IS NOT NULL
) p;

UPDATE search_rows r
SET x1 = v.x1, y1 = v.y1, z1 = v.z1, x2 = v.x2, y2 = v.y2, z2 = v.z2, x3 = v.x3, y3 = v.y3, z3 = v.z3, more_points = v.more
FROM (
	SELECT r2.service_id,
		max(x) FILTER (WHERE k = 0) AS x1, max(y) FILTER (WHERE k = 0) AS y1, max(z) FILTER (WHERE k = 0) AS z1,
		max(x) FILTER (WHERE k = 1) AS x2, max(y) FILTER (WHERE k = 1) AS y2, max(z) FILTER (WHERE k = 1) AS z2,
		max(x) FILTER (WHERE k = 2) AS x3, max(y) FILTER (WHERE k = 2) AS y3, max(z) FILTER (WHERE k = 2) AS z3,
		coalesce(max(k) >= 3, false) AS more
	FROM search_rows r2 LEFT JOIN search_vectors v ON v.service_id = r2.service_id
	GROUP BY r2.service_id
) v
WHERE v.service_id = r.service_id;

INSERT INTO search_points (service_id, position, x, y, z)
SELECT v.service_id, v.k, v.x, v.y, v.z FROM search_vectors v JOIN search_rows r ON r.service_id = v.service_id WHERE v.k >= 3;

DROP TABLE search_vectors;

CREATE INDEX IF NOT EXISTS search_rows_document ON search_rows USING GIN (document);
