package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestRecordAudit(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		as := sqldb.NewAuditService(db)
		york := mustPlace(t, db, "York")
		leeds := mustPlace(t, db, "Leeds")
		actor := linkwork.Actor{UserID: 12, Label: "ann@york.example", PlaceID: york.ID, IP: "2001:db8::1", RequestID: "r-42"}
		ctx := linkwork.NewContextWithActor(t.Context(), actor)

		// The actor, place, address and request come from the context…
		e := &linkwork.AuditEvent{Action: linkwork.AuditUserView, RecordType: "user", RecordID: "3", Detail: "profile"}
		must(t, as.RecordAudit(ctx, e))
		if e.ID == 0 || !e.At.Equal(clk.now) {
			t.Fatalf("recorded %+v", e)
		}
		got := allAudit(t, db)[0]
		want := linkwork.AuditEvent{ID: e.ID, At: clk.now, PlaceID: york.ID, ActorUserID: 12, ActorLabel: actor.Label,
			Action: linkwork.AuditUserView, RecordType: "user", RecordID: "3", Detail: "profile", IP: actor.IP, RequestID: "r-42"}
		if !got.At.Equal(want.At) || got.At.Location() != time.UTC {
			t.Fatalf("at %v, want %v in UTC", got.At, want.At)
		}
		got.At = want.At
		if *got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}

		// …unless the event gives them.
		e = &linkwork.AuditEvent{PlaceID: leeds.ID, ActorUserID: 99, ActorLabel: "system", Action: "x.y", IP: "192.0.2.9", RequestID: "r-1"}
		must(t, as.RecordAudit(ctx, e))
		got = allAudit(t, db)[0]
		if got.PlaceID != leeds.ID || got.ActorUserID != 99 || got.ActorLabel != "system" || got.IP != "192.0.2.9" || got.RequestID != "r-1" {
			t.Fatalf("the context overrode the event: %+v", got)
		}

		// With no actor in the context, the event is anonymous and has no place.
		must(t, as.RecordAudit(t.Context(), &linkwork.AuditEvent{Action: "x.z"}))
		got = allAudit(t, db)[0]
		if got.ActorUserID != 0 || got.ActorLabel != "anonymous" || got.PlaceID != 0 {
			t.Fatalf("event without an actor: %+v", got)
		}

		// A place that does not exist is refused, and nothing is written.
		before := len(allAudit(t, db))
		err := as.RecordAudit(t.Context(), &linkwork.AuditEvent{PlaceID: leeds.ID + 1000, Action: "x.w"})
		wantCode(t, err, linkwork.EINVALID, "")
		if after := len(allAudit(t, db)); after != before {
			t.Fatalf("%d events after a refused one, want %d", after, before)
		}
	})
}

