package linkwork

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var caseToday = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func fields(err error) []string {
	var out []string
	for _, e := range FieldErrors(err) {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

func TestAgeBand(t *testing.T) {
	for age, want := range map[int]string{-1: "", 0: "0-17", 17: "0-17", 18: "18-24", 24: "18-24", 25: "25-34", 34: "25-34",
		35: "35-44", 44: "35-44", 45: "45-54", 64: "55-64", 65: "65-74", 74: "65-74", 75: "75-84", 84: "75-84", 85: "85+", 110: "85+"} {
		if got := AgeBand(age); got != want {
			t.Errorf("AgeBand(%d) = %q, want %q", age, got, want)
		}
	}
}

func TestPersonValidate(t *testing.T) {
	good := func() *Person {
		return &Person{GivenName: " Ada ", FamilyName: "Lovelace", DateOfBirth: "1950-05-01", NHSNumber: "943 476 5919",
			Postcode: "hx1 1aa", Phone: "07700 900123", Demographics: Demographics{Sex: SexFemale, Ethnicity: "A", Carer: AnswerNotStated}}
	}
	p := good()
	if err := p.Validate(caseToday); err != nil {
		t.Fatal(err)
	}
	if p.GivenName != "Ada" || p.NHSNumber != "9434765919" || p.Postcode != "HX1 1AA" || p.ContactPreferences == nil {
		t.Errorf("not normalised: %+v", p)
	}
	for name, tc := range map[string]struct {
		change func(p *Person)
		want   []string
	}{
		"future birth":     {func(p *Person) { p.DateOfBirth = "2027-01-01" }, []string{"date_of_birth"}},
		"bad nhs number":   {func(p *Person) { p.NHSNumber = "9434765918" }, []string{"nhs_number"}},
		"no way to reach":  {func(p *Person) { p.Phone = "" }, []string{"phone"}},
		"unknown sex":      {func(p *Person) { p.Demographics.Sex = "m" }, []string{"sex"}},
		"ethnic code I":    {func(p *Person) { p.Demographics.Ethnicity = "I" }, []string{"ethnicity"}},
		"carer maybe":      {func(p *Person) { p.Demographics.Carer = "maybe" }, []string{"carer"}},
		"opened in future": {func(p *Person) { p.OpenedOn = "2026-11-22" }, []string{"opened_on"}},
		"opened pre-birth": {func(p *Person) { p.OpenedOn = "1949-01-01" }, []string{"opened_on"}},
		"everything": {func(p *Person) {
			p.GivenName, p.DateOfBirth, p.Demographics.Disability = "", "01/05/1950", "y"
		}, []string{"date_of_birth", "disability", "given_name"}},
	} {
		p := good()
		tc.change(p)
		if got := fields(p.Validate(caseToday)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: errors on %v, want %v", name, got, tc.want)
		}
	}
}

func TestEthnicGroup(t *testing.T) {
	for code, want := range map[EthnicCategory]string{"A": "White", "C": "White", "D": "Mixed", "G": "Mixed", "H": "Asian or Asian British",
		"L": "Asian or Asian British", "N": "Black or Black British", "R": "Other ethnic group", "S": "Other ethnic group",
		"Z": "Not stated or not known", "99": "Not stated or not known", "I": ""} {
		if got := code.Group(); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
	if len(EthnicCategories) != len(ethnicLabels) {
		t.Errorf("%d categories listed, %d labelled", len(EthnicCategories), len(ethnicLabels))
	}
}

func TestStepAndContactValidate(t *testing.T) {
	s := &Step{GoalID: 1, Text: "Go to the choir", DueOn: "2026-12-01"}
	if err := s.Validate("2026-10-01", caseToday); err != nil || s.Status != StepToDo {
		t.Fatalf("%v %+v", err, s)
	}
	for name, tc := range map[string]struct {
		step Step
		want []string
	}{
		"no goal":            {Step{Text: "x", DueOn: "2026-12-01"}, []string{"goal_id"}},
		"no due date":        {Step{GoalID: 1, Text: "x"}, []string{"due_on"}},
		"due before opening": {Step{GoalID: 1, Text: "x", DueOn: "2026-09-30"}, []string{"due_on"}},
		"due in 3 years":     {Step{GoalID: 1, Text: "x", DueOn: "2029-12-01"}, []string{"due_on"}},
		"done tomorrow":      {Step{GoalID: 1, Text: "x", DueOn: "2026-12-01", Status: StepDone, DoneOn: "2026-11-22"}, []string{"done_on"}},
		"bad status":         {Step{GoalID: 1, Text: "x", DueOn: "2026-12-01", Status: "maybe"}, []string{"status"}},
		"done before opened": {Step{GoalID: 1, Text: "x", DueOn: "2026-12-01", Status: StepDone, DoneOn: "2026-09-30"}, []string{"done_on"}},
	} {
		if got := fields(tc.step.Validate("2026-10-01", caseToday)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: errors on %v, want %v", name, got, tc.want)
		}
	}
	early := &Step{GoalID: 1, Text: "x", DueOn: "2026-12-01", Status: StepDone, DoneOn: "2026-09-30"}
	if msg := ErrorMessage(FieldErrors(early.Validate("2026-10-01", caseToday))[0]); msg != "The date it was done cannot be before the case opened (1 October 2026)." {
		t.Errorf("done before the case opened: %q", msg)
	}
	done := &Step{GoalID: 1, Text: "x", DueOn: "2026-12-01", Status: StepDone}
	if err := done.Validate("2026-10-01", caseToday); err != nil || done.DoneOn != "2026-11-21" {
		t.Errorf("a done step without a date is done today: %v %q", err, done.DoneOn)
	}

	c := &CaseContact{On: "2026-11-20", Mode: ModePhone, Minutes: 20, FollowUpOn: "2026-11-27"}
	if err := c.Validate("1950-05-01", caseToday); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		c    CaseContact
		want []string
	}{
		"future":           {CaseContact{On: "2026-11-22", Mode: ModePhone, Minutes: 20}, []string{"on"}},
		"before birth":     {CaseContact{On: "1950-04-30", Mode: ModePhone, Minutes: 20}, []string{"on"}},
		"no minutes":       {CaseContact{On: "2026-11-20", Mode: ModePhone}, []string{"minutes"}},
		"too long":         {CaseContact{On: "2026-11-20", Mode: ModePhone, Minutes: 481}, []string{"minutes"}},
		"unknown mode":     {CaseContact{On: "2026-11-20", Mode: "pigeon", Minutes: 20}, []string{"mode"}},
		"follow-up before": {CaseContact{On: "2026-11-20", Mode: ModePhone, Minutes: 20, FollowUpOn: "2026-11-19"}, []string{"follow_up_on"}},
	} {
		if got := fields(tc.c.Validate("1950-05-01", caseToday)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: errors on %v, want %v", name, got, tc.want)
		}
	}
	err := (&CaseContact{On: "2026-11-22", Mode: ModePhone, Minutes: 20}).Validate("", caseToday)
	if msg := ErrorMessage(FieldErrors(err)[0]); !strings.Contains(msg, "date of the contact must be today or in the past") {
		t.Errorf("message: %q", msg)
	}
}

func TestCaseClosure(t *testing.T) {
	if got := fields((&CaseClosure{Outcome: "finished"}).Validate()); !slices.Equal(got, []string{"outcome"}) {
		t.Errorf("unknown outcome: %v", got)
	}
	if got := fields((&CaseClosure{Outcome: CaseOtherEnding, Note: " "}).Validate()); !slices.Equal(got, []string{"note"}) {
		t.Errorf("other without a note: %v", got)
	}
	for _, o := range CaseOutcomes {
		if o.Label() == "" || o.ReferralOutcome().Label() == "" {
			t.Errorf("%s: label %q, referral outcome %q", o, o.Label(), o.ReferralOutcome())
		}
	}
}

func TestOnwardAnswers(t *testing.T) {
	allowed := map[OnwardStatus][]OnwardStatus{
		OnwardSent:     {OnwardAccepted, OnwardDeclined, OnwardAttended, OnwardDidNotAttend, OnwardWithdrawn},
		OnwardAccepted: {OnwardAttended, OnwardDidNotAttend, OnwardWithdrawn},
	}
	for _, from := range OnwardStatuses {
		for _, to := range OnwardStatuses {
			a := &OnwardAnswer{Status: to, Reason: "Full until spring"}
			err := CheckOnwardAnswer(&OnwardReferral{Status: from}, a)
			if want := slices.Contains(allowed[from], to); (err == nil) != want {
				t.Errorf("%s → %s: %v, want allowed %v", from, to, err, want)
			}
		}
	}
	if got := fields(CheckOnwardAnswer(&OnwardReferral{Status: OnwardSent}, &OnwardAnswer{Status: OnwardDeclined})); !slices.Equal(got, []string{"reason"}) {
		t.Errorf("decline without a reason: %v", got)
	}
	sent := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	o := &OnwardReferral{Status: OnwardSent, SentAt: sent}
	if o.AwaitingAnswer(sent.Add(OnwardPromptAfter-time.Second)) || !o.AwaitingAnswer(sent.Add(OnwardPromptAfter)) {
		t.Error("the prompt comes at exactly 14 days")
	}
	o.Status = OnwardAccepted
	if o.AwaitingAnswer(sent.AddDate(0, 1, 0)) {
		t.Error("an answered referral is not awaiting an answer")
	}
	if got := OnwardAnswerChoices(OnwardAccepted); !slices.Equal(got, []OnwardStatus{OnwardAttended, OnwardDidNotAttend}) {
		t.Errorf("choices once accepted: %v", got)
	}
}

func TestCaseAccess(t *testing.T) {
	place := &Place{ID: 1}
	as := func(role Role, org int64) *Principal {
		return &Principal{User: &User{ID: 9}, Place: place, Memberships: []Membership{{PlaceID: 1, OrganisationID: org, Role: role}}}
	}
	person := &Person{PlaceID: 1, OrganisationID: 10, Status: PersonActive}
	for _, tc := range []struct {
		p                   *Principal
		see, work, canErase bool
	}{
		{as(RoleLinkWorker, 10), true, true, false},
		{as(RoleManager, 10), true, true, true},
		{as(RoleLinkWorker, 11), false, false, false},
		{as(RoleManager, 11), false, false, false},
		{as(RoleAdmin, 10), false, false, false},
		{as(RoleCommissioner, 10), false, false, false},
		{as(RoleReferrer, 10), false, false, false},
		{as(RoleCommunity, 10), false, false, false},
		{nil, false, false, false},
	} {
		if tc.p.CanSeePerson(person) != tc.see || tc.p.CanWorkOn(person) != tc.work || tc.p.CanErase(person) != tc.canErase {
			t.Errorf("%+v: see %v work %v erase %v", tc.p, tc.p.CanSeePerson(person), tc.p.CanWorkOn(person), tc.p.CanErase(person))
		}
	}
	other := &Person{PlaceID: 2, OrganisationID: 10}
	if as(RoleManager, 10).CanSeePerson(other) {
		t.Error("a person in another place is visible")
	}
	erased := &Person{PlaceID: 1, OrganisationID: 10, Status: PersonErased}
	if lw := as(RoleManager, 10); !lw.CanSeePerson(erased) || lw.CanWorkOn(erased) || lw.CanErase(erased) {
		t.Error("an erased record can be seen, never changed")
	}
	o := &OnwardReferral{PlaceID: 1, PersonOrganisationID: 10, ServiceOrganisationID: 20}
	if !as(RoleCommunity, 20).CanAnswerOnward(o) || as(RoleCommunity, 21).CanSeeOnward(o) || !as(RoleLinkWorker, 10).CanSeeOnward(o) ||
		as(RoleLinkWorker, 10).CanAnswerOnward(o) {
		t.Error("onward referral access")
	}
}
