-- Landscape scoping (issue 6): the gaps a place has chosen to fund, and an index for finding
-- a place's neighbourhoods.

-- A funding opportunity is a neighbourhood (an LSOA code) and a need (a term code of the
-- place's need taxonomy) noted for the devolved budgets. A place has at most one open
-- opportunity for a neighbourhood and need; once funded or closed another may be opened.
CREATE TABLE funding_opportunities (
	id                 INTEGER PRIMARY KEY,
	place_id           INTEGER NOT NULL REFERENCES places (id),
	neighbourhood_code TEXT NOT NULL,
	need               TEXT NOT NULL,
	note               TEXT NOT NULL,
	status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'funded', 'closed')),
	created_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_by         TEXT NOT NULL,
	created_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX funding_opportunities_open ON funding_opportunities (place_id, neighbourhood_code, need) WHERE status = 'open';
CREATE INDEX funding_opportunities_place ON funding_opportunities (place_id, created_at, id);

-- A place's neighbourhoods are the LSOAs with live postcodes in its local authorities: the
-- landscape reads those postcodes (about 30 an LSOA) from this index alone, instead of
-- scanning the country's 2.7 million postcodes.
CREATE INDEX postcodes_live_local_authority ON postcodes (local_authority, lsoa, lat, lng, postcode, ward) WHERE terminated_on IS NULL;
