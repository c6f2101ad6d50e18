package sqldb

import (
	"context"
	"fmt"
)

// landscapeKeptPlaces is how many places' directories are kept. A region's is a hundred
// thousand services with their venues, about 100 MB: the same as one reading of it needs,
// kept so that the report's drill-downs, exports and API resources, each of which reads the
// input, do not read the directory again until it changes.
const landscapeKeptPlaces = 2

// landscapeFlight is a reading of a place's directory in progress. Whoever needs the
// place's directory at the reading's version or an older one waits for it rather than read
// the directory again beside it: viewers arriving together, or while the refresher reads it
// (and the refresher, should a viewer have started first).
type landscapeFlight struct {
	version int64
	done    chan struct{} // closed when the reading has ended
	// waiting counts those waiting for it, for the tests.
	waiting int

	// Set before done is closed.
	dir *landscapeDirectory
	err error
	// abandoned is set when the reading stopped because its reader's context ended (a
	// viewer who left, a refresher stopping): those waiting read the directory themselves.
	abandoned bool
}

// directory returns the directory part of a place's input for a viewer who read the
// directory version: the kept one if it was read at that version or a later one, or else
// the reading in progress at such a version, or else a reading of its own, which is kept.
// A directory read at an older version is never used: it may lack changes the viewer could
// already have seen.
func (s *LandscapeService) directory(ctx context.Context, c conn, placeID, version int64) (*landscapeDirectory, error) {
	return s.directoryAt(ctx, c, placeID, version, true)
}

// directoryAt returns a place's directory read at version or later, as directory does. A
// viewer's call (view) marks it used, and keeps what it reads; the refresher's leaves the
// order of use alone, and keeps what it reads only while the place is still kept.
func (s *LandscapeService) directoryAt(ctx context.Context, c conn, placeID, version int64, view bool) (*landscapeDirectory, error) {
	for {
		s.mu.Lock()
		if d := s.kept[placeID]; d != nil && d.version >= version {
			if view {
				s.keep(placeID, d, true)
			}
			s.mu.Unlock()
			return d, nil
		}
		f := s.flights[placeID]
		if f == nil || f.version < version {
			// None, or one at an older version, which may lack changes this reader must see.
			f = &landscapeFlight{version: version, done: make(chan struct{})}
			s.flights[placeID] = f
			s.mu.Unlock()
			return s.read(ctx, c, placeID, f, view)
		}
		f.waiting++
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			s.mu.Lock()
			f.waiting--
			s.mu.Unlock()
			return nil, ctx.Err()
		}
		if f.abandoned && ctx.Err() == nil {
			continue // its reader left before it finished: read it afresh
		}
		if f.err != nil {
			return nil, f.err
		}
		if view {
			s.mu.Lock()
			s.keep(placeID, f.dir, true)
			s.mu.Unlock()
		}
		return f.dir, nil
	}
}

// read reads a place's directory as flight f, then keeps it and tells those waiting.
func (s *LandscapeService) read(ctx context.Context, c conn, placeID int64, f *landscapeFlight, view bool) (d *landscapeDirectory, err error) {
	defer func() {
		if d == nil && err == nil {
			err = fmt.Errorf("reading the directory of place %d stopped short", placeID) // it panicked
		}
		s.mu.Lock()
		f.dir, f.err, f.abandoned = d, err, err != nil && ctx.Err() != nil
		if s.flights[placeID] == f {
			delete(s.flights, placeID)
		}
		if err == nil {
			s.keep(placeID, d, view)
		}
		s.mu.Unlock()
		close(f.done)
	}()
	if s.beforeRead != nil {
		s.beforeRead(placeID, f.version)
	}
	s.readings.Add(1)
	return readDirectory(ctx, c, placeID, f.version)
}

// keep keeps d as a place's directory unless a newer one is kept already, and for a view
// marks the place's directory used, forgetting the least recently used places beyond
// landscapeKeptPlaces. The refresher's readings (not views) take the place of a kept
// directory, keeping its order of use, and are dropped if the place is no longer kept. The
// caller holds s.mu.
func (s *LandscapeService) keep(placeID int64, d *landscapeDirectory, view bool) {
	old := s.kept[placeID]
	switch {
	case old != nil && old.version > d.version:
		d = old // a newer reading was kept meanwhile
	case old == nil && !view:
		return
	case old != d:
		if old != nil {
			d.used = old.used
		}
		s.kept[placeID] = d
	}
	if view {
		s.tick++
		d.used = s.tick
	}
	for len(s.kept) > landscapeKeptPlaces {
		oldest := int64(-1)
		for id, k := range s.kept {
			if oldest < 0 || k.used < s.kept[oldest].used {
				oldest = id
			}
		}
		delete(s.kept, oldest)
	}
}
