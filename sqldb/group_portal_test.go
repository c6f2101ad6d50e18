package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// groupWorld is the landscape world (postcodes, LSOAs, needs, and offers with venues) with
// the group portal's store, and a manager acting.
type groupWorld struct {
	*landWorld
	groups *sqldb.GroupPortalService
	ctx    context.Context
}

func newGroupWorld(t *testing.T, db *sqldb.DB) *groupWorld {
	t.Helper()
	w := &groupWorld{landWorld: newLandWorld(t, db), groups: sqldb.NewGroupPortalService(db)}
	w.ctx = linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.manager, Label: "max@connectors.example", PlaceID: w.york.ID})
	return w
}

// wantMessage fails unless err has a problem with the field whose message says says.
func wantMessage(t *testing.T, err error, field, says string) {
	t.Helper()
	for _, e := range linkwork.FieldErrors(err) {
		if e.Field == field && strings.Contains(e.Message, says) {
			return
		}
	}
	t.Fatalf("%v: want a problem with %s saying %q", err, field, says)
}

func TestGroupAvailability(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newGroupWorld(t, db)
		monday := time.Date(2030, time.March, 4, 0, 0, 0, 0, time.UTC) // the clock's week
		a := &linkwork.Availability{ServiceID: w.walk.ID, PlacesLeft: intp(3), Note: " Ring first "}
		must(t, w.groups.SetAvailability(w.ctx, a))
		if !a.Week.Equal(monday) || a.UpdatedBy != "Max Manager" || !a.UpdatedAt.Equal(w.clock.now) || a.Note != "Ring first" {
			t.Fatalf("saved %s", jsonOf(a))
		}
		got, err := w.groups.Availability(t.Context(), []int64{w.walk.ID, w.crafts.ID, w.walk.ID})
		must(t, err)
		if len(got) != 1 || jsonOf(got[w.walk.ID]) != jsonOf(a) {
			t.Fatalf("availability %s, want %s", jsonOf(got), jsonOf(a))
		}
		// The listing is marked checked, by the actor, as VerifyService marks it.
		svc, err := w.dir.FindServiceByID(t.Context(), w.walk.ID)
		must(t, err)
		if svc.LastVerifiedAt == nil || !svc.LastVerifiedAt.Equal(w.clock.now) || svc.VerifiedBy != "max@connectors.example" {
			t.Fatalf("verified %v by %q", svc.LastVerifiedAt, svc.VerifiedBy)
		}
		e := oneAudit(t, db, linkwork.AuditAvailabilitySet, idStr(w.walk.ID))
		if e.PlaceID != w.york.ID || e.ActorUserID != w.manager || e.RecordType != "service" ||
			e.Detail != "not full, 3 places left in the week of 2030-03-04" {
			t.Fatalf("audit %+v", e)
		}

		// Saved again (any day of next week stands for its Monday), it replaces the first;
		// places not given are kept as NULL.
		w.clock.advance(time.Hour)
		b := &linkwork.Availability{ServiceID: w.walk.ID, Full: true, Week: time.Date(2030, time.March, 13, 0, 0, 0, 0, time.UTC)}
		must(t, w.groups.SetAvailability(w.ctx, b))
		if !b.Week.Equal(monday.AddDate(0, 0, 7)) {
			t.Fatalf("week %s", b.Week)
		}
		got, err = w.groups.Availability(t.Context(), []int64{w.walk.ID})
		must(t, err)
		if g := got[w.walk.ID]; g == nil || !g.Full || g.PlacesLeft != nil || g.Note != "" || !g.UpdatedAt.Equal(w.clock.now) {
			t.Fatalf("replaced: %s", jsonOf(got))
		}
		if n := countRows(t, db, "service_availability", "places_left IS NULL"); n != 1 {
			t.Fatalf("%d rows with no places", n)
		}

		// Bad input: the field and what is allowed, and nothing written.
		verifiedAt := w.clock.now
		w.clock.advance(time.Hour)
		for _, c := range []struct {
			a           linkwork.Availability
			field, says string
		}{
			{linkwork.Availability{ServiceID: w.carers.ID}, "service_id", "Carers Connect is a connector scheme"},
			{linkwork.Availability{ServiceID: 999999}, "service_id", "no community offer 999999"},
			{linkwork.Availability{}, "service_id", "Choose the group or activity"},
			{linkwork.Availability{ServiceID: w.walk.ID, PlacesLeft: intp(-1)}, "places_left", "from 0 to 10,000"},
			{linkwork.Availability{ServiceID: w.walk.ID, Week: monday.AddDate(0, 0, 14)}, "week", "this week (starting Monday 4 March 2030) or next week"},
			{linkwork.Availability{ServiceID: w.walk.ID, Week: monday.AddDate(0, 0, -1)}, "week", "this week"},
			{linkwork.Availability{ServiceID: w.walk.ID, Note: strings.Repeat("n", 301)}, "note", "300 characters or fewer"},
		} {
			err := w.groups.SetAvailability(w.ctx, &c.a)
			wantCode(t, err, linkwork.EINVALID, "")
			wantMessage(t, err, c.field, c.says)
		}
		// Every problem at once.
		err = w.groups.SetAvailability(w.ctx, &linkwork.Availability{ServiceID: w.carers.ID, PlacesLeft: intp(20000)})
		if fs := linkwork.FieldErrors(err); len(fs) != 2 || fs[0].Field != "places_left" || fs[1].Field != "service_id" {
			t.Fatalf("two problems: %v", err)
		}
		if n := countRows(t, db, "service_availability", ""); n != 1 {
			t.Fatalf("%d availability rows", n)
		}
		if n := len(auditWith(t, db, linkwork.AuditAvailabilitySet, "")); n != 2 {
			t.Fatalf("%d audit events", n)
		}
		svc, err = w.dir.FindServiceByID(t.Context(), w.walk.ID)
		must(t, err)
		if !svc.LastVerifiedAt.Equal(verifiedAt) {
			t.Fatalf("bad input verified the listing at %v", svc.LastVerifiedAt)
		}
		if none, err := w.groups.Availability(t.Context(), nil); err != nil || none == nil || len(none) != 0 {
			t.Fatalf("no services: %v %v", none, err)
		}
	})
}

