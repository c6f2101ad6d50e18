-- The facts' primary key carries their figures, so that a dashboard reads its facts from
-- the index alone (an index-only scan) instead of fetching each row from the table, where a
-- place's facts lie scattered in the order they were written. At national size this took
-- reading a place's dashboard facts from 0.8 s to 0.55 s.
CREATE UNIQUE INDEX measure_facts_covering ON measure_facts (place_id, scope_kind, scope_key, month, fact, key) INCLUDE (n, total);
ALTER TABLE measure_facts DROP CONSTRAINT measure_facts_pkey,
	ADD CONSTRAINT measure_facts_pkey PRIMARY KEY USING INDEX measure_facts_covering;
