package sqldb_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// directoryVersion returns the database's directory version.
func directoryVersion(t *testing.T, db *sqldb.DB) int64 {
	t.Helper()
	v, err := sqldb.NewOpenDataService(db).DirectoryVersion(t.Context())
	must(t, err)
	return v
}

// renameWalk changes the directory: Walk and Talk takes a new name.
func (w *landWorld) renameWalk(t *testing.T, name string) {
	t.Helper()
	w.walk.Name = name
	must(t, w.dir.UpdateService(t.Context(), w.walk))
}

// sameAsFreshReading fails the test unless in is what a store with nothing kept reads.
func sameAsFreshReading(t *testing.T, db *sqldb.DB, placeID int64, in *linkwork.LandscapeInput) {
	t.Helper()
	fresh, err := sqldb.NewLandscapeService(db).LandscapeInput(t.Context(), placeID)
	must(t, err)
	if got, want := jsonOf(in), jsonOf(fresh); got != want {
		t.Fatalf("the input differs from a fresh reading:\n%s\nwant\n%s", got, want)
	}
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited ten seconds for %s", what)
		}
	}
}

func TestLandscapeRefreshKept(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		w := newLandWorld(t, db)

		// Nothing kept: nothing to read, not even the version.
		if n, err := w.land.RefreshKept(ctx); n != 0 || err != nil || w.land.DirectoryReadings() != 0 {
			t.Fatalf("with nothing kept, RefreshKept read %d (%v), %d readings", n, err, w.land.DirectoryReadings())
		}
		w.input(t)
		v1 := directoryVersion(t, db)
		if v, ok := w.land.KeptVersion(w.york.ID); !ok || v != v1 || w.land.DirectoryReadings() != 1 {
			t.Fatalf("after a view, kept version %d (%v) and %d readings; want %d and 1", v, ok, w.land.DirectoryReadings(), v1)
		}
		// The directory unchanged: nothing is read again.
		if n, err := w.land.RefreshKept(ctx); n != 0 || err != nil || w.land.DirectoryReadings() != 1 {
			t.Fatalf("with the directory unchanged, RefreshKept read %d (%v), %d readings", n, err, w.land.DirectoryReadings())
		}

		// A change: RefreshKept reads the directory again, and the next view reads nothing of
		// it and shows the change, as a fresh reading does.
		w.renameWalk(t, "Walk and Talk Together")
		v2 := directoryVersion(t, db)
		if n, err := w.land.RefreshKept(ctx); n != 1 || err != nil {
			t.Fatalf("after a change, RefreshKept read %d places (%v); want 1", n, err)
		}
		if v, _ := w.land.KeptVersion(w.york.ID); v != v2 || v2 <= v1 || w.land.DirectoryReadings() != 2 {
			t.Fatalf("after the refresh, kept version %d, %d readings; want %d and 2", v, w.land.DirectoryReadings(), v2)
		}
		in := w.input(t)
		if w.land.DirectoryReadings() != 2 || in.DirectoryVersion != v2 || serviceIn(t, in, w.walk.ID).Name != "Walk and Talk Together" {
			t.Fatalf("the view after the refresh: %d readings, version %d (want %d), Walk and Talk named %q",
				w.land.DirectoryReadings(), in.DirectoryVersion, v2, serviceIn(t, in, w.walk.ID).Name)
		}
		sameAsFreshReading(t, db, w.york.ID, in)

		// A change not yet refreshed: the kept directory is not used, the view reads its own.
		w.renameWalk(t, "Walk and Talk Again")
		v3 := directoryVersion(t, db)
		in = w.input(t)
		if w.land.DirectoryReadings() != 3 || in.DirectoryVersion != v3 || serviceIn(t, in, w.walk.ID).Name != "Walk and Talk Again" {
			t.Fatalf("a view before the refresh: %d readings, version %d (want %d), Walk and Talk named %q",
				w.land.DirectoryReadings(), in.DirectoryVersion, v3, serviceIn(t, in, w.walk.ID).Name)
		}
		sameAsFreshReading(t, db, w.york.ID, in)
		// Which leaves the refresher nothing to do.
		if n, err := w.land.RefreshKept(ctx); n != 0 || err != nil || w.land.DirectoryReadings() != 3 {
			t.Fatalf("after the view read the change, RefreshKept read %d (%v), %d readings", n, err, w.land.DirectoryReadings())
		}

		// Leeds is viewed too; both are kept and refreshed, and a third place viewed takes the
		// place of the one viewed least recently (York, now), which is not read again.
		leeds, err := w.land.LandscapeInput(ctx, w.leeds.ID)
		must(t, err)
		w.renameWalk(t, "Walk and Talk")
		if n, err := w.land.RefreshKept(ctx); n != 2 || err != nil {
			t.Fatalf("with two places kept, RefreshKept read %d (%v); want 2", n, err)
		}
		v4 := directoryVersion(t, db)
		for _, id := range []int64{w.york.ID, w.leeds.ID} {
			if v, ok := w.land.KeptVersion(id); !ok || v != v4 {
				t.Fatalf("place %d: kept version %d (%v), want %d", id, v, ok, v4)
			}
		}
		if leeds.Place.Name != "Leeds" {
			t.Fatalf("Leeds's input is of %q", leeds.Place.Name)
		}
		_, err = w.land.LandscapeInput(ctx, w.leeds.ID)
		must(t, err)
		wakefield := mustPlace(t, db, "Wakefield")
		_, err = w.land.LandscapeInput(ctx, wakefield.ID)
		must(t, err)
		if _, ok := w.land.KeptVersion(w.york.ID); ok {
			t.Fatal("York is still kept after two other places were viewed since")
		}
		readings := w.land.DirectoryReadings()
		w.renameWalk(t, "Walk and Talk Together")
		if n, err := w.land.RefreshKept(ctx); n != 2 || err != nil || w.land.DirectoryReadings() != readings+2 {
			t.Fatalf("RefreshKept read %d (%v), %d readings; want Leeds and Wakefield", n, err, w.land.DirectoryReadings()-readings)
		}
		if _, ok := w.land.KeptVersion(w.york.ID); ok {
			t.Fatal("the refresher brought back York, which was no longer kept")
		}
	})
}