func TestGroupVolunteers(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newGroupWorld(t, db)
		feb, mar := time.Date(2030, time.February, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, time.March, 1, 0, 0, 0, 0, time.UTC)
		must(t, w.groups.SetVolunteers(w.ctx, &linkwork.VolunteerMonth{OrganisationID: w.charity.ID, Month: feb, Volunteers: 5, Hours: 40}))
		must(t, w.groups.SetVolunteers(w.ctx, &linkwork.VolunteerMonth{OrganisationID: w.charity.ID, Month: mar.AddDate(0, 0, 9), Volunteers: 3, Hours: 10}))
		w.clock.advance(time.Hour)
		must(t, w.groups.SetVolunteers(w.ctx, &linkwork.VolunteerMonth{OrganisationID: w.charity.ID, Month: feb, Volunteers: 6, Hours: 50}))
		months, err := w.groups.Volunteers(t.Context(), w.charity.ID)
		must(t, err)
		if len(months) != 2 || !months[0].Month.Equal(mar) || months[0].Volunteers != 3 || !months[1].Month.Equal(feb) ||
			months[1].Volunteers != 6 || months[1].Hours != 50 || !months[1].UpdatedAt.Equal(w.clock.now) || months[1].UpdatedBy != "Max Manager" {
			t.Fatalf("months %s", jsonOf(months))
		}
		if es := auditWith(t, db, linkwork.AuditVolunteersSet, idStr(w.charity.ID)); len(es) != 3 || es[0].Detail != "February 2030: 6 volunteers, 50 hours" ||
			es[0].PlaceID != w.york.ID {
			t.Fatalf("audit %s", jsonOf(es))
		}
		for _, c := range []struct {
			v           linkwork.VolunteerMonth
			field, says string
		}{
			{linkwork.VolunteerMonth{OrganisationID: w.charity.ID, Month: mar.AddDate(0, 1, 0), Volunteers: 1}, "month", "cannot be in the future"},
			{linkwork.VolunteerMonth{OrganisationID: w.charity.ID, Month: feb, Hours: 3}, "volunteers", "say how many volunteers"},
			{linkwork.VolunteerMonth{OrganisationID: w.charity.ID, Month: feb, Volunteers: -2}, "volunteers", "from 0 to 10,000"},
			{linkwork.VolunteerMonth{OrganisationID: 999999, Month: feb, Volunteers: 1}, "organisation_id", "no organisation 999999"},
			{linkwork.VolunteerMonth{Month: feb, Volunteers: 1}, "organisation_id", "Choose your group"},
		} {
			err := w.groups.SetVolunteers(w.ctx, &c.v)
			wantCode(t, err, linkwork.EINVALID, "")
			wantMessage(t, err, c.field, c.says)
		}
		if n := countRows(t, db, "volunteer_months", ""); n != 2 {
			t.Fatalf("%d months after bad input", n)
		}
		if none, err := w.groups.Volunteers(t.Context(), w.council.ID); err != nil || none == nil || len(none) != 0 {
			t.Fatalf("the council's months: %v %v", none, err)
		}
	})
}

