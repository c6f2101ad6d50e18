package linkwork_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
)

// today is the date the referral tests take as now.
var today = time.Date(2030, time.March, 4, 9, 30, 0, 0, time.UTC)

func validReferral() *linkwork.Referral {
	return &linkwork.Referral{
		PlaceID: 1,
		Person: linkwork.ReferralPerson{GivenName: " Mary ", FamilyName: "Smith", DateOfBirth: "1950-04-01",
			NHSNumber: "943-476-5919", Postcode: "hx1 1aa", Phone: "01422 123456", Email: " Mary@Example.ORG ",
			ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone, linkwork.ContactEmail}},
		NeedIDs:  []int64{3, 4, 3},
		Reason:   "  Lonely since her husband died.  ",
		Referrer: linkwork.ReferralSource{Type: linkwork.ReferrerGP, Name: "Dr Ann Jones", Email: "Ann@NHS.example"},
		Consent:  linkwork.Consent{ToReferral: true, ShareWith: []int64{7, 7, 8}, Method: linkwork.ConsentVerbal, RecordedBy: "Dr Jones"},
		SchemeID: 9,
	}
}

func TestReferralValidateNormalises(t *testing.T) {
	r := validReferral()
	if err := r.Validate(today); err != nil {
		t.Fatal(err)
	}
	p := r.Person
	if p.GivenName != "Mary" || p.NHSNumber != "9434765919" || p.Postcode != "HX1 1AA" || p.Email != "mary@example.org" ||
		r.Reason != "Lonely since her husband died." || r.Referrer.Email != "ann@nhs.example" {
		t.Fatalf("not normalised: %+v", r)
	}
	if !slices.Equal(r.NeedIDs, []int64{3, 4}) || !slices.Equal(r.Consent.ShareWith, []int64{7, 8}) || r.ClientGroupIDs == nil {
		t.Fatalf("lists not made unique: needs %v, share with %v, client groups %v", r.NeedIDs, r.Consent.ShareWith, r.ClientGroupIDs)
	}
	if r.Urgency != linkwork.UrgencyRoutine {
		t.Fatalf("urgency %q, want routine by default", r.Urgency)
	}
	// A date of birth today is allowed (a newborn's family may be referred).
	r = validReferral()
	r.Person.DateOfBirth = today.Format(time.DateOnly)
	if err := r.Validate(today); err != nil {
		t.Fatalf("born today: %v", err)
	}
}

// Each bad input is a problem with its own field, reported with the others.
func TestReferralValidateBadInput(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(r *linkwork.Referral)
		fields []string
	}{
		{"no given name", func(r *linkwork.Referral) { r.Person.GivenName = "  " }, []string{"given_name"}},
		{"no date of birth", func(r *linkwork.Referral) { r.Person.DateOfBirth = "" }, []string{"date_of_birth"}},
		{"date of birth in the future", func(r *linkwork.Referral) { r.Person.DateOfBirth = "2030-03-05" }, []string{"date_of_birth"}},
		{"date of birth not a date", func(r *linkwork.Referral) { r.Person.DateOfBirth = "1950-02-30" }, []string{"date_of_birth"}},
		{"date of birth in another form", func(r *linkwork.Referral) { r.Person.DateOfBirth = "01/04/1950" }, []string{"date_of_birth"}},
		{"date of birth too long ago", func(r *linkwork.Referral) { r.Person.DateOfBirth = "1900-01-01" }, []string{"date_of_birth"}},
		{"NHS number with a wrong check digit", func(r *linkwork.Referral) { r.Person.NHSNumber = "943 476 5918" }, []string{"nhs_number"}},
		{"NHS number too short", func(r *linkwork.Referral) { r.Person.NHSNumber = "943 476 591" }, []string{"nhs_number"}},
		{"NHS number with letters", func(r *linkwork.Referral) { r.Person.NHSNumber = "943 476 591A" }, []string{"nhs_number"}},
		{"bad postcode", func(r *linkwork.Referral) { r.Person.Postcode = "HX1 1A" }, []string{"postcode"}},
		{"no postcode", func(r *linkwork.Referral) { r.Person.Postcode = "" }, []string{"postcode"}},
		{"bad phone", func(r *linkwork.Referral) { r.Person.Phone = "call me" }, []string{"phone"}},
		{"bad email", func(r *linkwork.Referral) { r.Person.Email = "mary at example" }, []string{"email"}},
		{"unknown contact method", func(r *linkwork.Referral) {
			r.Person.ContactPreferences = []linkwork.ContactMethod{"pigeon"}
		}, []string{"contact_preferences"}},
		{"texts without a phone", func(r *linkwork.Referral) {
			r.Person.Phone, r.Person.ContactPreferences = "", []linkwork.ContactMethod{linkwork.ContactText}
		}, []string{"phone"}},
		{"letters without an address", func(r *linkwork.Referral) {
			r.Person.ContactPreferences = []linkwork.ContactMethod{linkwork.ContactLetter}
		}, []string{"address_1"}},
		{"no way to contact", func(r *linkwork.Referral) {
			r.Person.Phone, r.Person.Email, r.Person.ContactPreferences = "", "", nil
		}, []string{"phone"}},
		{"no needs", func(r *linkwork.Referral) { r.NeedIDs = nil }, []string{"need_ids"}},
		{"too many needs", func(r *linkwork.Referral) {
			r.NeedIDs = nil
			for i := range linkwork.MaxNeeds + 1 {
				r.NeedIDs = append(r.NeedIDs, int64(i+1))
			}
		}, []string{"need_ids"}},
		{"no reason", func(r *linkwork.Referral) { r.Reason = " " }, []string{"reason"}},
		{"oversized reason", func(r *linkwork.Referral) { r.Reason = strings.Repeat("a", linkwork.MaxReasonLength+1) }, []string{"reason"}},
		{"oversized risk", func(r *linkwork.Referral) { r.Risk = strings.Repeat("é", linkwork.MaxRiskLength+1) }, []string{"risk"}},
		{"unknown urgency", func(r *linkwork.Referral) { r.Urgency = "yesterday" }, []string{"urgency"}},
		{"unknown referrer type", func(r *linkwork.Referral) { r.Referrer.Type = "friend" }, []string{"referrer_type"}},
		{"no referrer name", func(r *linkwork.Referral) { r.Referrer.Name = "" }, []string{"referrer_name"}},
		{"bad referrer email", func(r *linkwork.Referral) { r.Referrer.Email = "ann@" }, []string{"referrer_email"}},
		{"missing consent", func(r *linkwork.Referral) { r.Consent.ToReferral = false }, []string{"consent"}},
		{"no consent method", func(r *linkwork.Referral) { r.Consent.Method = "" }, []string{"consent_method"}},
		{"unknown consent method", func(r *linkwork.Referral) { r.Consent.Method = "telepathy" }, []string{"consent_method"}},
		{"sharing with too many", func(r *linkwork.Referral) {
			r.Consent.ShareWith = nil
			for i := range 21 {
				r.Consent.ShareWith = append(r.Consent.ShareWith, int64(i+1))
			}
		}, []string{"share_with"}},
		{"several at once", func(r *linkwork.Referral) {
			r.Person.DateOfBirth, r.Person.NHSNumber, r.Person.Postcode, r.Consent.ToReferral = "2031-01-01", "1234567890", "nowhere", false
		}, []string{"date_of_birth", "nhs_number", "postcode", "consent"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := validReferral()
			c.change(r)
			wantProblems(t, r.Validate(today), c.fields...)
		})
	}
}