// TestLandscapeDirectorySingleFlight holds a reading of the directory while others arrive
// beside it, to see who waits for it and who must not.
func TestLandscapeDirectorySingleFlight(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		w := newLandWorld(t, db)
		var mu sync.Mutex
		hold := map[int64]chan struct{}{} // readings at these versions wait to be let go
		started := make(chan int64, 10)
		w.land.BeforeDirectoryReading(func(_, version int64) {
			mu.Lock()
			ch := hold[version]
			delete(hold, version) // only the first reading at the version waits
			mu.Unlock()
			started <- version
			if ch != nil {
				<-ch
			}
		})
		// next returns the version of the next reading to start.
		next := func() int64 {
			t.Helper()
			return receive(t, started)
		}
		holdNext := func(version int64) chan struct{} {
			mu.Lock()
			defer mu.Unlock()
			hold[version] = make(chan struct{})
			return hold[version]
		}
		w.input(t)
		next()

		// The refresher reads a change; three viewers arriving meanwhile wait for its reading
		// rather than read the directory themselves.
		w.renameWalk(t, "Walk and Talk Together")
		v2 := directoryVersion(t, db)
		release := holdNext(v2)
		refreshed := make(chan error, 1)
		go func() {
			_, err := w.land.RefreshKept(ctx)
			refreshed <- err
		}()
		if v := next(); v != v2 {
			t.Fatalf("the refresher reads version %d, want %d", v, v2)
		}
		type viewed struct {
			in  *linkwork.LandscapeInput
			err error
		}
		views := make(chan viewed, 3)
		for range 3 {
			go func() {
				in, err := w.land.LandscapeInput(ctx, w.york.ID)
				views <- viewed{in, err}
			}()
		}
		waitFor(t, "three viewers to wait for the refresher's reading", func() bool { return w.land.DirectoryWaiting(w.york.ID) == 3 })
		close(release)
		must(t, receive(t, refreshed))
		for range 3 {
			v := receive(t, views)
			must(t, v.err)
			if v.in.DirectoryVersion != v2 || serviceIn(t, v.in, w.walk.ID).Name != "Walk and Talk Together" {
				t.Fatalf("a viewer who waited has version %d (want %d) and Walk and Talk named %q", v.in.DirectoryVersion, v2,
					serviceIn(t, v.in, w.walk.ID).Name)
			}
			sameAsFreshReading(t, db, w.york.ID, v.in)
		}
		if n := w.land.DirectoryReadings(); n != 2 {
			t.Fatalf("%d readings of the directory; want 2 (the first view and the refresher's)", n)
		}

		// The refresher reads a change, and the directory changes again: a viewer now must not
		// use the refresher's reading, which may lack the second change, nor wait for it.
		w.renameWalk(t, "Walk and Talk Again")
		v3 := directoryVersion(t, db)
		release = holdNext(v3)
		go func() {
			_, err := w.land.RefreshKept(ctx)
			refreshed <- err
		}()
		if v := next(); v != v3 {
			t.Fatalf("the refresher reads version %d, want %d", v, v3)
		}
		w.renameWalk(t, "Walk and Talk at Last")
		v4 := directoryVersion(t, db)
		viewCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		in, err := w.land.LandscapeInput(viewCtx, w.york.ID)
		cancel()
		must(t, err)
		if v := next(); v != v4 || in.DirectoryVersion != v4 || serviceIn(t, in, w.walk.ID).Name != "Walk and Talk at Last" {
			t.Fatalf("the viewer read version %d and has version %d (want %d) and Walk and Talk named %q", v, in.DirectoryVersion, v4,
				serviceIn(t, in, w.walk.ID).Name)
		}
		close(release)
		must(t, receive(t, refreshed))
		// The refresher's older reading, finished last, did not take the newer one's place.
		if v, _ := w.land.KeptVersion(w.york.ID); v != v4 {
			t.Fatalf("kept version %d after the older reading finished; want %d", v, v4)
		}
		readings := w.land.DirectoryReadings()
		sameAsFreshReading(t, db, w.york.ID, w.input(t))
		if w.land.DirectoryReadings() != readings {
			t.Fatal("the view after both readings read the directory again")
		}

		// A viewer who leaves before their reading ends: one waiting for it reads it instead.
		w.renameWalk(t, "Walk and Talk")
		v5 := directoryVersion(t, db)
		release = holdNext(v5)
		leaving, leave := context.WithCancel(ctx)
		left := make(chan error, 1)
		go func() {
			_, err := w.land.LandscapeInput(leaving, w.york.ID)
			left <- err
		}()
		next()
		go func() {
			in, err := w.land.LandscapeInput(ctx, w.york.ID)
			views <- viewed{in, err}
		}()
		waitFor(t, "a viewer to wait for the reading", func() bool { return w.land.DirectoryWaiting(w.york.ID) == 1 })
		leave()
		close(release)
		if err := receive(t, left); err == nil {
			t.Fatal("the viewer who left has an input")
		}
		if v := next(); v != v5 {
			t.Fatalf("the viewer who stayed read version %d, want %d", v, v5)
		}
		v := receive(t, views)
		must(t, v.err)
		if v.in.DirectoryVersion != v5 || serviceIn(t, v.in, w.walk.ID).Name != "Walk and Talk" {
			t.Fatalf("the viewer who stayed has version %d (want %d), Walk and Talk named %q", v.in.DirectoryVersion, v5,
				serviceIn(t, v.in, w.walk.ID).Name)
		}
		sameAsFreshReading(t, db, w.york.ID, v.in)
	})
}

