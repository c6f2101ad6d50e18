package linkwork

import (
	"context"
	"time"
)

// LeaseService lets one instance of linkwork at a time run a background job (such as the
// retention job), when several instances share a PostgreSQL database: an instance runs the
// job only while it holds the job's lease, and a lease nobody renews runs out on its own, so
// a crashed instance never blocks the job for longer than its lease.
type LeaseService interface {
	// AcquireLease gives job's lease to holder until ttl from now, if nobody else holds it
	// now (an expired lease counts as free, and holder may renew its own). It reports
	// whether holder has the lease.
	AcquireLease(ctx context.Context, job, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease gives up holder's lease on job, if it has it.
	ReleaseLease(ctx context.Context, job, holder string) error
}