func TestGroupActivities(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newGroupWorld(t, db)
		knit := &linkwork.NewActivity{OrganisationID: w.charity.ID, Name: " Knit and Natter ", Description: "Thursday mornings",
			StartedOn: time.Date(2030, time.February, 10, 15, 0, 0, 0, time.UTC), Need: "loneliness", CoProduced: true, ServiceID: w.crafts.ID}
		must(t, w.groups.AddNewActivity(w.ctx, knit))
		if knit.ID == 0 || knit.PlaceID != w.york.ID || knit.Name != "Knit and Natter" || knit.CreatedBy != "Max Manager" ||
			!knit.StartedOn.Equal(time.Date(2030, time.February, 10, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("added %s", jsonOf(knit))
		}
		older := &linkwork.NewActivity{OrganisationID: w.charity.ID, PlaceID: w.york.ID, Name: "Men's Shed",
			StartedOn: time.Date(2029, time.June, 1, 0, 0, 0, 0, time.UTC)}
		must(t, w.groups.AddNewActivity(w.ctx, older))
		list, err := w.groups.NewActivities(t.Context(), w.charity.ID)
		must(t, err)
		if len(list) != 2 || jsonOf(list[0]) != jsonOf(knit) || jsonOf(list[1]) != jsonOf(older) {
			t.Fatalf("activities %s", jsonOf(list))
		}
		e := oneAudit(t, db, linkwork.AuditActivityAdd, idStr(knit.ID))
		if e.Detail != w.charity.Name+": Knit and Natter" || e.RecordType != "new_activity" || e.PlaceID != w.york.ID {
			t.Fatalf("audit %+v", e)
		}
		day := time.Date(2030, time.March, 1, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			a           linkwork.NewActivity
			field, says string
		}{
			{linkwork.NewActivity{OrganisationID: w.charity.ID, Name: "Walks", StartedOn: day, ServiceID: w.walk.ID}, "service_id", "no listing"},
			{linkwork.NewActivity{OrganisationID: w.charity.ID, Name: "Walks", StartedOn: day, ServiceID: 999999}, "service_id", "no listing 999999"},
			{linkwork.NewActivity{OrganisationID: w.charity.ID, Name: "Walks", StartedOn: day, Need: "older_people"}, "need", `no need "older_people"`},
			{linkwork.NewActivity{OrganisationID: w.leedsOrg.ID, PlaceID: w.york.ID, Name: "Walks", StartedOn: day}, "organisation_id", "no organisation"},
			{linkwork.NewActivity{OrganisationID: w.charity.ID, Name: "Walks", StartedOn: day.AddDate(0, 1, 0)}, "started_on", "cannot be in the future"},
			{linkwork.NewActivity{StartedOn: day}, "organisation_id", "Choose your group"},
		} {
			err := w.groups.AddNewActivity(w.ctx, &c.a)
			wantCode(t, err, linkwork.EINVALID, "")
			wantMessage(t, err, c.field, c.says)
		}
		// What the domain finds and what the store finds, together.
		err = w.groups.AddNewActivity(w.ctx, &linkwork.NewActivity{OrganisationID: w.charity.ID, StartedOn: day, Need: "walking"})
		if fs := linkwork.FieldErrors(err); len(fs) != 2 || fs[0].Field != "name" || fs[1].Field != "need" {
			t.Fatalf("two problems: %v", err)
		}
		if n := countRows(t, db, "new_activities", ""); n != 2 {
			t.Fatalf("%d activities after bad input", n)
		}
	})
}

