-- Faster directory search (issue 3's performance target): filters inside the full-text index,
-- and where each service is in blocks that a search near somewhere reads whole. See
-- docs/search.md.
--
-- search_fts replaces services_fts: the same five fields and tokenizer, and a sixth, facets,
-- holding a service's facet tokens (sqldb.searchFacets): _p<place> while the service is
-- searchable (running or temporarily closed), _ka or _kc for its kind, _f when it is free and
-- _t<term> for each taxonomy term. The tokenizer keeps "_" inside a token; the words indexed
-- never contain one (linkwork.SearchTokens splits at it), so no word can match a facet.
DROP TABLE services_fts;

CREATE VIRTUAL TABLE search_fts USING fts5 (
	name, organisation, terms, description, areas, facets,
	content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 2 tokenchars ''_'''
);

-- Where the searchable services of a place are, for searches near somewhere: one row for
-- each 256 service IDs (block = id >> 8), holding each searchable service with a located
-- point, in ID order, as service ID (8 bytes), number of points n (4 bytes) and n pairs of
-- latitude and longitude in units of 1e-7 degree (4 bytes each), all big-endian.
CREATE TABLE search_blocks (
	place_id INTEGER NOT NULL REFERENCES places (id),
	block    INTEGER NOT NULL,
	data     BLOB NOT NULL,
	PRIMARY KEY (place_id, block)
);

-- rebuild: the index from the directory, as linkwork writes it. Go normally tokenises the
-- text (linkwork.SearchText) before FTS5 sees it; here FTS5's unicode61 tokenizer does, which
-- splits, lowercases and removes accents the same way, after the letters it would leave as
-- they are (ß, æ, ø, ł, …) are replaced as linkwork replaces them. The statements below can
-- run again on an indexed database, which the tests do to check they match Go's index.
INSERT INTO search_fts (search_fts) VALUES ('delete-all');
DELETE FROM search_blocks;

CREATE TEMP TABLE search_text (id INTEGER NOT NULL, col INTEGER NOT NULL, txt TEXT NOT NULL, PRIMARY KEY (id, col)) WITHOUT ROWID;
INSERT INTO search_text (id, col, txt)
	SELECT s.id, 0, s.name FROM services s
	UNION ALL SELECT s.id, 1, o.name FROM services s JOIN organisations o ON o.id = s.organisation_id
	UNION ALL SELECT st.service_id, 2, group_concat(tt.name, ' ' ORDER BY tt.id)
		FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id GROUP BY st.service_id
	UNION ALL SELECT s.id, 3, s.description FROM services s
	UNION ALL SELECT a.service_id, 4, group_concat(a.name, ' ' ORDER BY a.position) FROM service_areas a GROUP BY a.service_id;

UPDATE search_text SET txt =
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(txt,
	'_', ' '), 'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'þ', 'th'), 'Þ', 'th'),
	'ð', 'd'), 'Ð', 'd'), 'ø', 'o'), 'Ø', 'o'), 'ł', 'l'), 'Ł', 'l'), 'đ', 'd'), 'Đ', 'd'), 'ħ', 'h'), 'Ħ', 'h'),
	'ı', 'i'), 'ŀ', 'l'), 'Ŀ', 'l'), 'ŉ', 'n'), 'ŧ', 't'), 'Ŧ', 't');

INSERT INTO search_fts (rowid, name, organisation, terms, description, areas, facets)
SELECT s.id,
	coalesce((SELECT txt FROM search_text WHERE id = s.id AND col = 0), ''),
	coalesce((SELECT txt FROM search_text WHERE id = s.id AND col = 1), ''),
	coalesce((SELECT txt FROM search_text WHERE id = s.id AND col = 2), ''),
	coalesce((SELECT txt FROM search_text WHERE id = s.id AND col = 3), ''),
	coalesce((SELECT txt FROM search_text WHERE id = s.id AND col = 4), ''),
	CASE WHEN s.status IN ('active', 'temporarily closed') THEN '_p' || s.place_id || ' ' ELSE '' END
		|| CASE s.kind WHEN 'connector_scheme' THEN '_kc' ELSE '_ka' END
		|| CASE WHEN s.free THEN ' _f' ELSE '' END
		|| coalesce((SELECT ' ' || group_concat('_t' || st.term_id, ' ' ORDER BY st.term_id) FROM service_terms st
			WHERE st.service_id = s.id), '')
FROM services s ORDER BY s.id;

DROP TABLE search_text;

INSERT INTO search_blocks (place_id, block, data)
SELECT place_id, id >> 8, unhex(group_concat(entry, '' ORDER BY id))
FROM (
	SELECT s.place_id, s.id, printf('%016x%08x', s.id, count(*)) || group_concat(printf('%08x%08x',
		CAST(round(l.lat * 1e7) AS INTEGER) & 4294967295, CAST(round(l.lng * 1e7) AS INTEGER) & 4294967295), '' ORDER BY l.position) AS entry
	FROM services s JOIN locations l ON l.service_id = s.id
	WHERE s.status IN ('active', 'temporarily closed') AND l.lat IS NOT NULL AND l.lng IS NOT NULL
	GROUP BY s.id
)
GROUP BY place_id, id >> 8;
