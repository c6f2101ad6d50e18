package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

func (h *Handler) registerReferrals(g registrar) {
	send, view, triage := linkwork.PermSendReferrals, linkwork.PermViewReferrals, linkwork.PermTriageReferrals
	g.Handle("POST", Prefix+"/referrals", send, h.createReferral)
	g.Handle("POST", Prefix+"/referrals/routes", send, h.routeReferral)
	g.Handle("GET", Prefix+"/referrals", view, h.listReferrals)
	g.Handle("GET", Prefix+"/referrals/{id}", view, h.getReferral)
	g.Handle("POST", Prefix+"/referrals/{id}/transitions", triage, h.transitionReferral)
	g.Handle("GET", Prefix+"/referrals/{id}/letter", view, h.referralLetter)
	g.Handle("GET", Prefix+"/schemes/{id}/queue", triage, h.triageQueue)
	g.Handle("GET", Prefix+"/schemes/{id}/waiting", triage, h.waitingList)
	g.Handle("GET", Prefix+"/capacity", linkwork.PermViewCapacity, h.capacity)
	// Whether the principal manages the user's organisation is the handler's to check: the
	// permission says only that they manage some organisation's allocations.
	g.Handle("PUT", Prefix+"/users/{id}/caseload-limit", linkwork.PermAllocateReferrals, h.putCaseloadLimit)
}

// ReferralBody is the body of POST /referrals: a referral as a referrer writes it. Who sent
// it, when, and who recorded the consent are the server's to set, from the principal.
type ReferralBody struct {
	Person         linkwork.ReferralPerson `json:"person"`
	NeedIDs        []int64                 `json:"need_ids"`
	ClientGroupIDs []int64                 `json:"client_group_ids"`
	Reason         string                  `json:"reason"`
	Risk           string                  `json:"risk"`
	Urgency        linkwork.Urgency        `json:"urgency"`
	Referrer       ReferrerBody            `json:"referrer"`
	Consent        ConsentBody             `json:"consent"`
	// SchemeID is the connector scheme the referrer chose; 0 leaves it to routing.
	SchemeID int64 `json:"scheme_id"`
	// OrganisationID is the organisation the principal refers for, needed only when they
	// refer for more than one in the place.
	OrganisationID int64 `json:"organisation_id"`
}

// ReferrerBody is who is referring, in a ReferralBody.
type ReferrerBody struct {
	Type  linkwork.ReferrerType `json:"type"`
	Name  string                `json:"name"`
	Role  string                `json:"role"`
	Phone string                `json:"phone"`
	Email string                `json:"email"`
}

// ConsentBody is the person's consent, in a ReferralBody.
type ConsentBody struct {
	ToReferral bool                   `json:"to_referral"`
	ShareWith  []int64                `json:"share_with"`
	Method     linkwork.ConsentMethod `json:"method"`
}

func (b *ReferralBody) referral() *linkwork.Referral {
	return &linkwork.Referral{Person: b.Person, NeedIDs: b.NeedIDs, ClientGroupIDs: b.ClientGroupIDs, Reason: b.Reason,
		Risk: b.Risk, Urgency: b.Urgency, SchemeID: b.SchemeID,
		Referrer: linkwork.ReferralSource{Type: b.Referrer.Type, Name: b.Referrer.Name, Role: b.Referrer.Role,
			Phone: b.Referrer.Phone, Email: b.Referrer.Email},
		Consent: linkwork.Consent{ToReferral: b.Consent.ToReferral, ShareWith: b.Consent.ShareWith, Method: b.Consent.Method}}
}

// ReferralView is a referral as the API answers it. History and Notifications are filled in
// only by GET /referrals/{id}; Routing only by POST /referrals when linkwork chose the
// scheme, to say why.
type ReferralView struct {
	*linkwork.Referral
	History       []*linkwork.ReferralEvent `json:"history,omitempty"`
	Notifications []*linkwork.Notification  `json:"notifications,omitempty"`
	Routing       *linkwork.RouteOption     `json:"routing,omitempty"`
}

// RouteBody is the body of POST /referrals/routes: what routing needs to know about a
// person, without who they are.
type RouteBody struct {
	Postcode       string                `json:"postcode"`
	DateOfBirth    string                `json:"date_of_birth"`
	NeedIDs        []int64               `json:"need_ids"`
	ClientGroupIDs []int64               `json:"client_group_ids"`
	ReferrerType   linkwork.ReferrerType `json:"referrer_type"`
}

