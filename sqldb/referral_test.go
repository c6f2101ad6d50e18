package sqldb_test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// refWorld is a directory world with two connector schemes in York run by a charity and a
// housing trust, a referrer at the GP practice, the charity's link workers and manager, and
// a police force that nothing is shared with.
type refWorld struct {
	*dirWorld
	refs      linkwork.ReferralService
	outbox    linkwork.NotificationService
	charity   *linkwork.Organisation
	housing   *linkwork.Organisation
	police    *linkwork.Organisation
	linkUp    *linkwork.Service // the charity's scheme, with an email address for triage
	homeFirst *linkwork.Service // the housing trust's scheme, with none
	referrer  int64             // a referrer at the GP practice
	worker1   int64             // link workers at the charity
	worker2   int64
	manager   int64 // the charity's manager
}

func newRefWorld(t *testing.T, db *sqldb.DB) *refWorld {
	t.Helper()
	w := &refWorld{dirWorld: newDirWorld(t, db)}
	w.refs, w.outbox = w.svc.Referrals, w.svc.Notifications
	w.charity = mustOrg(t, db, w.york.ID, "York Community Connectors", linkwork.SectorVCSE)
	w.housing = mustOrg(t, db, w.york.ID, "York Housing Trust", linkwork.SectorHousing)
	w.police = mustOrg(t, db, w.york.ID, "North Yorkshire Police", linkwork.SectorPolice)
	w.linkUp = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Kind: linkwork.KindScheme,
		Name: "Link Up York", Email: "triage@linkup.example",
		TermIDs: w.termIDs("need/loneliness", "need/mental_wellbeing", "client_group/older_people"),
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{
			linkwork.ReferrerGP, linkwork.ReferrerSelf}, CaseloadLimit: 0, WaitingWeeks: 3}})
	w.homeFirst = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Kind: linkwork.KindScheme,
		Name: "Home First", TermIDs: w.termIDs("need/housing", "need/money_debt"),
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelHousingConnector, WhoCanRefer: []linkwork.ReferrerType{
			linkwork.ReferrerGP, linkwork.ReferrerHousing}, CaseloadLimit: 30, WaitingWeeks: 6}})
	w.referrer = quickUser(t, db, "ann.jones@nhs.example", "Dr Ann Jones", w.gp.ID, linkwork.RoleReferrer)
	w.worker1 = quickUser(t, db, "lee@connectors.example", "Lee Walker", w.charity.ID, linkwork.RoleLinkWorker)
	w.worker2 = quickUser(t, db, "kim@connectors.example", "Kim Okafor", w.charity.ID, linkwork.RoleLinkWorker)
	w.manager = quickUser(t, db, "max@connectors.example", "Max Manager", w.charity.ID, linkwork.RoleManager)
	return w
}

// quickUser adds a user and their membership straight to the tables, without the tens of
// milliseconds a password hash costs: these users never sign in.
func quickUser(t testing.TB, db *sqldb.DB, email, name string, orgID int64, role linkwork.Role) int64 {
	t.Helper()
	var id int64
	now := db.Now()
	if err := db.QueryRow(t.Context(), `INSERT INTO users (email, name, password_hash, password_changed_at, created_at, updated_at)
		VALUES (?, ?, 'x', ?, ?, ?) RETURNING id`, []any{email, name, now, now, now}, &id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(t.Context(), "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)",
		id, orgID, string(role), now); err != nil {
		t.Fatal(err)
	}
	return id
}

// referral is a valid referral from the GP practice to Link Up York.
func (w *refWorld) referral() *linkwork.Referral {
	return &linkwork.Referral{
		PlaceID: w.york.ID,
		Person: linkwork.ReferralPerson{GivenName: "Mary", FamilyName: "Smith", DateOfBirth: "1950-04-01",
			NHSNumber: "943 476 5919", Address1: "1 Rose Street", Town: "York", Postcode: "hx1 1aa", Phone: "01904 123456",
			ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone, linkwork.ContactLetter}, Language: "Polish",
			Interpreter: true, AccessNeeds: "Large print", GPPractice: "Priory Medical Group"},
		NeedIDs:        w.termIDs("need/loneliness", "need/mental_wellbeing"),
		ClientGroupIDs: w.termIDs("client_group/older_people"),
		Reason:         "Lives alone since her husband died and has stopped going out.",
		Risk:           "Low mood.",
		Urgency:        linkwork.UrgencySoon,
		Referrer: linkwork.ReferralSource{Type: linkwork.ReferrerGP, UserID: w.referrer, OrganisationID: w.gp.ID,
			Name: "Dr Ann Jones", Role: "GP", Phone: "01904 000000", Email: "Ann.Jones@NHS.example"},
		Consent: linkwork.Consent{ToReferral: true, ShareWith: []int64{w.housing.ID}, Method: linkwork.ConsentVerbal,
			RecordedBy: "Dr Ann Jones"},
		SchemeID: w.linkUp.ID,
		RoutedBy: "referrer",
	}
}