// TestLandscapeKeepCurrent runs the refresher of one instance while another, sharing the
// database, changes the directory.
func TestLandscapeKeepCurrent(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			u := sqldbtest.URL(t, dialect)
			db, err := sqldb.Open(ctx, u)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			_, err = db.Migrate(ctx)
			must(t, err)
			other, err := sqldb.Open(ctx, u)
			must(t, err)
			t.Cleanup(func() { other.Close() })
			w := newLandWorld(t, db)

			var logged strings.Builder
			var logMu sync.Mutex
			logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
				logMu.Lock()
				defer logMu.Unlock()
				return logged.Write(p)
			}), nil))
			running, stop := context.WithCancel(ctx)
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				w.land.KeepCurrent(running, 5*time.Millisecond, logger)
			}()
			defer func() {
				stop()
				<-stopped
			}()

			w.input(t)
			// The other instance changes a service: the refresher reads York's directory again.
			walk, err := other.Services().Directory.FindServiceByID(ctx, w.walk.ID)
			must(t, err)
			walk.Name = "Walk and Talk Elsewhere"
			must(t, other.Services().Directory.UpdateService(ctx, walk))
			version := directoryVersion(t, other)
			waitFor(t, "the refresher to read the change", func() bool {
				v, _ := w.land.KeptVersion(w.york.ID)
				return v >= version
			})
			readings := w.land.DirectoryReadings()
			in := w.input(t)
			if w.land.DirectoryReadings() != readings || serviceIn(t, in, w.walk.ID).Name != "Walk and Talk Elsewhere" {
				t.Fatalf("the view after the refresh read the directory %d times and has Walk and Talk named %q",
					w.land.DirectoryReadings()-readings, serviceIn(t, in, w.walk.ID).Name)
			}
			sameAsFreshReading(t, db, w.york.ID, in)

			// Stopped, it reads nothing more.
			stop()
			<-stopped
			walk.Name = "Walk and Talk"
			must(t, other.Services().Directory.UpdateService(ctx, walk))
			readings = w.land.DirectoryReadings()
			time.Sleep(50 * time.Millisecond)
			if w.land.DirectoryReadings() != readings {
				t.Fatal("the refresher read the directory after it was stopped")
			}
			logMu.Lock()
			if logged.Len() != 0 {
				t.Fatalf("the refresher logged: %s", logged.String())
			}
			logMu.Unlock()

			// An instance whose database has gone: the refresher logs it once, and waits
			// before it tries again rather than asking every round.
			gone, err := sqldb.Open(ctx, u)
			must(t, err)
			goneLand := sqldb.NewLandscapeService(gone)
			_, err = goneLand.LandscapeInput(ctx, w.york.ID)
			must(t, err)
			must(t, gone.Close())
			running, stop = context.WithCancel(ctx)
			stopped = make(chan struct{})
			go func() {
				defer close(stopped)
				goneLand.KeepCurrent(running, 5*time.Millisecond, logger)
			}()
			time.Sleep(200 * time.Millisecond)
			stop()
			<-stopped
			logMu.Lock()
			defer logMu.Unlock()
			if n := strings.Count(logged.String(), "cannot read the kept directories again"); n != 1 {
				t.Fatalf("with its database gone, the refresher logged %d times in 200 ms (want 1): %s", n, logged.String())
			}
		})
	}
}

// receive returns the next value from ch, failing the test after ten seconds without one.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("waited ten seconds for what should have come at once")
		var zero T
		return zero
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