// Routes is the answer of POST /referrals/routes: every connector scheme of the place,
// those that can take the person first, best first.
type Routes struct {
	// PostcodeKnown is false when linkwork does not know the postcode, so that schemes
	// covering named areas could not be checked.
	PostcodeKnown bool                   `json:"postcode_known"`
	Options       []linkwork.RouteOption `json:"options"`
}

// CaseloadLimitBody is the body of PUT /users/{id}/caseload-limit.
type CaseloadLimitBody struct {
	Limit *int `json:"limit"`
}

// MaxCaseloadLimit is the largest caseload limit the API takes: the same bound as a scheme's
// own limit per worker (ConnectorScheme.Validate), far above the 200–250 people a link
// worker sees in a year, so that only a typing mistake is refused.
const MaxCaseloadLimit = 1000

// london is the time zone a date of birth is judged in: "today" is the UK's today.
var london = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

// referralFields maps the fields linkwork.Referral.Validate and the store name (those of the
// web form) to where they are in a ReferralBody, so that an API error names the body field.
var referralFields = map[string]string{
	"given_name": "person.given_name", "family_name": "person.family_name", "date_of_birth": "person.date_of_birth",
	"nhs_number": "person.nhs_number", "address_1": "person.address_1", "address_2": "person.address_2",
	"town": "person.town", "postcode": "person.postcode", "phone": "person.phone", "email": "person.email",
	"contact_preferences": "person.contact_preferences", "language": "person.language",
	"interpreter": "person.interpreter", "access_needs": "person.access_needs", "gp_practice": "person.gp_practice",
	"referrer_type": "referrer.type", "referrer_name": "referrer.name", "referrer_role": "referrer.role",
	"referrer_phone": "referrer.phone", "referrer_email": "referrer.email",
	"consent": "consent.to_referral", "consent_method": "consent.method", "share_with": "consent.share_with",
}

// bodyFields renames the fields of validation problems with fields, as named by names.
// Anything but invalid input is left as it is.
func bodyFields(err error, names map[string]string) error {
	if linkwork.ErrorCode(err) != linkwork.EINVALID {
		return err
	}
	var ps linkwork.Problems
	for _, e := range linkwork.FieldErrors(err) {
		c := *e
		if f, ok := names[c.Field]; ok {
			c.Field = f
		}
		ps = append(ps, &c)
	}
	return ps.Err()
}

// roleHolds reports whether a role holds perm, in its own organisation or place-wide.
func roleHolds(perm linkwork.Permission, role linkwork.Role) bool {
	g := linkwork.Policy[perm]
	return slices.Contains(g.PlaceWide, role) || slices.Contains(g.OwnOrganisation, role)
}

// referringOrganisation returns the membership the principal refers through: the one
// chosen, which must be theirs with a role that refers, or their only such one.
func referringOrganisation(p *linkwork.Principal, chosen int64) (linkwork.Membership, error) {
	var mine []linkwork.Membership
	for _, m := range p.Memberships {
		if roleHolds(linkwork.PermSendReferrals, m.Role) &&
			!slices.ContainsFunc(mine, func(o linkwork.Membership) bool { return o.OrganisationID == m.OrganisationID }) {
			mine = append(mine, m)
		}
	}
	for _, m := range mine {
		if m.OrganisationID == chosen || chosen == 0 && len(mine) == 1 {
			return m, nil
		}
	}
	names := make([]string, len(mine))
	for i, m := range mine {
		names[i] = fmt.Sprintf("%d (%s)", m.OrganisationID, m.OrganisationName)
	}
	if chosen == 0 {
		return linkwork.Membership{}, linkwork.FieldError("organisation_id",
			"You refer for more than one organisation in %s: say which this referral is from with organisation_id, one of %s.",
			p.Place.Name, strings.Join(names, ", "))
	}
	return linkwork.Membership{}, linkwork.FieldError("organisation_id",
		"organisation_id must be an organisation you refer for in %s: %s.", p.Place.Name, strings.Join(names, ", "))
}