func TestListAudit(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		as := sqldb.NewAuditService(db)
		ctx := t.Context()
		york := mustPlace(t, db, "York")
		leeds := mustPlace(t, db, "Leeds")

		// A trail with a spread of places, actors, actions, records and times, an hour apart.
		start := clk.now
		type ev struct {
			place, actor       int64
			action, rtype, rid string
		}
		evs := []ev{
			{york.ID, 1, "user.view", "user", "10"},
			{york.ID, 1, "user.list", "", ""},
			{york.ID, 2, "user.create", "user", "11"},
			{leeds.ID, 3, "user.view", "user", "10"},
			{0, 0, "session.sign_in_failed", "user", ""},
			{york.ID, 2, "users.view", "user", "10"},
			{york.ID, 1, "userxview", "user", "10"},
			{leeds.ID, 1, "organisation.create", "organisation", "5"},
			{york.ID, 2, "user", "user", "12"},
			{0, 4, "user.locked", "user", "13"},
			{york.ID, 1, "organisation.update", "organisation", "5"},
			{york.ID, 3, "user.view", "user", "11"},
		}
		for _, e := range evs {
			clk.advance(time.Hour)
			must(t, as.RecordAudit(ctx, &linkwork.AuditEvent{PlaceID: e.place, ActorUserID: e.actor,
				ActorLabel: fmt.Sprint("actor", e.actor), Action: e.action, RecordType: e.rtype, RecordID: e.rid}))
		}
		all := allAudit(t, db)
		if len(all) != len(evs)+2 { // and the two place.create events
			t.Fatalf("%d events, want %d", len(all), len(evs)+2)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID >= all[i-1].ID || all[i].At.After(all[i-1].At) {
				t.Fatalf("not newest first: %+v before %+v", all[i-1], all[i])
			}
		}

		// Each filter is checked against the same selection made here from the whole trail.
		match := func(f linkwork.AuditFilter, e *linkwork.AuditEvent) bool {
			if f.PlaceID != 0 && e.PlaceID != f.PlaceID && e.PlaceID != 0 {
				return false
			}
			if f.ActorUserID != 0 && e.ActorUserID != f.ActorUserID {
				return false
			}
			if strings.HasSuffix(f.Action, ".") {
				if !strings.HasPrefix(e.Action, f.Action) {
					return false
				}
			} else if f.Action != "" && e.Action != f.Action {
				return false
			}
			if f.RecordType != "" && e.RecordType != f.RecordType {
				return false
			}
			if f.RecordID != "" && e.RecordID != f.RecordID {
				return false
			}
			if !f.From.IsZero() && e.At.Before(f.From) {
				return false
			}
			if !f.To.IsZero() && !e.At.Before(f.To) {
				return false
			}
			return true
		}
		ids := func(es []*linkwork.AuditEvent) []int64 {
			var out []int64
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}
		hour := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
		filters := []struct {
			name string
			f    linkwork.AuditFilter
			want int // the number of events expected, to keep the reference selection honest
		}{
			{"york with placeless", linkwork.AuditFilter{PlaceID: york.ID}, 11},
			{"leeds with placeless", linkwork.AuditFilter{PlaceID: leeds.ID}, 5},
			{"actor 1", linkwork.AuditFilter{ActorUserID: 1}, 5},
			{"actor 3 in york", linkwork.AuditFilter{PlaceID: york.ID, ActorUserID: 3}, 1},
			{"exact user.view", linkwork.AuditFilter{Action: "user.view"}, 3},
			{"exact user", linkwork.AuditFilter{Action: "user"}, 1},
			{"exact user.vie", linkwork.AuditFilter{Action: "user.vie"}, 0},
			{"prefix user.", linkwork.AuditFilter{Action: "user."}, 6},
			{"prefix user. in york", linkwork.AuditFilter{PlaceID: york.ID, Action: "user."}, 5},
			{"prefix organisation.", linkwork.AuditFilter{Action: "organisation."}, 2},
			{"prefix place.", linkwork.AuditFilter{Action: "place."}, 2},
			{"record type", linkwork.AuditFilter{RecordType: "organisation"}, 2},
			{"record", linkwork.AuditFilter{RecordType: "user", RecordID: "10"}, 4},
			{"record id alone", linkwork.AuditFilter{RecordID: "11"}, 2},
			{"from", linkwork.AuditFilter{From: hour(10)}, 3},
			{"to", linkwork.AuditFilter{To: hour(2)}, 3},
			{"from and to", linkwork.AuditFilter{From: hour(3), To: hour(6)}, 3},
			{"instant", linkwork.AuditFilter{From: hour(4), To: hour(4).Add(time.Microsecond)}, 1},
			{"empty range", linkwork.AuditFilter{From: hour(4), To: hour(4)}, 0},
			{"from in another zone", linkwork.AuditFilter{From: hour(10).In(time.FixedZone("UTC+5", 5*3600))}, 3},
			{"everything", linkwork.AuditFilter{PlaceID: york.ID, ActorUserID: 1, Action: "user.", RecordType: "user",
				RecordID: "10", From: hour(1), To: hour(2)}, 1},
		}
		for _, c := range filters {
			var want []int64
			for _, e := range all {
				if match(c.f, e) {
					want = append(want, e.ID)
				}
			}
			if len(want) != c.want {
				t.Fatalf("%s: the reference selects %d events, the test expects %d", c.name, len(want), c.want)
			}
			got, total, err := as.ListAudit(ctx, c.f)
			must(t, err)
			if total != len(want) || !slices.Equal(ids(got), want) {
				t.Errorf("%s: got %v (total %d), want %v", c.name, ids(got), total, want)
			}
		}

		// Pages cover the selection newest first, without gaps or repeats.
		f := linkwork.AuditFilter{PlaceID: york.ID, Page: linkwork.Page{Size: 4}}
		var paged []int64
		for n := 1; n <= 4; n++ {
			f.Page.Number = n
			got, total, err := as.ListAudit(ctx, f)
			must(t, err)
			if total != 11 {
				t.Fatalf("page %d: total %d, want 11", n, total)
			}
			if want := min(4, max(0, 11-(n-1)*4)); len(got) != want {
				t.Fatalf("page %d: %d events, want %d", n, len(got), want)
			}
			paged = append(paged, ids(got)...)
		}
		var want []int64
		for _, e := range all {
			if match(linkwork.AuditFilter{PlaceID: york.ID}, e) {
				want = append(want, e.ID)
			}
		}
		if !slices.Equal(paged, want) {
			t.Fatalf("pages: got %v, want %v", paged, want)
		}
	})
}

// The trail is append-only in the database itself, whatever path the SQL takes.
func TestAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		useClock(db)
		ctx := t.Context()
		york := mustPlace(t, db, "York")
		must(t, sqldb.NewAuditService(db).RecordAudit(ctx, &linkwork.AuditEvent{PlaceID: york.ID, Action: "user.view",
			RecordType: "user", RecordID: "1", Detail: "original"}))
		before, err := db.TableText(ctx, "audit_events")
		must(t, err)
		n := countRows(t, db, "audit_events", "")
		if n != 2 {
			t.Fatalf("%d events, want 2", n)
		}

		changes := []string{
			"UPDATE audit_events SET detail = 'tampered' WHERE record_id = '1'",
			"UPDATE audit_events SET detail = 'tampered'",
			"UPDATE audit_events SET place_id = NULL",
			"DELETE FROM audit_events WHERE record_id = '1'",
			"DELETE FROM audit_events",
		}
		if db.Dialect() == "postgres" {
			changes = append(changes, "TRUNCATE audit_events")
		}
		for _, q := range changes {
			if err := db.ExecDriver(ctx, q); err == nil {
				t.Errorf("%s: the database allowed it", q)
			}
			_, err := db.Exec(ctx, q)
			wantCode(t, err, linkwork.EFORBIDDEN, "")
		}
		after, err := db.TableText(ctx, "audit_events")
		must(t, err)
		if after != before {
			t.Fatalf("the trail changed:\nbefore %s\nafter  %s", before, after)
		}
	})
}
