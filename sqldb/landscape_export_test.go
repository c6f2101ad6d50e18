package sqldb

// Test-only hooks on the landscape's kept directories, for the tests and benchmarks in
// package sqldb_test: which version is kept, how many readings there were, who waits for
// one, and a way to hold a reading while the test arrives beside it.

// KeptVersion returns the directory version at which the place's directory is kept, and
// whether it is kept: a view that read that version or an older one reads none of the
// directory. The benchmarks watch it to see the refresher done.
func (s *LandscapeService) KeptVersion(placeID int64) (version int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.kept[placeID]; d != nil {
		return d.version, true
	}
	return 0, false
}

// DirectoryReadings returns how many times a directory has been read.
func (s *LandscapeService) DirectoryReadings() int64 { return s.readings.Load() }

// DirectoryWaiting returns how many wait for the reading of the place's directory in
// progress (0 when none is).
func (s *LandscapeService) DirectoryWaiting(placeID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flights[placeID]; f != nil {
		return f.waiting
	}
	return 0
}

// BeforeDirectoryReading has fn called as each reading of a directory starts, in the
// reader's goroutine, before it reads anything. It must be set before any reading starts.
func (s *LandscapeService) BeforeDirectoryReading(fn func(placeID, version int64)) { s.beforeRead = fn }