// send creates a referral, failing the test on an error.
func (w *refWorld) send(t *testing.T, r *linkwork.Referral) *linkwork.Referral {
	t.Helper()
	must(t, w.refs.CreateReferral(t.Context(), linkwork.NewReferral{Referral: r, ActorName: r.Referrer.Name}))
	return r
}

// person returns a referral for someone else: a different name, date of birth and no NHS
// number, so that it is no one's duplicate.
func (w *refWorld) person(given string, dob string) *linkwork.Referral {
	r := w.referral()
	r.Person.GivenName, r.Person.FamilyName, r.Person.DateOfBirth, r.Person.NHSNumber = given, "Quennell", dob, ""
	return r
}

// jsonOf is a value as indented JSON, to compare and to show.
func jsonOf(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

var referenceForm = regexp.MustCompile(`^R-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{6}$`)

func TestCreateReferralRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		r := w.send(t, w.referral())

		if r.ID == 0 || len(r.UUID) != 36 || !referenceForm.MatchString(r.Reference) {
			t.Fatalf("ID %d, UUID %q, reference %q: want an ID, a UUID and a reference like R-7K3M9Q", r.ID, r.UUID, r.Reference)
		}
		now := w.clock.now
		if r.Status != linkwork.ReferralReceived || r.Version != 1 || !r.ReceivedAt.Equal(now) || !r.UpdatedAt.Equal(now) ||
			!r.Consent.RecordedAt.Equal(now) {
			t.Fatalf("status %s, version %d, received %v, updated %v, consent at %v: want received, 1 and now (%v)",
				r.Status, r.Version, r.ReceivedAt, r.UpdatedAt, r.Consent.RecordedAt, now)
		}
		if r.SchemeName != "Link Up York" || r.SchemeOrganisationID != w.charity.ID || r.Referrer.OrganisationName != w.gp.Name {
			t.Fatalf("scheme %q of organisation %d, referrer organisation %q", r.SchemeName, r.SchemeOrganisationID, r.Referrer.OrganisationName)
		}
		if r.Person.Postcode != "HX1 1AA" || r.Person.NHSNumber != "9434765919" || r.Referrer.Email != "ann.jones@nhs.example" {
			t.Fatalf("postcode %q, NHS number %q, referrer email %q: want them normalised", r.Person.Postcode, r.Person.NHSNumber, r.Referrer.Email)
		}

		got, err := w.refs.FindReferralByID(ctx, r.ID)
		must(t, err)
		want := *r
		want.Needs = w.termsOf(r.NeedIDs)
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("read back:\n%s\nwant\n%s", jsonOf(got), jsonOf(&want))
		}
		if len(got.Needs) != 2 || got.Needs[0].Name != "Loneliness and isolation" || got.Needs[1].TaxonomyCode != linkwork.TaxonomyNeed {
			t.Fatalf("needs %+v: want loneliness and mental wellbeing, with names", got.Needs)
		}

		history, err := w.refs.ReferralHistory(ctx, r.ID)
		must(t, err)
		if len(history) != 1 || history[0].Action != linkwork.ActionReceive || history[0].ToStatus != linkwork.ReferralReceived ||
			history[0].ActorName != "Dr Ann Jones" || history[0].ActorUserID != w.referrer || !history[0].At.Equal(now) {
			t.Fatalf("history %s: want one arrival by Dr Ann Jones", jsonOf(history))
		}

		a := oneAudit(t, db, linkwork.AuditReferralCreate, idStr(r.ID))
		if a.RecordType != "referral" || a.PlaceID != w.york.ID || !strings.Contains(a.Detail, r.Reference) {
			t.Fatalf("audit event %+v: want the referral's reference in York", a)
		}
		noPersonalData(t, r, "audit detail", a.Detail)

		notes, err := w.outbox.ListNotifications(ctx, r.ID)
		must(t, err)
		if len(notes) != 2 {
			t.Fatalf("%d notifications, want one to the referrer and one to the scheme: %s", len(notes), jsonOf(notes))
		}
		toReferrer, toScheme := notes[0], notes[1]
		if toReferrer.To != "ann.jones@nhs.example" || toReferrer.Subject != "Referral "+r.Reference+" received by Link Up York" ||
			!strings.Contains(toReferrer.Body, r.Reference) || !strings.Contains(toReferrer.Body, "Link Up York") ||
			!strings.Contains(toReferrer.Body, "Received") {
			t.Fatalf("to the referrer: %s", jsonOf(toReferrer))
		}
		if toScheme.To != "triage@linkup.example" || toScheme.Subject != "New referral "+r.Reference {
			t.Fatalf("to the scheme: %s", jsonOf(toScheme))
		}
		for _, n := range notes {
			noPersonalData(t, r, "notification", n.Subject+"\n"+n.Body)
			if n.PlaceID != w.york.ID || n.ReferralID != r.ID || !regexp.MustCompile(`^<[0-9a-f-]{36}@linkwork>$`).MatchString(n.MessageID) ||
				n.Attempts != 0 || n.SentAt != nil || n.GaveUp || !n.NextAttemptAt.Equal(now) || !n.CreatedAt.Equal(now) {
				t.Fatalf("notification %s: want it due now, unsent, with a Message-ID", jsonOf(n))
			}
		}
		if notes[0].MessageID == notes[1].MessageID {
			t.Fatal("two notifications share a Message-ID")
		}
	})
}