// lookUpPostcode finds a postcode that is valid in form. A postcode linkwork does not know
// is not an error, only nil: the lookup a place has imported may not cover every address,
// and routing then asks the triager to check the area. An ended one is the caller's to
// correct.
func (h *Handler) lookUpPostcode(ctx context.Context, postcode string) (*linkwork.PostcodeInfo, error) {
	info, err := h.svc.Geography.FindPostcode(ctx, postcode, linkwork.RefuseTerminated)
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return nil, nil
	}
	return info, err
}

// hasField reports whether any problem in err is about field.
func hasField(err error, field string) bool {
	return slices.ContainsFunc(linkwork.FieldErrors(err), func(e *linkwork.Error) bool { return e.Field == field })
}

func (h *Handler) createReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body ReferralBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	ref := body.referral()
	ref.PlaceID = p.Place.ID
	now := time.Now()

	// Every problem is found before anything is saved, and reported at once.
	var ps linkwork.Problems
	m, err := referringOrganisation(p, body.OrganisationID)
	ps.Add(err)
	src := &ref.Referrer
	src.UserID, src.OrganisationID, src.OrganisationName = p.User.ID, m.OrganisationID, m.OrganisationName
	// The caller is the referrer: their account says who they are unless the body does, so
	// that a system sending for a clinician can name the clinician.
	if strings.TrimSpace(src.Name) == "" {
		src.Name = p.User.Name
	}
	if strings.TrimSpace(src.Email) == "" {
		src.Email = p.User.Email
	}
	// The store records when, as it records when the referral arrived.
	ref.Consent.RecordedBy = p.User.Name
	verr := ref.Validate(now.In(london))
	ps.Add(verr)
	if body.SchemeID < 0 {
		ps.Add(linkwork.FieldError("scheme_id", "scheme_id must be the ID of a connector scheme, or 0 to let linkwork choose."))
	}
	var postcode *linkwork.PostcodeInfo
	if !hasField(verr, "postcode") {
		postcode, err = h.lookUpPostcode(r.Context(), ref.Person.Postcode)
		if err != nil && linkwork.ErrorCode(err) != linkwork.EINVALID {
			h.fail(w, r, err)
			return
		}
		ps.Add(err)
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, bodyFields(err, referralFields))
		return
	}

	var routing *linkwork.RouteOption
	if ref.SchemeID == 0 {
		routing, err = h.chooseScheme(r, ref, postcode, now)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ref.SchemeID, ref.RoutedBy = routing.SchemeID, "linkwork"
	} else {
		ref.RoutedBy = "referrer"
	}
	if err := h.svc.Referrals.CreateReferral(r.Context(), linkwork.NewReferral{Referral: ref, ActorName: p.User.Name}); err != nil {
		h.fail(w, r, bodyFields(err, referralFields))
		return
	}
	// The store fills in the referral as it would read it back.
	w.Header().Set("Location", Prefix+"/referrals/"+idString(ref.ID))
	writeJSON(w, http.StatusCreated, ReferralView{Referral: tidyReferral(ref), Routing: routing})
}

// chooseScheme routes a referral that names no scheme to the best scheme that can take the
// person. When none can, the error says why the closest were ruled out, so that the
// referrer can choose one or correct the details.
func (h *Handler) chooseScheme(r *http.Request, ref *linkwork.Referral, postcode *linkwork.PostcodeInfo, now time.Time) (*linkwork.RouteOption, error) {
	p := principal(r)
	options, err := h.svc.Referrals.RouteReferral(r.Context(), linkwork.RouteRequest{PlaceID: p.Place.ID, Postcode: postcode,
		Age: ref.Person.Age(now.In(london)), NeedIDs: ref.NeedIDs, ClientGroupIDs: ref.ClientGroupIDs, ReferrerType: ref.Referrer.Type})
	if err != nil {
		return nil, err
	}
	for _, o := range options {
		if o.Eligible {
			o := tidyRoute(p, o)
			return &o, nil
		}
	}
	if len(options) == 0 {
		return nil, linkwork.FieldError("scheme_id", "%s has no connector schemes to refer to yet, so the referral cannot be sent.", p.Place.Name)
	}
	var why []string
	for _, o := range options[:min(len(options), 3)] {
		why = append(why, o.Name+": "+strings.Join(o.Excluded, " "))
	}
	return nil, linkwork.FieldError("scheme_id",
		"No connector scheme in %s can take this person, so linkwork cannot choose one. Check the details, or choose a scheme with scheme_id. Why the closest were ruled out: %s",
		p.Place.Name, strings.Join(why, " "))
}

