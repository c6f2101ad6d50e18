-- A place's neighbourhoods as its facts were counted with them (the LSOAs with live
-- postcodes in the local authorities holding enough of its venues, as the landscape chooses
-- them), with their names and IMD deciles, written by each aggregation: a dashboard reads
-- them here instead of grouping every venue of the place by local authority each time it
-- is shown (a quarter of a million venues at national size).
CREATE TABLE measure_neighbourhoods (
	place_id   INTEGER NOT NULL REFERENCES places (id),
	lsoa       TEXT NOT NULL,
	name       TEXT NOT NULL,
	imd_decile INTEGER NOT NULL,
	PRIMARY KEY (place_id, lsoa)
);

-- Every place's facts are counted again, so that their neighbourhoods are kept.
UPDATE measure_state SET change_seq = change_seq + 1;
