package sqldb

import (
	"context"
	"time"

	"linkwork"
)

// LeaseService keeps background jobs' leases.
type LeaseService struct{ db *DB }

// NewLeaseService returns the leases of db.
func NewLeaseService(db *DB) *LeaseService { return &LeaseService{db: db} }

var _ linkwork.LeaseService = (*LeaseService)(nil)

// AcquireLease takes or renews a lease in one statement: the insert takes a free job, and
// the conditional update takes an expired lease or renews the holder's own. Both databases
// run the statement atomically against a concurrent one for the same job (SQLite by its
// single writer, PostgreSQL by the row lock the conflict takes), so at most one holder
// gets it.
func (s *LeaseService) AcquireLease(ctx context.Context, job, holder string, ttl time.Duration) (bool, error) {
	now := s.db.Now()
	var got bool
	err := s.db.tx(ctx, func(c conn) error {
		res, err := c.exec(ctx, `INSERT INTO job_leases (job, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE job_leases.expires_at <= ? OR job_leases.holder = excluded.holder`,
			job, holder, now.Add(ttl), now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// ReleaseLease ends holder's lease on job early.
func (s *LeaseService) ReleaseLease(ctx context.Context, job, holder string) error {
	return s.db.tx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `DELETE FROM job_leases WHERE job = ? AND holder = ?`, job, holder)
		return err
	})
}