func (h *Handler) routeReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body RouteBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	now := time.Now().In(london)
	var ps linkwork.Problems
	pc, pcErr := linkwork.NormalisePostcode(body.Postcode)
	if pcErr != nil {
		ps.Add(linkwork.FieldError("postcode", "%s", linkwork.ErrorMessage(pcErr)))
	}
	// The date of birth is optional: without it, age limits are not checked.
	person := linkwork.ReferralPerson{DateOfBirth: strings.TrimSpace(body.DateOfBirth)}
	if person.DateOfBirth != "" {
		if dob, err := time.Parse(time.DateOnly, person.DateOfBirth); err != nil {
			ps.Add(linkwork.FieldError("date_of_birth", "Enter the date of birth as a real date, year-month-day, such as 1958-03-27."))
		} else if dob.After(now) {
			ps.Add(linkwork.FieldError("date_of_birth", "The date of birth must be today or in the past."))
		}
	}
	if body.ReferrerType.Label() == "" {
		codes := make([]string, len(linkwork.ReferrerTypes))
		for i, t := range linkwork.ReferrerTypes {
			codes[i] = string(t)
		}
		ps.Add(linkwork.FieldError("referrer_type", "Choose who is referring: %s.", strings.Join(codes, ", ")))
	}
	if len(body.NeedIDs) > linkwork.MaxNeeds {
		ps.Add(linkwork.FieldError("need_ids", "Choose at most %d reasons for the referral.", linkwork.MaxNeeds))
	}
	if len(body.ClientGroupIDs) > linkwork.MaxNeeds {
		ps.Add(linkwork.FieldError("client_group_ids", "Choose at most %d client groups.", linkwork.MaxNeeds))
	}
	var postcode *linkwork.PostcodeInfo
	if pcErr == nil {
		info, err := h.lookUpPostcode(r.Context(), pc)
		if err != nil && linkwork.ErrorCode(err) != linkwork.EINVALID {
			h.fail(w, r, err)
			return
		}
		ps.Add(err)
		postcode = info
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	options, err := h.svc.Referrals.RouteReferral(r.Context(), linkwork.RouteRequest{PlaceID: p.Place.ID, Postcode: postcode,
		Age: person.Age(now), NeedIDs: body.NeedIDs, ClientGroupIDs: body.ClientGroupIDs, ReferrerType: body.ReferrerType})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := Routes{PostcodeKnown: postcode != nil, Options: make([]linkwork.RouteOption, len(options))}
	for i, o := range options {
		out.Options[i] = tidyRoute(p, o)
	}
	writeJSON(w, http.StatusOK, out)
}

// tidyRoute makes a route option fit to show the principal: lists empty rather than null,
// and link workers' names only to those who allocate their work.
func tidyRoute(p *linkwork.Principal, o linkwork.RouteOption) linkwork.RouteOption {
	if o.Reasons == nil {
		o.Reasons = []string{}
	}
	if o.Excluded == nil {
		o.Excluded = []string{}
	}
	if o.Capacity != nil {
		o.Capacity = tidyCapacity(p, o.Capacity)
	}
	return o
}

// tidyCapacity returns a copy of a scheme's capacity fit to show the principal. Its counts
// are not personal data, but who carries which caseload is the business of the managers who
// allocate the scheme's work: for anyone else the names are blank.
func tidyCapacity(p *linkwork.Principal, c *linkwork.SchemeCapacity) *linkwork.SchemeCapacity {
	out := *c
	named := p.CanIn(linkwork.PermAllocateReferrals, c.OrganisationID)
	out.Workers = make([]linkwork.WorkerLoad, len(c.Workers))
	for i, wl := range c.Workers {
		if !named {
			wl.Name = ""
		}
		if wl.Languages == nil {
			wl.Languages = []string{}
		}
		out.Workers[i] = wl
	}
	return &out
}