// noPersonalData fails the test if text (an email, an audit detail) holds any of the
// person's details: email is not secure, and the audit trail is read more widely.
func noPersonalData(t *testing.T, r *linkwork.Referral, what, text string) {
	t.Helper()
	p := r.Person
	for _, v := range []string{p.GivenName, p.FamilyName, p.DateOfBirth, p.NHSNumber, linkwork.FormatNHSNumber(p.NHSNumber),
		p.Postcode, p.Phone, p.Address1, r.Reason, r.Risk, p.AccessNeeds} {
		if v != "" && strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
			t.Fatalf("%s %q holds the person's %q", what, text, v)
		}
	}
}

// A self-referral has no referrer organisation or user; one without the referrer's email
// queues only the scheme's notification, and one to a scheme without an email none.
func TestCreateSelfReferral(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		r := w.referral()
		r.Referrer = linkwork.ReferralSource{Type: linkwork.ReferrerSelf, Name: "Mary Smith"}
		r.Consent = linkwork.Consent{ToReferral: true, Method: linkwork.ConsentOnlineForm, RecordedBy: "Mary Smith"}
		r.RoutedBy = ""
		must(t, w.refs.CreateReferral(t.Context(), linkwork.NewReferral{Referral: r, ActorName: "self-referral"}))
		got, err := w.refs.FindReferralByID(t.Context(), r.ID)
		must(t, err)
		if got.Referrer.UserID != 0 || got.Referrer.OrganisationID != 0 || got.Referrer.OrganisationName != "" ||
			got.RoutedBy != "referrer" || len(got.Consent.ShareWith) != 0 {
			t.Fatalf("self-referral read back as %s", jsonOf(got))
		}
		notes, err := w.outbox.ListNotifications(t.Context(), r.ID)
		must(t, err)
		if len(notes) != 1 || notes[0].To != "triage@linkup.example" {
			t.Fatalf("notifications %s: want only the scheme's", jsonOf(notes))
		}
		history, err := w.refs.ReferralHistory(t.Context(), r.ID)
		must(t, err)
		if history[0].ActorName != "self-referral" || history[0].ActorUserID != 0 {
			t.Fatalf("arrival %+v: want it by self-referral", history[0])
		}

		r2 := w.person("Joe", "1960-01-01")
		r2.Referrer.Email, r2.SchemeID = "", w.homeFirst.ID
		r2.NeedIDs = w.termIDs("need/housing")
		w.send(t, r2)
		notes, err = w.outbox.ListNotifications(t.Context(), r2.ID)
		must(t, err)
		if len(notes) != 0 {
			t.Fatalf("notifications %s: want none (no referrer email, no scheme email)", jsonOf(notes))
		}
	})
}

