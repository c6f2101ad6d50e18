-- The index the place's table of referrals by scheme is read through carries the figures,
-- so that the read is the index alone rather than a lookup of each scheme's month in the
-- table (6,818 schemes a year of months at national size: 0.4 s a view).
DROP INDEX measure_facts_scheme_referrals;
CREATE INDEX measure_facts_scheme_referrals ON measure_facts (place_id, month, scope_key, n, total)
	WHERE scope_kind = 'scheme' AND fact = 'referrals' AND key = 'all';
