-- Keys linkwork signs its own short-lived values with, such as the self-referral form's
-- timing token: made once, at random, and shared by every instance on the database.
CREATE TABLE signing_keys (
	name       TEXT PRIMARY KEY,
	signing_key BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
