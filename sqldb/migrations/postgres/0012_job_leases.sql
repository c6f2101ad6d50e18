-- Leases on background jobs, so that when several instances of linkwork share a database
-- only one at a time runs a job such as the retention job. A lease past its expiry is free.
CREATE TABLE job_leases (
	job         TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	expires_at  TIMESTAMP NOT NULL
);
