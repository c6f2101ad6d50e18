package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"linkwork"
	"linkwork/retention"
)

// eraser is the running retention job.
type eraser struct {
	stop context.CancelFunc
	done chan struct{}
}

// startRetention starts the job that erases closed cases past their place's retention
// period, at once and then every interval. Like the notifier, it outlives ctx and is
// stopped by Close.
func (m *Main) startRetention(ctx context.Context, svc linkwork.Services, interval time.Duration) {
	job := retention.New(retention.Config{Cases: svc.Cases, Leases: svc.Leases, Holder: instanceName(),
		Logger: m.logger, Interval: interval})
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &eraser{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		job.Run(ctx)
	}()
	m.eraser = e
}

// stopRetention stops the job and waits for the erasure in progress, if any, to finish.
func (m *Main) stopRetention() {
	if m.eraser == nil {
		return
	}
	m.eraser.stop()
	<-m.eraser.done
	m.eraser = nil
}

// instanceName names this process among the instances sharing a database: its host and
// process ID, and a random part in case two containers share both.
func instanceName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), linkwork.NewUUID()[:8])
}
