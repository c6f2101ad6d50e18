package linkwork

import (
	"reflect"
	"testing"
	"time"
)

// FuzzReferralValidate feeds the fields people type into a referral: validation must never
// panic, and a referral it accepts must be accepted again unchanged (what it normalises is
// already normal).
func FuzzReferralValidate(f *testing.F) {
	f.Add("Ada", "Lovelace", "1958-03-27", "943 476 5919", "hx1 1aa", "01422 100200", "ada@example.org", "Lonely since moving.", "routine")
	f.Add("", "", "2999-01-01", "1234567890", "nowhere", "phone", "not an email", "", "soon")
	f.Add(" Bo ", "Li\x00", "1958-02-30", "٩٤٣", "GIR0AA", "+44 (0)1422-100200", "", "x", "urgent")
	today := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, given, family, dob, nhs, postcode, phone, email, reason, urgency string) {
		r := &Referral{Person: ReferralPerson{GivenName: given, FamilyName: family, DateOfBirth: dob, NHSNumber: nhs,
			Postcode: postcode, Phone: phone, Email: email, ContactPreferences: []ContactMethod{ContactPhone}},
			NeedIDs: []int64{1}, Reason: reason, Urgency: Urgency(urgency),
			Referrer: ReferralSource{Type: ReferrerGP, Name: "Dr Who"},
			Consent:  Consent{ToReferral: true, Method: ConsentVerbal}}
		if err := r.Validate(today); err != nil {
			for _, e := range FieldErrors(err) {
				if e.Field == "" || e.Message == "" {
					t.Fatalf("a problem without a field or message: %#v", e)
				}
			}
			return
		}
		again := *r
		if err := again.Validate(today); err != nil {
			t.Fatalf("accepted once, refused after normalising: %v", err)
		}
		if !reflect.DeepEqual(again.Person, r.Person) {
			t.Fatalf("normalising twice changed the person: %+v then %+v", r.Person, again.Person)
		}
	})
}
