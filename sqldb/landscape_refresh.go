package sqldb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"linkwork"
)

// LandscapeRefreshInterval is how often KeepCurrent reads the directory version when it is
// given no interval: a one-row read, cheap enough to make every second, and soon enough that
// a viewer who changes an entry and then opens the report seldom finds the reading still to
// start.
const LandscapeRefreshInterval = time.Second

// landscapeRefreshRetry is how long KeepCurrent waits after a failure before it tries again,
// so that a database that is down is not asked every second, nor the log filled.
const landscapeRefreshRetry = 30 * time.Second

// KeepCurrent keeps the kept directories current until ctx ends, so that the first view of
// the landscape after the directory changes finds its directory read already, as later views
// do. Every interval (LandscapeRefreshInterval if 0) it calls RefreshKept, which reads the
// directory version and, when it has moved on, reads the kept places' directories again.
// Each instance sharing a database runs its own and notices the others' changes through the
// version.
//
// After a reading it rests at least as long as the reading took, so that a directory that
// changes all the time keeps it busy half the time at most; views meanwhile read the
// directory themselves, as they would without it. Failures are logged, and tried again
// after landscapeRefreshRetry.
func (s *LandscapeService) KeepCurrent(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	if interval <= 0 {
		interval = LandscapeRefreshInterval
	}
	if logger == nil {
		logger = slog.Default()
	}
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		n, err := s.RefreshKept(ctx)
		wait := interval
		if n > 0 {
			wait = max(wait, time.Since(start))
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Error("landscape: cannot read the kept directories again", "err", err)
			wait = max(wait, landscapeRefreshRetry)
		}
		timer.Reset(wait)
	}
}

// RefreshKept reads again, at the directory's current version, the kept directories of
// places that the version has moved past, the most recently viewed first, and says how
// many it read (or found being read by a viewer, and waited for). Viewers arriving while it
// reads a place wait for that reading. With nothing kept it reads nothing, not even the
// version. A place that no longer exists is forgotten.
func (s *LandscapeService) RefreshKept(ctx context.Context) (int, error) {
	s.mu.Lock()
	n := len(s.kept)
	s.mu.Unlock()
	if n == 0 {
		return 0, nil
	}
	c := s.db.reporting()
	var version int64
	if err := c.queryRow(ctx, "SELECT version FROM directory_version WHERE id = 1", nil, &version); err != nil {
		return 0, fmt.Errorf("the directory version: %w", err)
	}
	type stalePlace struct{ id, used int64 }
	var stale []stalePlace
	s.mu.Lock()
	for id, d := range s.kept {
		if d.version < version {
			stale = append(stale, stalePlace{id, d.used})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(stale, func(a, b stalePlace) int { return cmp.Compare(b.used, a.used) })
	var errs []error
	for _, p := range stale {
		_, err := s.directoryAt(ctx, c, p.id, version, false)
		switch {
		case err == nil:
		case linkwork.ErrorCode(err) == linkwork.ENOTFOUND:
			s.mu.Lock()
			if d := s.kept[p.id]; d != nil && d.version < version {
				delete(s.kept, p.id)
			}
			s.mu.Unlock()
		default:
			errs = append(errs, fmt.Errorf("place %d: %w", p.id, err))
		}
	}
	return len(stale), errors.Join(errs...)
}
