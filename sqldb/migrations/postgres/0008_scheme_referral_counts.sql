-- How many referrals each scheme holds in each status, kept by triggers in the transaction
-- that changes a referral, so that routing (which runs with every referral sent) and the
-- capacity view read a few rows instead of counting a queue that can hold thousands.
--
-- The trigger is deferred to commit, so a counter's row is locked only while the writer
-- commits: referrals sent to one scheme at the same time do not queue behind each other's
-- whole transactions.
CREATE TABLE scheme_referral_counts (
	scheme_id BIGINT NOT NULL,
	status    TEXT NOT NULL,
	n         BIGINT NOT NULL,
	PRIMARY KEY (scheme_id, status)
);
INSERT INTO scheme_referral_counts (scheme_id, status, n)
	SELECT scheme_id, status, COUNT(*) FROM referrals GROUP BY scheme_id, status;

CREATE FUNCTION referrals_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		IF TG_OP = 'UPDATE' AND OLD.scheme_id = NEW.scheme_id AND OLD.status = NEW.status THEN
			RETURN NULL;
		END IF;
		UPDATE scheme_referral_counts SET n = n - 1 WHERE scheme_id = OLD.scheme_id AND status = OLD.status;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO scheme_referral_counts (scheme_id, status, n) VALUES (NEW.scheme_id, NEW.status, 1)
			ON CONFLICT (scheme_id, status) DO UPDATE SET n = scheme_referral_counts.n + 1;
	END IF;
	RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER referrals_count AFTER INSERT OR UPDATE OR DELETE ON referrals
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION referrals_count();
