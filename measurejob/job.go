// Package measurejob keeps every place's measures current: a background job that, every
// interval, finds the places whose records changed since their facts were last made
// (linkwork.MeasureService.ChangedPlaces) and aggregates each, so that dashboards read
// facts a minute old at most while idle places cost nothing.
//
// Every instance of linkwork starts the job, but it runs on one at a time, as the retention
// job does: a run first takes the job's lease, and is skipped if another instance holds it.
// The lease outlasts the interval and is renewed before each place, so the instance that
// holds it keeps it while it lives and goes on aggregating, and another takes over within
// the lease's length if it dies. Were two aggregations of a place ever to overlap, the store
// keeps them apart (a lock on PostgreSQL, a check of the facts' version on SQLite).
package measurejob

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"linkwork"
)

// DefaultInterval is how often the job runs when Config.Interval is 0.
const DefaultInterval = time.Minute

// LeaseName is the job's lease.
const LeaseName = "measures"

// minLease is the shortest lease the job takes: longer than a large place's aggregation,
// so that no other instance starts while one runs.
const minLease = 5 * time.Minute

// Config is what a Job needs.
type Config struct {
	Measures linkwork.MeasureService
	Leases   linkwork.LeaseService
	// Holder names this instance in the lease; it must differ between instances.
	Holder string
	Logger *slog.Logger
	// Interval is the time between runs; the first run is at start.
	Interval time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Job is the measures job.
type Job struct {
	cfg Config
}

// New returns a measures job.
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

// lease takes or renews the job's lease, reporting whether this instance has it.
func (j *Job) lease(ctx context.Context) (bool, error) {
	if j.cfg.Leases == nil {
		return true, nil
	}
	got, err := j.cfg.Leases.AcquireLease(ctx, LeaseName, j.cfg.Holder, max(j.cfg.Interval*2, minLease))
	if err != nil {
		j.cfg.Logger.Error("measures: cannot take the job's lease", "err", err)
	}
	return got, err
}

// RunOnce aggregates every place changed since its facts were last made, and says how
// many it aggregated. It does nothing, and says 0, when another instance holds the job's
// lease. A place that fails is logged and left for the next run; the others go on.
func (j *Job) RunOnce(ctx context.Context) (int, error) {
	ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: "measures"})
	if got, err := j.lease(ctx); err != nil || !got {
		return 0, err
	}
	places, err := j.cfg.Measures.ChangedPlaces(ctx)
	if err != nil {
		j.cfg.Logger.Error("measures: cannot find the places changed", "err", err)
		return 0, err
	}
	done := 0
	var errs []error
	for i, placeID := range places {
		if i > 0 {
			// Renewed before each place, so that a long run keeps the lease.
			if got, err := j.lease(ctx); err != nil || !got {
				return done, errors.Join(append(errs, err)...)
			}
		}
		start := j.cfg.Now()
		n, err := j.cfg.Measures.Aggregate(ctx, placeID)
		if err != nil {
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			j.cfg.Logger.Error("measures: aggregating a place failed", "place", placeID, "err", err)
			errs = append(errs, err)
			continue
		}
		done++
		j.cfg.Logger.Info("measures: aggregated a place", "place", placeID, "facts", n, "took", j.cfg.Now().Sub(start).Round(time.Millisecond))
	}
	return done, errors.Join(errs...)
}

// Run runs the job at once and then every Interval until ctx ends.
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
