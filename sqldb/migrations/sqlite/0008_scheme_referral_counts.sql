-- How many referrals each scheme holds in each status, kept by triggers in the transaction
-- that changes a referral, so that routing (which runs with every referral sent) and the
-- capacity view read a few rows instead of counting a queue that can hold thousands.
CREATE TABLE scheme_referral_counts (
	scheme_id INTEGER NOT NULL,
	status    TEXT NOT NULL,
	n         INTEGER NOT NULL,
	PRIMARY KEY (scheme_id, status)
);
INSERT INTO scheme_referral_counts (scheme_id, status, n)
	SELECT scheme_id, status, COUNT(*) FROM referrals GROUP BY scheme_id, status;

CREATE TRIGGER referrals_count_insert AFTER INSERT ON referrals BEGIN
	INSERT INTO scheme_referral_counts (scheme_id, status, n) VALUES (NEW.scheme_id, NEW.status, 1)
		ON CONFLICT (scheme_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER referrals_count_update AFTER UPDATE OF scheme_id, status ON referrals
	WHEN OLD.scheme_id <> NEW.scheme_id OR OLD.status <> NEW.status BEGIN
	UPDATE scheme_referral_counts SET n = n - 1 WHERE scheme_id = OLD.scheme_id AND status = OLD.status;
	INSERT INTO scheme_referral_counts (scheme_id, status, n) VALUES (NEW.scheme_id, NEW.status, 1)
		ON CONFLICT (scheme_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER referrals_count_delete AFTER DELETE ON referrals BEGIN
	UPDATE scheme_referral_counts SET n = n - 1 WHERE scheme_id = OLD.scheme_id AND status = OLD.status;
END;