// tidyReferral makes a referral's lists empty rather than null, as the API promises.
func tidyReferral(ref *linkwork.Referral) *linkwork.Referral {
	for _, l := range []*[]int64{&ref.NeedIDs, &ref.ClientGroupIDs, &ref.PossibleDuplicates, &ref.Consent.ShareWith} {
		if *l == nil {
			*l = []int64{}
		}
	}
	if ref.Needs == nil {
		ref.Needs = []linkwork.TaxonomyTerm{}
	}
	if ref.Person.ContactPreferences == nil {
		ref.Person.ContactPreferences = []linkwork.ContactMethod{}
	}
	return ref
}

func (h *Handler) listReferrals(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.ReferralFilter{PlaceID: p.Place.ID, OrganisationIDs: p.ReferralOrganisations(), Page: page}
	if s := q.Get("status"); s != "" {
		for _, v := range strings.Split(s, ",") {
			st := linkwork.ReferralStatus(strings.TrimSpace(v))
			if !st.Valid() {
				names := make([]string, len(linkwork.ReferralStatuses))
				for i, s := range linkwork.ReferralStatuses {
					names[i] = string(s)
				}
				h.fail(w, r, linkwork.FieldError("status", "status must be one or more of %s, separated by commas.", strings.Join(names, ", ")))
				return
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if s := q.Get("scheme_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("scheme_id", "scheme_id must be a whole number."))
			return
		}
		f.SchemeID = id
	}
	switch q.Get("sent") {
	case "":
	case "mine":
		f.SentByUserID = p.User.ID
	case "organisation":
		f.SentByOrganisationIDs = f.OrganisationIDs
	default:
		h.fail(w, r, linkwork.FieldError("sent", "sent must be mine (the referrals you sent) or organisation (those your organisations sent)."))
		return
	}
	switch q.Get("worker") {
	case "":
	case "me":
		f.WorkerUserID = p.User.ID
	default:
		h.fail(w, r, linkwork.FieldError("worker", "worker can only be me, for the referrals allocated to you."))
		return
	}
	var refs []*linkwork.Referral
	total := 0
	// The store wants at least one organisation; someone with none sees nothing.
	if len(f.OrganisationIDs) > 0 {
		refs, total, err = h.svc.Referrals.ListReferrals(r.Context(), f)
	}
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditReferralList, RecordType: "referral",
			Detail: "api: " + r.URL.RawQuery})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, ref := range refs {
		tidyReferral(ref)
	}
	writeJSON(w, http.StatusOK, newList(refs, page, total))
}

// visibleReferral returns the referral in the path if the principal may see it.
func (h *Handler) visibleReferral(r *http.Request) (*linkwork.Referral, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.VisibleReferral(r.Context(), h.svc.Referrals, principal(r), id)
}

// auditReferralView records that the principal saw a referral.
func (h *Handler) auditReferralView(r *http.Request, id int64, detail string) error {
	return h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditReferralView, RecordType: "referral",
		RecordID: idString(id), Detail: detail})
}

func (h *Handler) getReferral(w http.ResponseWriter, r *http.Request) {
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	view := ReferralView{Referral: tidyReferral(ref)}
	view.History, err = h.svc.Referrals.ReferralHistory(r.Context(), ref.ID)
	if err == nil {
		view.Notifications, err = h.svc.Notifications.ListNotifications(r.Context(), ref.ID)
	}
	if err == nil {
		err = h.auditReferralView(r, ref.ID, "api")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

func (h *Handler) transitionReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var t linkwork.Transition
	if err := decode(w, r, &t); err != nil {
		h.fail(w, r, err)
		return
	}
	t.ReferralID = ref.ID
	if !p.CanDecide(ref, &t) {
		msg := fmt.Sprintf("Only the link workers and managers of the scheme %s can decide on this referral.", ref.SchemeName)
		if p.CanIn(linkwork.PermTriageReferrals, ref.SchemeOrganisationID) {
			msg = fmt.Sprintf("Only a manager of the scheme %s can allocate its referrals to someone else; you may take it yourself, with worker_user_id %d.",
				ref.SchemeName, p.User.ID)
		}
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "%s", msg))
		return
	}
	// The store checks the version again, in the transaction that makes the change; this
	// check only answers a stale request before anything else is said about it.
	if t.Version != ref.Version {
		h.fail(w, r, linkwork.Errorf(linkwork.ECONFLICT,
			"This referral has changed since you read it: it is now at version %d (%s), and you sent version %d. Read it again, and decide on what it is now.",
			ref.Version, strings.ToLower(ref.Status.Label()), t.Version))
		return
	}
	out, err := h.svc.Referrals.Transition(r.Context(), t, p.User.ID, p.User.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ReferralView{Referral: tidyReferral(out)})
}