// Every reference to something in the wrong place, of the wrong kind or not there is a
// problem with its field, reported together with validation's; nothing is saved.
func TestCreateReferralBadReferences(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		paused := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Kind: linkwork.KindScheme,
			Name: "Paused Scheme", Status: linkwork.StatusInactive})
		activity := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Name: "Walk and Talk"})
		leedsScheme := mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID,
			Kind: linkwork.KindScheme, Name: "Leeds Connect"})
		before := len(allAudit(t, db))

		for _, c := range []struct {
			name   string
			change func(r *linkwork.Referral)
			fields []string
			says   string
		}{
			{"need from another place", func(r *linkwork.Referral) { r.NeedIDs = []int64{w.leedsTerms["need/loneliness"].ID} },
				[]string{"need_ids"}, "There is no need"},
			{"client group as a need", func(r *linkwork.Referral) { r.NeedIDs = w.termIDs("client_group/carers") },
				[]string{"need_ids"}, "There is no need"},
			{"need as a client group", func(r *linkwork.Referral) { r.ClientGroupIDs = w.termIDs("need/food") },
				[]string{"client_group_ids"}, "There is no client group"},
			{"no scheme", func(r *linkwork.Referral) { r.SchemeID = 0 }, []string{"scheme_id"}, "Choose a connector scheme in York"},
			{"unknown scheme", func(r *linkwork.Referral) { r.SchemeID = 99999 }, []string{"scheme_id"}, "Choose a connector scheme in York"},
			{"scheme in Leeds", func(r *linkwork.Referral) { r.SchemeID = leedsScheme.ID }, []string{"scheme_id"}, "Choose a connector scheme in York"},
			{"an activity", func(r *linkwork.Referral) { r.SchemeID = activity.ID }, []string{"scheme_id"}, "Choose a connector scheme in York"},
			{"paused scheme", func(r *linkwork.Referral) { r.SchemeID = paused.ID }, []string{"scheme_id"}, "that is running"},
			{"share with Leeds", func(r *linkwork.Referral) { r.Consent.ShareWith = []int64{w.police.ID, w.leedsOrg.ID} },
				[]string{"share_with"}, "There is no organisation"},
			{"referrer organisation in Leeds", func(r *linkwork.Referral) { r.Referrer.OrganisationID = w.leedsOrg.ID },
				[]string{"referrer_organisation_id"}, "There is no organisation"},
			{"routed by someone else", func(r *linkwork.Referral) { r.RoutedBy = "magic" }, []string{"routed_by"}, "referrer or linkwork"},
			{"everything at once, with validation's", func(r *linkwork.Referral) {
				r.NeedIDs, r.SchemeID, r.Person.NHSNumber = []int64{w.leedsTerms["need/food"].ID}, leedsScheme.ID, "1234567890"
				r.Consent.ToReferral = false
			}, []string{"need_ids", "scheme_id", "nhs_number", "consent"}, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := w.referral()
				c.change(r)
				err := w.refs.CreateReferral(ctx, linkwork.NewReferral{Referral: r, ActorName: "Dr Ann Jones"})
				var fields []string
				for _, e := range linkwork.FieldErrors(err) {
					if e.Code != linkwork.EINVALID {
						t.Fatalf("got %v, want only invalid fields", err)
					}
					fields = append(fields, e.Field)
				}
				slices.Sort(fields)
				want := slices.Sorted(slices.Values(c.fields))
				if !slices.Equal(fields, want) {
					t.Fatalf("got problems with %q (%v), want %q", fields, err, want)
				}
				if !strings.Contains(linkwork.ErrorMessage(err), c.says) {
					t.Fatalf("got %q, want it to say %q", linkwork.ErrorMessage(err), c.says)
				}
			})
		}
		for _, table := range []string{"referrals", "referral_terms", "referral_shares", "referral_events", "notifications"} {
			if n := countRows(t, db, table, ""); n != 0 {
				t.Errorf("%d rows in %s after refused referrals, want none", n, table)
			}
		}
		if n := len(allAudit(t, db)); n != before {
			t.Errorf("%d audit events after refused referrals, want %d", n, before)
		}
	})
}

