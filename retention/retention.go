// Package retention enforces each place's retention period for closed cases: a background
// job that erases the personal data of every case closed longer ago than its place keeps
// them (CaseService.ApplyRetention), leaving only the anonymous facts the measures count.
//
// Every instance of linkwork starts the job, but it runs on one at a time: a run first takes
// the job's lease (linkwork.LeaseService) for most of an interval and is skipped if another
// instance holds it, so across instances the job runs once per interval. The lease is not
// given back after the run, which keeps the other instances from repeating it straight
// away; if the instance holding it dies, the lease runs out and another takes over. Even
// were two runs to overlap, nothing would be erased twice: each case is erased in its own
// transaction that first checks it is still closed and unerased.
package retention

import (
	"context"
	"log/slog"
	"time"

	"linkwork"
)

// DefaultInterval is how often the job runs when Config.Interval is 0.
const DefaultInterval = 6 * time.Hour

// Config is what a Job needs.
type Config struct {
	Cases  linkwork.CaseService
	Leases linkwork.LeaseService
	// Holder names this instance in the lease; it must differ between instances.
	Holder string
	Logger *slog.Logger
	// Interval is the time between runs; the first run is at start.
	Interval time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Job is the retention job.
type Job struct {
	cfg Config
}

// New returns a retention job.
func New(cfg Config) *Job {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Job{cfg: cfg}
}

// LeaseName is the job's lease.
const LeaseName = "retention"

// RunOnce erases every case due for erasure now, and says how many. It does nothing, and
// says 0, when another instance holds the job's lease.
func (j *Job) RunOnce(ctx context.Context) (int, error) {
	ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: "retention"})
	if j.cfg.Leases != nil {
		ttl := max(j.cfg.Interval*9/10, time.Minute)
		got, err := j.cfg.Leases.AcquireLease(ctx, LeaseName, j.cfg.Holder, ttl)
		if err != nil {
			j.cfg.Logger.Error("retention: cannot take the job's lease", "err", err)
			return 0, err
		}
		if !got {
			return 0, nil
		}
	}
	n, err := j.cfg.Cases.ApplyRetention(ctx, j.cfg.Now())
	if err != nil {
		j.cfg.Logger.Error("retention: erasing closed cases past their retention period failed", "err", err, "erased", n)
		return n, err
	}
	if n > 0 {
		j.cfg.Logger.Info("retention: erased closed cases past their retention period", "erased", n)
	}
	return n, nil
}

// Run runs the job at once and then every Interval until ctx ends. A failed run is logged
// and tried again at the next interval.
func (j *Job) Run(ctx context.Context) {
	t := time.NewTicker(j.cfg.Interval)
	defer t.Stop()
	for {
		_, _ = j.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