func TestGroupRequests(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newGroupWorld(t, db)
		ask := func(org *linkwork.Organisation, kind linkwork.RequestKind, need, postcode string) *linkwork.GroupRequest {
			t.Helper()
			w.clock.advance(time.Minute)
			g := &linkwork.GroupRequest{OrganisationID: org.ID, Kind: kind, Detail: "  We need a room for twenty on Tuesdays. ",
				Need: need, Postcode: postcode}
			must(t, w.groups.CreateRequest(w.ctx, g))
			return g
		}
		// A postcode gives the neighbourhood.
		space := ask(w.charity, linkwork.RequestSpace, "loneliness", " hx1 1ad ")
		want := &linkwork.GroupRequest{ID: space.ID, PlaceID: w.york.ID, OrganisationID: w.charity.ID, OrganisationName: w.charity.Name,
			Kind: linkwork.RequestSpace, Detail: "We need a room for twenty on Tuesdays.", Need: "loneliness", Postcode: "HX1 1AD",
			NeighbourhoodCode: "E01000001", NeighbourhoodName: "Calderdale 001A", IMDDecile: 1, Status: linkwork.RequestOpen,
			CreatedAt: w.clock.now, CreatedBy: "Max Manager", Version: 1}
		if space.ID == 0 || jsonOf(space) != jsonOf(want) {
			t.Fatalf("created\n%s\nwant\n%s", jsonOf(space), jsonOf(want))
		}
		found, err := w.groups.FindRequest(t.Context(), space.ID)
		must(t, err)
		if jsonOf(found) != jsonOf(want) {
			t.Fatalf("found\n%s\nwant\n%s", jsonOf(found), jsonOf(want))
		}
		e := oneAudit(t, db, linkwork.AuditRequestCreate, idStr(space.ID))
		if e.Detail != w.charity.Name+" asks for space in E01000001" || e.PlaceID != w.york.ID || e.RecordType != "group_request" {
			t.Fatalf("audit %+v", e)
		}
		// Without one, the group's first venue gives it: the charity's scheme has none, its
		// craft club is at HX4 0AA (an LSOA with no row in lsoas: named by its code); the
		// housing trust's first venue is in Kirklees; the police have no venue at all.
		money := ask(w.charity, linkwork.RequestMoney, "", "")
		if money.NeighbourhoodCode != "E01000004" || money.NeighbourhoodName != "E01000004" || money.IMDDecile != 0 || money.Postcode != "" {
			t.Fatalf("from the venue: %s", jsonOf(money))
		}
		training := ask(w.housing, linkwork.RequestTraining, "housing", "")
		if training.NeighbourhoodCode != "E01000011" || training.NeighbourhoodName != "Kirklees 001A" || training.IMDDecile != 2 {
			t.Fatalf("from the venue: %s", jsonOf(training))
		}
		people := ask(w.police, linkwork.RequestVolunteers, "", "")
		if people.NeighbourhoodCode != "" || people.NeighbourhoodName != "" {
			t.Fatalf("no venue: %s", jsonOf(people))
		}

		// Bad input: the field and what is allowed, and nothing written.
		for _, c := range []struct {
			g           linkwork.GroupRequest
			field, says string
		}{
			{linkwork.GroupRequest{Postcode: "HX1 1ZZ"}, "postcode", "was ended in June 2019"},
			{linkwork.GroupRequest{Postcode: "HX9 9ZZ"}, "postcode", "We do not know the postcode HX9 9ZZ"},
			{linkwork.GroupRequest{Postcode: "nowhere"}, "postcode", "HX1 1AA"},
			{linkwork.GroupRequest{Need: "walking"}, "need", `no need "walking"`},
			{linkwork.GroupRequest{Kind: "cake"}, "kind", "space, money, volunteers, training or something else"},
			{linkwork.GroupRequest{Detail: "a room"}, "detail", "at least 10 characters"},
			{linkwork.GroupRequest{OrganisationID: w.leedsOrg.ID, PlaceID: w.york.ID}, "organisation_id", "no organisation"},
			{linkwork.GroupRequest{OrganisationID: 999999}, "organisation_id", "no organisation 999999"},
		} {
			g := c.g
			if g.OrganisationID == 0 {
				g.OrganisationID = w.charity.ID
			}
			if g.Kind == "" {
				g.Kind = linkwork.RequestSpace
			}
			if g.Detail == "" {
				g.Detail = "A room for twenty people."
			}
			err := w.groups.CreateRequest(w.ctx, &g)
			wantCode(t, err, linkwork.EINVALID, "")
			wantMessage(t, err, c.field, c.says)
		}
		err = w.groups.CreateRequest(w.ctx, &linkwork.GroupRequest{OrganisationID: w.charity.ID, Kind: "cake", Detail: "Some money for a kettle.",
			Need: "walking", Postcode: "HX9 9ZZ"})
		if fs := linkwork.FieldErrors(err); len(fs) != 3 || fs[0].Field != "kind" || fs[1].Field != "need" || fs[2].Field != "postcode" {
			t.Fatalf("three problems: %v", err)
		}
		if n := countRows(t, db, "group_requests", ""); n != 4 {
			t.Fatalf("%d requests after bad input", n)
		}
		leeds := &linkwork.GroupRequest{OrganisationID: w.leedsOrg.ID, Kind: linkwork.RequestOther, Detail: "Leeds wants a minibus."}
		must(t, w.groups.CreateRequest(w.ctx, leeds))

		// Lists: newest first, narrowed by organisation, status and kind; another place's
		// are never in them.
		ids := func(f linkwork.RequestFilter) ([]int64, int) {
			t.Helper()
			f.PlaceID = w.york.ID
			list, total, err := w.groups.ListRequests(t.Context(), f)
			must(t, err)
			var out []int64
			for _, g := range list {
				out = append(out, g.ID)
			}
			return out, total
		}
		if got, total := ids(linkwork.RequestFilter{}); total != 4 || idsString(got) != idsString([]int64{people.ID, training.ID, money.ID, space.ID}) {
			t.Fatalf("all: %v of %d", got, total)
		}
		if got, total := ids(linkwork.RequestFilter{OrganisationIDs: []int64{w.charity.ID}, Page: linkwork.Page{Number: 2, Size: 1}}); total != 2 ||
			idsString(got) != idsString([]int64{space.ID}) {
			t.Fatalf("the charity's second page: %v of %d", got, total)
		}
		if got, _ := ids(linkwork.RequestFilter{Kinds: []linkwork.RequestKind{linkwork.RequestMoney, linkwork.RequestTraining}}); idsString(got) !=
			idsString([]int64{training.ID, money.ID}) {
			t.Fatalf("money and training: %v", got)
		}
		list, _, err := w.groups.ListRequests(t.Context(), linkwork.RequestFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}})
		must(t, err)
		if jsonOf(list[1]) != jsonOf(want) || jsonOf(list[0]) != jsonOf(money) {
			t.Fatalf("listed\n%s", jsonOf(list))
		}

		// Closing: met with the place's response, or withdrawn; a stale version is a
		// conflict; bad input changes nothing.
		for _, c := range []struct {
			status      linkwork.RequestStatus
			response    string
			field, says string
		}{
			{linkwork.RequestMet, "  ", "response", "Say how the request was met"},
			{linkwork.RequestWithdrawn, "no longer", "response", "leave it empty when withdrawing"},
			{linkwork.RequestOpen, "", "status", "met or withdrawn"},
			{linkwork.RequestMet, strings.Repeat("r", 2001), "response", "2000 characters or fewer"},
		} {
			_, err := w.groups.CloseRequest(w.ctx, space.ID, 1, c.status, c.response)
			wantCode(t, err, linkwork.EINVALID, c.field)
			wantMessage(t, err, c.field, c.says)
		}
		_, err = w.groups.CloseRequest(w.ctx, space.ID, 0, linkwork.RequestMet, "The library has a room.")
		wantCode(t, err, linkwork.ECONFLICT, "")
		_, err = w.groups.CloseRequest(w.ctx, 999999, 1, linkwork.RequestMet, "The library has a room.")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		w.clock.advance(time.Hour)
		met, err := w.groups.CloseRequest(w.ctx, space.ID, 1, linkwork.RequestMet, " The library has a room on Tuesdays. ")
		must(t, err)
		if met.Status != linkwork.RequestMet || met.Response != "The library has a room on Tuesdays." || met.Version != 2 ||
			met.ClosedBy != "Max Manager" || met.ClosedAt == nil || !met.ClosedAt.Equal(w.clock.now) {
			t.Fatalf("met %s", jsonOf(met))
		}
		_, err = w.groups.CloseRequest(w.ctx, space.ID, 1, linkwork.RequestWithdrawn, "")
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(err.Error(), "Max Manager changed this request") || !strings.Contains(err.Error(), "it is now met") {
			t.Fatalf("stale: %v", err)
		}
		_, err = w.groups.CloseRequest(w.ctx, space.ID, 2, linkwork.RequestWithdrawn, "")
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(err.Error(), "already met") {
			t.Fatalf("closed twice: %v", err)
		}
		gone, err := w.groups.CloseRequest(w.ctx, money.ID, 1, linkwork.RequestWithdrawn, "")
		must(t, err)
		if gone.Status != linkwork.RequestWithdrawn || gone.Response != "" || gone.Version != 2 {
			t.Fatalf("withdrawn %s", jsonOf(gone))
		}
		if es := auditWith(t, db, linkwork.AuditRequestClose, ""); len(es) != 2 || es[0].Detail != "open → withdrawn" || es[1].Detail != "open → met" {
			t.Fatalf("audit %s", jsonOf(es))
		}
		if got, total := ids(linkwork.RequestFilter{Statuses: []linkwork.RequestStatus{linkwork.RequestOpen}}); total != 2 ||
			idsString(got) != idsString([]int64{people.ID, training.ID}) {
			t.Fatalf("open: %v of %d", got, total)
		}

		// The landscape reads the open ones, fresh.
		in := w.input(t)
		if len(in.Requests) != 2 || in.Requests[0].ID != people.ID || in.Requests[1].ID != training.ID ||
			in.Requests[1].NeighbourhoodName != "Kirklees 001A" || in.Requests[1].OrganisationName != w.housing.Name {
			t.Fatalf("landscape requests %s", jsonOf(in.Requests))
		}
		must(t, w.groups.CreateRequest(w.ctx, &linkwork.GroupRequest{OrganisationID: w.council.ID, Kind: linkwork.RequestSpace,
			Detail: "A hall for the walk's lunch.", Need: "loneliness"}))
		if in := w.input(t); len(in.Requests) != 3 || in.Requests[0].NeighbourhoodCode != "E01000001" {
			t.Fatalf("landscape requests after another %s", jsonOf(in.Requests))
		}
	})
}

func idsString(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(idStr(id))
	}
	return b.String()
}