// A referral for someone with an open referral in the place is flagged (never merged): by
// NHS number, or by name, date of birth and postcode. Closed and declined referrals, and
// other places' referrals, are not matched.
func TestReferralPossibleDuplicates(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		first := w.send(t, w.referral())
		if len(first.PossibleDuplicates) != 0 {
			t.Fatalf("the first referral has possible duplicates %v", first.PossibleDuplicates)
		}

		// The same NHS number, under another name and at another address.
		byNHS := w.referral()
		byNHS.Person.GivenName, byNHS.Person.Postcode, byNHS.Person.DateOfBirth = "Marie", "HX3 9AA", "1951-01-01"
		w.send(t, byNHS)
		// No NHS number, but the same name in other letter cases, date of birth and postcode.
		byName := w.referral()
		byName.Person.GivenName, byName.Person.FamilyName, byName.Person.NHSNumber, byName.Person.Postcode = "MARY", "smith", "", "HX11AA"
		byName.SchemeID, byName.NeedIDs = w.homeFirst.ID, w.termIDs("need/housing")
		w.send(t, byName)
		// The same name and date of birth at another postcode, with no NHS number, is not flagged.
		moved := w.referral()
		moved.Person.NHSNumber, moved.Person.Postcode = "", "HX3 9AA"
		w.send(t, moved)

		if !slices.Equal(byNHS.PossibleDuplicates, []int64{first.ID}) {
			t.Errorf("same NHS number: possible duplicates %v, want [%d]", byNHS.PossibleDuplicates, first.ID)
		}
		if !slices.Equal(byName.PossibleDuplicates, []int64{first.ID}) { // byNHS has another name, and byName no NHS number
			t.Errorf("same name, date of birth and postcode: possible duplicates %v, want [%d]", byName.PossibleDuplicates, first.ID)
		}
		if len(moved.PossibleDuplicates) != 0 {
			t.Errorf("another postcode: possible duplicates %v, want none", moved.PossibleDuplicates)
		}
		for _, c := range []struct {
			r    *linkwork.Referral
			want []int64
		}{
			{first, []int64{byNHS.ID, byName.ID}}, // the earlier one learns of the later ones too
			{byNHS, []int64{first.ID}},
			{byName, []int64{first.ID}},
		} {
			got, err := w.refs.FindReferralByID(ctx, c.r.ID)
			must(t, err)
			if !slices.Equal(got.PossibleDuplicates, c.want) {
				t.Errorf("referral %d read back with possible duplicates %v, want %v", c.r.ID, got.PossibleDuplicates, c.want)
			}
		}
		if n := countRows(t, db, "referrals", ""); n != 4 {
			t.Fatalf("%d referrals, want 4: duplicates are kept, not merged", n)
		}

		// Once the others are declined or closed, a new one for the same person is not flagged.
		decide(t, w, first.ID, linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclinePersonDeclined})
		decide(t, w, byNHS.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		decide(t, w, byNHS.ID, linkwork.Transition{Action: linkwork.ActionClose, Outcome: linkwork.OutcomeWithdrew})
		decide(t, w, byName.ID, linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclineOutOfArea})
		again := w.send(t, w.referral())
		if len(again.PossibleDuplicates) != 0 {
			t.Fatalf("with only declined and closed referrals: possible duplicates %v, want none", again.PossibleDuplicates)
		}

		// Another place's referral for the same person is not a duplicate.
		leedsScheme := mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID,
			Kind: linkwork.KindScheme, Name: "Leeds Connect"})
		inLeeds := w.referral()
		inLeeds.PlaceID, inLeeds.SchemeID, inLeeds.NeedIDs, inLeeds.ClientGroupIDs = w.leeds.ID, leedsScheme.ID,
			[]int64{w.leedsTerms["need/loneliness"].ID}, nil
		inLeeds.Referrer.OrganisationID, inLeeds.Consent.ShareWith = 0, nil
		w.send(t, inLeeds)
		if len(inLeeds.PossibleDuplicates) != 0 {
			t.Fatalf("in Leeds: possible duplicates %v, want none", inLeeds.PossibleDuplicates)
		}
	})
}

