package sqldb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestLeases(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leases := sqldb.NewLeaseService(db)
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }

		must := func(holder string, want bool) {
			t.Helper()
			got, err := leases.AcquireLease(ctx, "retention", holder, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s acquiring at %s: got %v, want %v", holder, now.Format(time.TimeOnly), got, want)
			}
		}
		must("a", true)  // free
		must("b", false) // held by a
		must("a", true)  // a renews its own
		now = now.Add(59 * time.Minute)
		must("b", false) // a's renewed lease runs to 10:00
		now = now.Add(2 * time.Minute)
		must("b", true) // expired: b takes it
		must("a", false)
		if err := leases.ReleaseLease(ctx, "retention", "a"); err != nil { // not a's: no effect
			t.Fatal(err)
		}
		must("a", false)
		if err := leases.ReleaseLease(ctx, "retention", "b"); err != nil {
			t.Fatal(err)
		}
		must("a", true)
		// Another job's lease is separate.
		if got, err := leases.AcquireLease(ctx, "other", "b", time.Hour); err != nil || !got {
			t.Fatalf("other job: %v %v", got, err)
		}

		// Many contenders at once for a free lease: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners := 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := leases.AcquireLease(ctx, "contended", string(rune('a'+i)), time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if got {
					mu.Lock()
					winners++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if winners != 1 {
			t.Fatalf("%d contenders won the lease, want exactly 1", winners)
		}
	})
}