func (h *Handler) referralLetter(w http.ResponseWriter, r *http.Request) {
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	history, err := h.svc.Referrals.ReferralHistory(r.Context(), ref.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	provider, err := h.svc.Organisations.FindOrganisationByID(r.Context(), ref.SchemeOrganisationID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if ref.Referrer.OrganisationName == "" && ref.Referrer.OrganisationID > 0 {
		if o, err := h.svc.Organisations.FindOrganisationByID(r.Context(), ref.Referrer.OrganisationID); err == nil {
			ref.Referrer.OrganisationName = o.Name
		}
	}
	if err := h.auditReferralView(r, ref.ID, "letter"); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, linkwork.NewReferralLetter(ref, provider.Name, history))
}

// triageScheme returns the connector scheme in the path if it is in the principal's place
// (ENOTFOUND otherwise) and they triage for its organisation (EFORBIDDEN).
func (h *Handler) triageScheme(r *http.Request) (*linkwork.Service, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p := principal(r)
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s.PlaceID != p.Place.ID || s.Kind != linkwork.KindScheme {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Connector scheme not found.")
	}
	if !p.CanIn(linkwork.PermTriageReferrals, s.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the link workers and managers of %s see the referrals of %s.", s.OrganisationName, s.Name)
	}
	return s, nil
}

func (h *Handler) triageQueue(w http.ResponseWriter, r *http.Request) {
	h.schemeList(w, r, "queue", h.svc.Referrals.TriageQueue)
}

func (h *Handler) waitingList(w http.ResponseWriter, r *http.Request) {
	h.schemeList(w, r, "waiting list", h.svc.Referrals.WaitingList)
}

// schemeList answers a page of one of a scheme's lists of referrals.
func (h *Handler) schemeList(w http.ResponseWriter, r *http.Request, what string,
	list func(context.Context, int64, linkwork.Page) ([]linkwork.QueueEntry, int, error)) {
	s, err := h.triageScheme(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, total, err := list(r.Context(), s.ID, page)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditReferralList, RecordType: "referral",
			Detail: fmt.Sprintf("api: %s of scheme %d, page %d", what, s.ID, page.Number)})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, e := range entries {
		tidyReferral(e.Referral)
	}
	writeJSON(w, http.StatusOK, newList(entries, page, total))
}

func (h *Handler) capacity(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := h.svc.Referrals.Capacity(r.Context(), p.Place.ID, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Administrators and commissioners see every scheme; managers those of their own
	// organisations. A place has tens of schemes, so they are chosen here.
	var caps []*linkwork.SchemeCapacity
	for _, c := range all {
		if p.CanIn(linkwork.PermViewCapacity, c.OrganisationID) {
			caps = append(caps, tidyCapacity(p, c))
		}
	}
	total := len(caps)
	from := min((page.Number-1)*page.Size, total)
	writeJSON(w, http.StatusOK, newList(caps[from:min(from+page.Size, total)], page, total))
}

func (h *Handler) putCaseloadLimit(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.svc.Users.FindUserByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	allowed := slices.ContainsFunc(u.Memberships, func(m linkwork.Membership) bool {
		return m.PlaceID == p.Place.ID && p.CanIn(linkwork.PermAllocateReferrals, m.OrganisationID)
	})
	switch {
	case allowed:
	case p.CanSeeUser(u):
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only a manager of %s's organisation can set their caseload limit.", u.Name))
		return
	default:
		h.fail(w, r, linkwork.Errorf(linkwork.ENOTFOUND, "User not found."))
		return
	}
	var body CaseloadLimitBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Limit == nil || *body.Limit < 0 || *body.Limit > MaxCaseloadLimit {
		h.fail(w, r, linkwork.FieldError("limit",
			"limit must be a whole number from 1 to %d, the most people %s supports at once, or 0 for the scheme's usual limit.",
			MaxCaseloadLimit, u.Name))
		return
	}
	if err := h.svc.Referrals.SetCaseloadLimit(r.Context(), p.Place.ID, u.ID, *body.Limit); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
