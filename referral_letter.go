package linkwork

import "time"

// SNOMED CT codes for social prescribing events, carried in the message back to the GP and
// referrer so that their clinical system can code the record.
const (
	SNOMEDReferralToSocialPrescribing = "871731000000106" // Referral to social prescribing service (procedure)
	SNOMEDSocialPrescribingDeclined   = "871711000000103" // Social prescribing declined (situation)
)

// CodedEvent is an event with its SNOMED CT code.
type CodedEvent struct {
	Code    string    `json:"code"`
	System  string    `json:"system"`
	Display string    `json:"display"`
	At      time.Time `json:"at"`
}

// ReferralLetter is the message back to the GP and referrer about a referral, with the
// fields of the PRSB social prescribing standard's "message back": who the person is, who
// referred them and why, what the service did, and its status and outcome, coded.
type ReferralLetter struct {
	Reference   string `json:"reference"`
	PersonName  string `json:"person_name"`
	DateOfBirth string `json:"date_of_birth"`
	NHSNumber   string `json:"nhs_number,omitempty"`
	Address     string `json:"address,omitempty"`
	Postcode    string `json:"postcode"`
	GPPractice  string `json:"gp_practice,omitempty"`

	ReferrerName         string    `json:"referrer_name"`
	ReferrerOrganisation string    `json:"referrer_organisation,omitempty"`
	ReferralDate         time.Time `json:"referral_date"`
	ReasonsForReferral   []string  `json:"reasons_for_referral"`

	Service          string     `json:"service"`
	ServiceProvider  string     `json:"service_provider"`
	Status           string     `json:"status"`
	StatusCode       string     `json:"status_code"`
	StatusDate       time.Time  `json:"status_date"`
	DeclineReason    string     `json:"decline_reason,omitempty"`
	Outcome          string     `json:"outcome,omitempty"`
	LinkWorker       string     `json:"link_worker,omitempty"`
	FirstContactDate *time.Time `json:"first_contact_date,omitempty"`
	// Events are the coded events: the referral, and its decline if declined.
	Events []CodedEvent `json:"coded_events"`
}

// NewReferralLetter builds the message back from a referral, its scheme's organisation name
// and its history.
func NewReferralLetter(r *Referral, providerName string, history []*ReferralEvent) *ReferralLetter {
	l := &ReferralLetter{Reference: r.Reference, PersonName: r.Person.Name(), DateOfBirth: r.Person.DateOfBirth,
		NHSNumber: r.Person.NHSNumber, Postcode: r.Person.Postcode, GPPractice: r.Person.GPPractice,
		ReferrerName: r.Referrer.Name, ReferrerOrganisation: r.Referrer.OrganisationName, ReferralDate: r.ReceivedAt,
		ReasonsForReferral: []string{}, Service: r.SchemeName, ServiceProvider: providerName,
		Status: r.Status.Label(), StatusCode: string(r.Status), StatusDate: r.UpdatedAt, LinkWorker: r.WorkerName,
		Events: []CodedEvent{}}
	for _, part := range []string{r.Person.Address1, r.Person.Address2, r.Person.Town} {
		if part != "" {
			if l.Address != "" {
				l.Address += ", "
			}
			l.Address += part
		}
	}
	for _, n := range r.Needs {
		l.ReasonsForReferral = append(l.ReasonsForReferral, n.Name)
	}
	if r.Status == ReferralDeclined {
		l.DeclineReason = r.DeclineReason.Label()
	}
	if r.Status == ReferralClosed {
		l.Outcome = r.Outcome.Label()
	}
	l.Events = append(l.Events, CodedEvent{Code: SNOMEDReferralToSocialPrescribing, System: "http://snomed.info/sct",
		Display: "Referral to social prescribing service", At: r.ReceivedAt})
	for _, e := range history {
		switch e.Action {
		case ActionDecline:
			l.Events = append(l.Events, CodedEvent{Code: SNOMEDSocialPrescribingDeclined, System: "http://snomed.info/sct",
				Display: "Social prescribing declined", At: e.At})
		case ActionStart:
			if l.FirstContactDate == nil {
				at := e.At
				l.FirstContactDate = &at
			}
		}
	}
	return l
}
