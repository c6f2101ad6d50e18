package linkwork

import (
	"time"
	_ "time/tzdata" // the binary carries the time zones it needs, whatever the machine has
)

// London is the time zone linkwork's people work in: schedules are kept in it and days,
// weeks and months begin in it.
var London = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()