// decide applies a transition at the referral's current version, as its scheme's manager.
func decide(t *testing.T, w *refWorld, id int64, tr linkwork.Transition) *linkwork.Referral {
	t.Helper()
	r, err := w.refs.FindReferralByID(t.Context(), id)
	must(t, err)
	tr.ReferralID, tr.Version = id, r.Version
	got, err := w.refs.Transition(t.Context(), tr, w.manager, "Max Manager")
	if err != nil {
		t.Fatalf("%s referral %d (%s): %v", tr.Action, id, r.Status, err)
	}
	return got
}

// A referral is listed only to the referrer's organisation, the scheme's organisation and
// those the person agreed to share it with; the filters narrow that down.
func TestListReferralsPrivacy(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		shared := w.send(t, w.referral()) // from the GP to Link Up York, shared with the housing trust
		w.clock.advance(time.Minute)
		private := w.referral() // from the GP to Home First, shared with nobody
		private.Person.GivenName, private.SchemeID, private.NeedIDs, private.Consent.ShareWith = "Bob", w.homeFirst.ID,
			w.termIDs("need/housing"), nil
		w.send(t, private)
		w.clock.advance(time.Minute)
		self := w.person("Sue", "1970-02-02") // a self-referral to Link Up York
		self.Referrer = linkwork.ReferralSource{Type: linkwork.ReferrerSelf, Name: "Sue Person"}
		self.Consent.ShareWith = nil
		w.send(t, self)

		list := func(f linkwork.ReferralFilter) []int64 {
			t.Helper()
			f.PlaceID = w.york.ID
			rs, total, err := w.refs.ListReferrals(ctx, f)
			must(t, err)
			ids := []int64{}
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			if total != len(ids) {
				t.Fatalf("%+v: total %d for %d listed", f, total, len(ids))
			}
			return ids
		}
		for _, c := range []struct {
			name string
			f    linkwork.ReferralFilter
			want []int64
		}{
			{"the referrer's organisation", linkwork.ReferralFilter{OrganisationIDs: []int64{w.gp.ID}}, []int64{private.ID, shared.ID}},
			{"the scheme's organisation", linkwork.ReferralFilter{OrganisationIDs: []int64{w.charity.ID}}, []int64{self.ID, shared.ID}},
			{"shared with by consent, and its own scheme's", linkwork.ReferralFilter{OrganisationIDs: []int64{w.housing.ID}},
				[]int64{private.ID, shared.ID}},
			{"another organisation", linkwork.ReferralFilter{OrganisationIDs: []int64{w.police.ID, w.council.ID}}, []int64{}},
			{"no organisations", linkwork.ReferralFilter{}, []int64{}},
			{"another place's organisation", linkwork.ReferralFilter{OrganisationIDs: []int64{w.leedsOrg.ID}}, []int64{}},
			{"sent by the GP, seen as the charity", linkwork.ReferralFilter{OrganisationIDs: []int64{w.charity.ID},
				SentByOrganisationIDs: []int64{w.gp.ID}}, []int64{shared.ID}},
			{"sent by the referrer", linkwork.ReferralFilter{OrganisationIDs: []int64{w.gp.ID, w.charity.ID}, SentByUserID: w.referrer},
				[]int64{private.ID, shared.ID}},
			{"one scheme", linkwork.ReferralFilter{OrganisationIDs: []int64{w.gp.ID}, SchemeID: w.homeFirst.ID}, []int64{private.ID}},
			{"by status", linkwork.ReferralFilter{OrganisationIDs: []int64{w.charity.ID},
				Statuses: []linkwork.ReferralStatus{linkwork.ReferralAccepted, linkwork.ReferralReceived}}, []int64{self.ID, shared.ID}},
			{"by a status none has", linkwork.ReferralFilter{OrganisationIDs: []int64{w.charity.ID},
				Statuses: []linkwork.ReferralStatus{linkwork.ReferralClosed}}, []int64{}},
			{"by worker", linkwork.ReferralFilter{OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1}, []int64{}},
		} {
			if got := list(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: listed %v, want %v", c.name, got, c.want)
			}
		}

		// Pages, newest first, with the lists filled in.
		rs, total, err := w.refs.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: w.york.ID,
			OrganisationIDs: []int64{w.gp.ID, w.charity.ID}, Page: linkwork.Page{Number: 2, Size: 2}})
		must(t, err)
		if total != 3 || len(rs) != 1 || rs[0].ID != shared.ID {
			t.Fatalf("page 2 of 2: %d of %d, want the oldest of 3", len(rs), total)
		}
		if got := rs[0]; len(got.Needs) != 2 || !slices.Equal(got.Consent.ShareWith, []int64{w.housing.ID}) ||
			got.SchemeName != "Link Up York" || got.Referrer.OrganisationName != w.gp.Name {
			t.Fatalf("listed referral without its lists: %s", jsonOf(got))
		}

		// Allocated to a worker, it is in their list.
		decide(t, w, self.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		decide(t, w, self.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})
		if got := list(linkwork.ReferralFilter{OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1}); !slices.Equal(got, []int64{self.ID}) {
			t.Fatalf("the worker's list: %v, want [%d]", got, self.ID)
		}
	})
}

