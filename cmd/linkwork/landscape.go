package main

import (
	"context"

	"linkwork"
	"linkwork/sqldb"
)

// landscapeRefresher is the running job that keeps the landscape's kept directories
// current (sqldb.LandscapeService.KeepCurrent).
type landscapeRefresher struct {
	stop context.CancelFunc
	done chan struct{}
}

// startLandscapeRefresher starts the job that reads the kept landscape directories again
// when the directory changes, so that the first view after a change finds its directory
// read. Like the other jobs, it outlives ctx and is stopped by Close.
func (m *Main) startLandscapeRefresher(ctx context.Context, svc linkwork.Services) {
	land, ok := svc.Landscape.(*sqldb.LandscapeService)
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &landscapeRefresher{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		land.KeepCurrent(ctx, sqldb.LandscapeRefreshInterval, m.logger)
	}()
	m.landscape = r
}

// stopLandscapeRefresher stops the job, abandoning the reading in progress, if any, and
// waits for it.
func (m *Main) stopLandscapeRefresher() {
	if m.landscape == nil {
		return
	}
	m.landscape.stop()
	<-m.landscape.done
	m.landscape = nil
}
