package authz

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(3, 10*time.Second)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("attempt %d of a burst of 3 refused", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("4th attempt at once allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another address is limited too")
	}
	now = now.Add(9 * time.Second)
	if l.Allow("a") {
		t.Fatal("allowed before a token refilled")
	}
	now = now.Add(time.Second)
	if !l.Allow("a") {
		t.Fatal("refused after a token refilled")
	}
	if l.Allow("a") {
		t.Fatal("one refill allowed two attempts")
	}
	// After a long quiet spell the buckets are full again, and swept away.
	now = now.Add(time.Hour)
	l.Allow("c")
	if _, ok := l.buckets["a"]; ok {
		t.Error("a full bucket was not swept")
	}
	for range 3 {
		if !l.Allow("a") {
			t.Fatal("the burst did not come back")
		}
	}
}
