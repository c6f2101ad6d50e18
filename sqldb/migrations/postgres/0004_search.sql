-- Search of the place directory. Each service is indexed as its words (linkwork.SearchText:
-- lower case, accents removed), the same on both databases, with the 'english' configuration
-- (Snowball stemmer, so "walks" finds "walking") and weights that rank a match in the name
-- (A) above one in the taxonomy terms (B) above one in the organisation, description or
-- areas (C).
--
-- words holds the words each service was indexed with (linkwork.VocabularyWords,
-- space-separated), so that when it changes the vocabulary loses exactly the words it had
-- added.
CREATE TABLE search_documents (
	service_id BIGINT PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
	place_id   BIGINT NOT NULL REFERENCES places (id),
	words      TEXT NOT NULL,
	document   tsvector NOT NULL
);
CREATE INDEX search_documents_place ON search_documents (place_id);
CREATE INDEX search_documents_document ON search_documents USING GIN (document);

-- The words a place's directory uses and how many services use each: a misspelt search word
-- is corrected to the nearest of them. length (in letters) narrows the words to compare.
CREATE TABLE search_words (
	place_id BIGINT NOT NULL REFERENCES places (id),
	word     TEXT NOT NULL,
	length   INTEGER NOT NULL,
	docs     INTEGER NOT NULL CHECK (docs > 0),
	PRIMARY KEY (place_id, word)
);
CREATE INDEX search_words_length ON search_words (place_id, length);

-- A search near somewhere reads each candidate service's locations by service; with the
-- coordinates (and the id) in the index it need not visit the table.
CREATE INDEX locations_service_lat_lng ON locations (service_id, lat, lng) INCLUDE (id);
