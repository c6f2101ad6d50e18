-- Search of the place directory. Each service is indexed as its words (linkwork.SearchText:
-- lower case, accents removed), the same on both databases, in five fields that rank
-- differently: name, organisation, taxonomy terms, description, areas.
--
-- services_fts is a contentless FTS5 table (the text lives in services and the tables it
-- lists) whose rowid is the service's id; contentless_delete lets a service's row be
-- replaced when it changes. The porter stemmer makes "walks" find "walking".
CREATE VIRTUAL TABLE services_fts USING fts5 (
	name, organisation, terms, description, areas,
	content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 2'
);

-- The words each service was indexed with (linkwork.VocabularyWords, space-separated), so
-- that when it changes the vocabulary loses exactly the words it had added.
CREATE TABLE search_documents (
	service_id INTEGER PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	place_id   INTEGER NOT NULL REFERENCES places (id),
	words      TEXT NOT NULL
);
CREATE INDEX search_documents_place ON search_documents (place_id);

-- The words a place's directory uses and how many services use each: a misspelt search word
-- is corrected to the nearest of them. length (in letters) narrows the words to compare.
CREATE TABLE search_words (
	place_id INTEGER NOT NULL REFERENCES places (id),
	word     TEXT NOT NULL,
	length   INTEGER NOT NULL,
	docs     INTEGER NOT NULL CHECK (docs > 0),
	PRIMARY KEY (place_id, word)
) WITHOUT ROWID;
CREATE INDEX search_words_length ON search_words (place_id, length);

-- A search near somewhere reads each candidate service's locations by service; with the
-- coordinates in the index (and the id, which is the rowid) it need not visit the table.
CREATE INDEX locations_service_lat_lng ON locations (service_id, lat, lng);