func TestReferralPersonAge(t *testing.T) {
	for _, c := range []struct {
		dob  string
		on   time.Time
		want int
	}{
		{"1950-04-01", time.Date(2030, 3, 31, 23, 0, 0, 0, time.UTC), 79},
		{"1950-04-01", time.Date(2030, 4, 1, 0, 0, 0, 0, time.UTC), 80},
		{"1950-04-01", time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC), 80},
		{"1950-12-31", time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), 80},
		{"2000-02-29", time.Date(2001, 2, 28, 0, 0, 0, 0, time.UTC), 0},
		{"2000-02-29", time.Date(2001, 3, 1, 0, 0, 0, 0, time.UTC), 1},
		{"2030-03-04", today, 0},
		{"", today, -1},
		{"not a date", today, -1},
	} {
		if got := (linkwork.ReferralPerson{DateOfBirth: c.dob}).Age(c.on); got != c.want {
			t.Errorf("born %q, on %s: age %d, want %d", c.dob, c.on.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestReferralLabelsAndRanks(t *testing.T) {
	if linkwork.UrgencyUrgent.Rank() >= linkwork.UrgencySoon.Rank() || linkwork.UrgencySoon.Rank() >= linkwork.UrgencyRoutine.Rank() {
		t.Fatal("urgent must come before soon, and soon before routine")
	}
	for _, u := range linkwork.Urgencies {
		if u.Label() == "" {
			t.Errorf("urgency %q has no label", u)
		}
	}
	for _, m := range linkwork.ContactMethods {
		if m.Label() == "" {
			t.Errorf("contact method %q has no label", m)
		}
	}
	for _, m := range linkwork.ConsentMethods {
		if m.Label() == "" {
			t.Errorf("consent method %q has no label", m)
		}
	}
	if got := (linkwork.ReferralPerson{GivenName: "Mary", FamilyName: ""}).Name(); got != "Mary" {
		t.Errorf("name %q", got)
	}
	r := &linkwork.Referral{Status: linkwork.ReferralWaiting}
	if !r.IsOpen() {
		t.Error("a waiting referral is open")
	}
	for _, s := range []linkwork.ReferralStatus{linkwork.ReferralDeclined, linkwork.ReferralClosed} {
		if (&linkwork.Referral{Status: s}).IsOpen() {
			t.Errorf("a %s referral is open", s)
		}
	}
	if (linkwork.WorkerLoad{Active: 60, Limit: 50}).Free() != 0 {
		t.Error("an over-full worker has free places")
	}
}
