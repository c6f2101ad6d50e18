package sqldb_test

import (
	"bytes"
	"sync"
	"testing"

	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestSigningKeyIsMadeOnceAndShared checks that a key is made the first time it is asked
// for, is the same for every later caller (as for every instance on the database), even
// when several ask at once, and differs by name.
func TestSigningKeyIsMadeOnceAndShared(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		keys := sqldb.NewSigningKeyService(db)
		got := make([][]byte, 6)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() {
				k, err := keys.SigningKey(t.Context(), "self_referral")
				if err != nil {
					t.Error(err)
				}
				got[i] = k
			})
		}
		wg.Wait()
		for _, k := range got {
			if len(k) != 32 || !bytes.Equal(k, got[0]) {
				t.Fatalf("keys %x; want one 32-byte key for all", got)
			}
		}
		other, err := keys.SigningKey(t.Context(), "another")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(other, got[0]) {
			t.Error("two names share a key")
		}
	})
}