func TestReferralNotFound(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		_, err := w.refs.FindReferralByID(t.Context(), 12345)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if linkwork.ErrorMessage(err) != "Referral not found." {
			t.Fatalf("got %q", linkwork.ErrorMessage(err))
		}
		_, err = w.refs.ReferralHistory(t.Context(), 12345)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = w.refs.Transition(t.Context(), linkwork.Transition{ReferralID: 12345, Action: linkwork.ActionAccept, Version: 1}, w.manager, "Max")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		err = w.refs.CreateReferral(t.Context(), linkwork.NewReferral{})
		wantCode(t, err, linkwork.EINVALID, "")
	})
}

// References are unique in a place and read well on the phone.
func TestReferralReferences(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		seen := map[string]bool{}
		for i := range 20 {
			r := w.send(t, w.person("P"+idStr(int64(i)), "1980-01-01"))
			if !referenceForm.MatchString(r.Reference) || seen[r.Reference] {
				t.Fatalf("reference %q: want a new one like R-7K3M9Q", r.Reference)
			}
			seen[r.Reference] = true
		}
		// The database refuses a second referral with a reference already used in the place.
		var ref string
		must(t, db.QueryRow(t.Context(), "SELECT reference FROM referrals ORDER BY id LIMIT 1", nil, &ref))
		_, err := db.Exec(t.Context(), "UPDATE referrals SET reference = ? WHERE id = (SELECT MAX(id) FROM referrals)", ref)
		wantCode(t, err, linkwork.ECONFLICT, "")
	})
}
