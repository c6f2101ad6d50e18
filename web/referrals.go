package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The front door for referrals, for professionals: one form for every scheme, with a step
// that asks linkwork which schemes fit the person before anything is sent; the list of
// referrals each person may see; a referral's page, where the scheme holding it decides
// what happens next; and the letter back to the GP and referrer. The public refer
// themselves in selfreferral.go; schemes' queues and capacity are in triage.go.

func (h *Handler) registerReferrals(g registrar) {
	send, view := linkwork.PermSendReferrals, linkwork.PermViewReferrals
	g.Handle("GET", "/referrals/new", send, h.newReferral)
	g.Handle("POST", "/referrals/new", send, h.postReferral)
	g.Handle("GET", "/referrals", view, h.referrals)
	g.Handle("GET", "/referrals/{id}", view, h.referral)
	g.Handle("POST", "/referrals/{id}/decision", linkwork.PermTriageReferrals, h.decideReferral)
	g.Handle("GET", "/referrals/{id}/letter", view, h.referralLetter)
	h.registerTriage(g)
	h.registerSelfReferral(g)
}

// referralFields are the professional form's fields in the order it shows them, for the
// error summary. They are named as the domain names them, so that its problems land next
// to the right field.
var referralFields = []string{"given_name", "family_name", "date_of_birth", "nhs_number", "address_1", "address_2", "town",
	"postcode", "phone", "email", "contact_preferences", "language", "interpreter", "access_needs", "gp_practice",
	"need_ids", "client_group_ids", "reason", "risk", "urgency", "referrer_type", "referrer_organisation_id",
	"referrer_name", "referrer_role", "referrer_phone", "referrer_email", "consent", "consent_method", "share_with", "scheme_id"}

// autoRoute is the scheme choice that leaves the choice to linkwork.
const autoRoute = "auto"

// ReferralFormView is the view of the professional referral form.
type ReferralFormView struct {
	Layout
	Form           *Form
	Needs          []dirChoice
	ClientGroups   []dirChoice
	ContactMethods []dirChoice
	Urgencies      []dirChoice
	ReferrerTypes  []dirChoice
	// Organisations are the referrer's own, in which they may send referrals: a select
	// when there are several.
	Organisations  []dirChoice
	ConsentMethods []dirChoice
	ShareWith      []dirChoice
	// ShareOpen unfolds the organisations to share with when one is chosen or wrong.
	ShareOpen bool
	// Routed is set once linkwork has looked for schemes: Options can take the person, best
	// first; Excluded cannot, each saying why.
	Routed   bool
	Options  []RouteChoice
	Excluded []RouteChoice
	// AutoID is the id of the "leave it to triage" radio: the field's own name when it is
	// the only one, so that the error summary can link to it.
	AutoID string
	// PostcodeUnknown names a postcode linkwork does not hold, so areas could not be checked.
	PostcodeUnknown string
}

// RouteChoice is one scheme as the routing step shows it.
type RouteChoice struct {
	ID           string // the radio's id
	Value        string
	Name         string
	Organisation string
	Reasons      []string
	Excluded     []string
	Wait         string
	Capacity     string
	AreaChecked  bool
}

// routeChoices turns routing's answer into what the form shows.
func routeChoices(opts []linkwork.RouteOption) (eligible, excluded []RouteChoice) {
	for _, o := range opts {
		c := RouteChoice{Value: strconv.FormatInt(o.SchemeID, 10), Name: o.Name, Reasons: o.Reasons, Excluded: o.Excluded,
			AreaChecked: o.AreaChecked}
		if o.Scheme != nil {
			c.Organisation = o.Scheme.OrganisationName
		}
		c.Wait, c.Capacity = waitText(o)
		if o.Eligible {
			c.ID = "scheme_id"
			if len(eligible) > 0 {
				c.ID += "-" + c.Value
			}
			eligible = append(eligible, c)
		} else {
			excluded = append(excluded, c)
		}
	}
	return eligible, excluded
}

// waitText says how long a scheme's wait is and how full it is, from its current capacity
// or, when it has none yet, from what its directory entry says.
func waitText(o linkwork.RouteOption) (wait, capacity string) {
	c := o.Capacity
	if c == nil {
		if o.Scheme != nil && o.Scheme.Scheme != nil {
			if w := o.Scheme.Scheme.WaitingWeeks; w > 0 {
				return fmt.Sprintf("About %s, as the scheme says", plural(w, "week", "weeks")), ""
			}
			return "No wait, as the scheme says", ""
		}
		return "", ""
	}
	switch {
	case c.Waiting == 0 && c.Free > 0:
		wait = "No waiting list at the moment"
	case c.ExpectedWaitDays > 0:
		wait = "About " + linkwork.Days(c.ExpectedWaitDays) + " (" + plural(c.Waiting, "person", "people") + " waiting)"
	case c.Waiting > 0:
		wait = plural(c.Waiting, "person", "people") + " waiting"
	default:
		wait = "No waiting list at the moment"
	}
	if c.Limit > 0 {
		capacity = fmt.Sprintf("%d of %d places in use", c.Active, c.Limit)
	} else {
		capacity = "No link workers recorded yet"
	}
	return wait, capacity
}

// plural says a count with its noun: "1 week", "3 weeks".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// termChoices offers the terms of one of the place's taxonomies.
func termChoices(taxes []*linkwork.Taxonomy, code string) []dirChoice {
	var out []dirChoice
	for _, t := range taxes {
		if t.Code != code {
			continue
		}
		for _, term := range t.Terms {
			out = append(out, dirChoice{Value: strconv.FormatInt(term.ID, 10), Label: term.Name})
		}
	}
	return out
}

// termNames names terms by ID, for showing a referral's client groups.
func termNames(taxes []*linkwork.Taxonomy, code string, ids []int64) []string {
	var out []string
	for _, t := range taxes {
		if t.Code != code {
			continue
		}
		for _, term := range t.Terms {
			if slices.Contains(ids, term.ID) {
				out = append(out, term.Name)
			}
		}
	}
	return out
}

func contactChoices() []dirChoice {
	out := make([]dirChoice, len(linkwork.ContactMethods))
	for i, m := range linkwork.ContactMethods {
		out[i] = dirChoice{Value: string(m), Label: m.Label()}
	}
	return out
}

// RadiosField is what the "radios" template of a page needs to draw a fieldset of radios.
type RadiosField struct {
	Form               *Form
	Name, Legend, Hint string
	Options            []dirChoice
	Inline             bool
}

// Radios returns radios for the field name, one for each option, with ids given as Boxes
// gives them: the first has the field's name, for the error summary.
func (f *Form) Radios(name, legend string, opts []dirChoice) RadiosField {
	b := f.Boxes(name, legend, opts)
	return RadiosField{Form: f, Name: name, Legend: legend, Options: b.Options}
}

// WithHint returns the radios with hint text under their legend.
func (r RadiosField) WithHint(hint string) RadiosField { r.Hint = hint; return r }

// InRow returns the radios side by side.
func (r RadiosField) InRow() RadiosField { r.Inline = true; return r }

// DateField is what the "date" template of a page needs to draw the NHS.UK date input: a
// day, a month and a year, in fields named name-day, name-month and name-year. The day has
// the field's name as its id, for the error summary.
type DateField struct {
	Form               *Form
	Name, Legend, Hint string
	// Own is set when the reader gives their own date, so that browsers may fill it in.
	Own bool
}

// Date returns the three inputs of a date.
func (f *Form) Date(name, legend, hint string) DateField {
	return DateField{Form: f, Name: name, Legend: legend, Hint: hint}
}

// OwnBirthday returns the date marked as the reader's own date of birth.
func (d DateField) OwnBirthday() DateField { d.Own = true; return d }

// readDate reads a date typed as day, month and year into the form, and returns it as
// YYYY-MM-DD, or "" when nothing was typed. Anything that is not a real date is recorded
// against the field with a message about the three boxes, which the domain's message (about
// one YYYY-MM-DD value) would not fit.
func readDate(r *http.Request, f *Form, name string) string {
	parts := [3]string{}
	for i, k := range []string{"day", "month", "year"} {
		parts[i] = strings.TrimSpace(r.PostFormValue(name + "-" + k))
		f.Values[name+"-"+k] = parts[i]
	}
	if parts == [3]string{} {
		return ""
	}
	if slices.Contains(parts[:], "") {
		f.Fail(name, "The date of birth must include a day, a month and a year.")
		return ""
	}
	var n [3]int
	for i, s := range parts {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			f.Fail(name, "Enter the date of birth in numbers, such as 27 3 1958.")
			return ""
		}
		n[i] = v
	}
	if len(parts[2]) != 4 {
		f.Fail(name, "Enter the year of birth in full, such as 1958.")
		return ""
	}
	d := time.Date(n[2], time.Month(n[1]), n[0], 0, 0, 0, 0, time.UTC)
	if d.Day() != n[0] || int(d.Month()) != n[1] {
		f.Fail(name, "Enter a real date of birth, such as 27 3 1958.")
		return ""
	}
	return d.Format(time.DateOnly)
}

// longDate writes a YYYY-MM-DD date as people read it: "10 December 1955".
func longDate(v string) string {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return v
	}
	return d.Format("2 January 2006")
}

// readIDs reads the values of a field with several (checkboxes) into the form and returns
// them as IDs; a value that is not one of the choices is recorded against the field.
func readIDs(r *http.Request, f *Form, name string, choices []dirChoice, message string) []int64 {
	vs := r.PostForm[name]
	f.setAll(name, vs)
	ids := []int64{}
	for _, v := range vs {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(choices, func(c dirChoice) bool { return c.Value == v }) {
			f.Fail(name, message)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// addProblems records the problems in err against the form's fields: each against its own
// field if the form has it, else against fallback, and only where the handler has not
// already said what is wrong (its message about the form's own inputs is the more useful).
// It reports whether err was something the person can put right.
func addProblems(f *Form, err error, fields []string, fallback string) bool {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return false
	}
	for _, e := range es {
		if e.Code == linkwork.EINTERNAL {
			return false
		}
	}
	for _, e := range es {
		field := e.Field
		if !slices.Contains(fields, field) {
			field = fallback
		}
		if f.Error(field) == "" {
			f.Fail(field, e.Message)
		}
	}
	return true
}

// referralFormView fills the choices of the professional form.
func (h *Handler) referralFormView(r *http.Request, f *Form) (*ReferralFormView, error) {
	p := principal(r)
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), p.Place.ID)
	if err != nil {
		return nil, err
	}
	orgs, err := h.placeOrganisationChoices(r)
	if err != nil {
		return nil, err
	}
	f.Order = referralFields
	v := &ReferralFormView{Layout: Layout{Title: "Refer someone"}, Form: f,
		Needs: termChoices(taxes, linkwork.TaxonomyNeed), ClientGroups: termChoices(taxes, linkwork.TaxonomyClientGroup),
		ContactMethods: contactChoices(), Organisations: senderOrganisations(p), ShareWith: orgs, AutoID: "scheme_id"}
	for _, u := range linkwork.Urgencies {
		v.Urgencies = append(v.Urgencies, dirChoice{Value: string(u), Label: u.Label()})
	}
	for _, t := range linkwork.ReferrerTypes {
		if t != linkwork.ReferrerSelf {
			v.ReferrerTypes = append(v.ReferrerTypes, dirChoice{Value: string(t), Label: t.Label()})
		}
	}
	for _, m := range linkwork.ConsentMethods {
		if m != linkwork.ConsentOnlineForm { // the public's own form records that one
			v.ConsentMethods = append(v.ConsentMethods, dirChoice{Value: string(m), Label: m.Label()})
		}
	}
	v.ShareOpen = f.Get("share_with") != "" || f.Error("share_with") != ""
	return v, nil
}

// senderOrganisations lists the principal's organisations in which their role sends
// referrals: an administrator's organisation is not one unless they also have such a role
// there.
func senderOrganisations(p *linkwork.Principal) []dirChoice {
	senders := linkwork.Policy[linkwork.PermSendReferrals]
	byRole := map[int64]bool{}
	for _, m := range p.Memberships {
		if slices.Contains(senders.PlaceWide, m.Role) || slices.Contains(senders.OwnOrganisation, m.Role) {
			byRole[m.OrganisationID] = true
		}
	}
	return membershipChoices(p, func(orgID int64) bool { return byRole[orgID] })
}

// sectorReferrer is the kind of referrer an organisation's sector usually is, to fill in
// the form.
var sectorReferrer = map[linkwork.Sector]linkwork.ReferrerType{
	linkwork.SectorNHS: linkwork.ReferrerGP, linkwork.SectorHousing: linkwork.ReferrerHousing,
	linkwork.SectorPolice: linkwork.ReferrerPolice, linkwork.SectorCouncil: linkwork.ReferrerCouncil,
	linkwork.SectorSocialCare: linkwork.ReferrerCouncil, linkwork.SectorVCSE: linkwork.ReferrerVCSE,
	linkwork.SectorFaith: linkwork.ReferrerVCSE,
}

func (h *Handler) newReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := NewForm()
	v, err := h.referralFormView(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// The referrer's details come from their account, their own organisation and their
	// entry in the directory of link workers, if they have one; they can change them.
	f.Values["referrer_name"], f.Values["referrer_email"] = p.User.Name, p.User.Email
	f.Values["urgency"], f.Values["consent_method"], f.Values["scheme_id"] = string(linkwork.UrgencyRoutine), string(linkwork.ConsentVerbal), autoRoute
	if len(v.Organisations) > 0 {
		f.Values["referrer_organisation_id"] = v.Organisations[0].Value
		id, _ := strconv.ParseInt(v.Organisations[0].Value, 10, 64)
		org, err := h.svc.Organisations.FindOrganisationByID(r.Context(), id)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		f.Values["referrer_type"] = string(cmp.Or(sectorReferrer[org.Sector], linkwork.ReferrerOther))
	}
	if entry, err := h.ownEntry(r); err != nil {
		h.serverError(w, r, err)
		return
	} else if entry != nil {
		f.Values["referrer_role"], f.Values["referrer_phone"] = entry.JobTitle, entry.Phone
		if entry.Email != "" {
			f.Values["referrer_email"] = entry.Email
		}
	}
	h.render(w, r, http.StatusOK, "referral_new", v)
}

// readReferralForm reads the professional form into a referral and the form as typed,
// recording what only the handler can see to be wrong.
func readReferralForm(r *http.Request, v *ReferralFormView) *linkwork.Referral {
	f := v.Form
	for _, k := range []string{"given_name", "family_name", "nhs_number", "address_1", "address_2", "town", "postcode", "phone",
		"email", "language", "interpreter", "access_needs", "gp_practice", "reason", "risk", "urgency", "referrer_type",
		"referrer_organisation_id", "referrer_name", "referrer_role", "referrer_phone", "referrer_email", "consent",
		"consent_method", "scheme_id"} {
		f.Values[k] = r.PostFormValue(k)
	}
	ref := &linkwork.Referral{PlaceID: principal(r).Place.ID, Reason: f.Get("reason"), Risk: f.Get("risk"),
		Urgency: linkwork.Urgency(f.Get("urgency"))}
	ref.Person = linkwork.ReferralPerson{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
		DateOfBirth: readDate(r, f, "date_of_birth"), NHSNumber: f.Get("nhs_number"), Address1: f.Get("address_1"),
		Address2: f.Get("address_2"), Town: f.Get("town"), Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email"),
		Language: f.Get("language"), Interpreter: f.Get("interpreter") == "yes", AccessNeeds: f.Get("access_needs"),
		GPPractice: f.Get("gp_practice")}
	prefs := r.PostForm["contact_preferences"]
	f.setAll("contact_preferences", prefs)
	for _, m := range prefs {
		ref.Person.ContactPreferences = append(ref.Person.ContactPreferences, linkwork.ContactMethod(m))
	}
	ref.NeedIDs = readIDs(r, f, "need_ids", v.Needs, "Choose the reasons for the referral from the list.")
	ref.ClientGroupIDs = readIDs(r, f, "client_group_ids", v.ClientGroups, "Choose the groups from the list.")
	ref.Referrer = linkwork.ReferralSource{Type: linkwork.ReferrerType(f.Get("referrer_type")), UserID: principal(r).User.ID,
		Name: f.Get("referrer_name"), Role: f.Get("referrer_role"), Phone: f.Get("referrer_phone"), Email: f.Get("referrer_email")}
	if ref.Referrer.Type == linkwork.ReferrerSelf {
		f.Fail("referrer_type", "Choose the kind of organisation you refer from. People who refer themselves use the public form.")
	}
	org := f.Get("referrer_organisation_id")
	if i := slices.IndexFunc(v.Organisations, func(c dirChoice) bool { return c.Value == org }); i >= 0 {
		ref.Referrer.OrganisationID, _ = strconv.ParseInt(org, 10, 64)
		ref.Referrer.OrganisationName = v.Organisations[i].Label
	} else {
		f.Fail("referrer_organisation_id", "Choose the organisation you are referring from.")
	}
	ref.Consent = linkwork.Consent{ToReferral: f.Get("consent") == "yes", Method: linkwork.ConsentMethod(f.Get("consent_method")),
		RecordedBy: principal(r).User.Name, RecordedAt: timeNow().UTC()}
	ref.Consent.ShareWith = readIDs(r, f, "share_with", v.ShareWith, "Choose organisations in the list to share the referral with.")
	if ref.Consent.Method == linkwork.ConsentOnlineForm {
		f.Fail("consent_method", "Choose how the person agreed: verbally or in writing.")
	}
	return ref
}

// checkReferralForm says what is missing in the words of the form, before the domain's
// checks, whose messages name fields and codes as the API knows them.
func checkReferralForm(f *Form, ref *linkwork.Referral) {
	for _, m := range []struct{ field, value, message string }{
		{"given_name", ref.Person.GivenName, "Enter the person's first name."},
		{"family_name", ref.Person.FamilyName, "Enter the person's last name."},
		{"postcode", ref.Person.Postcode, "Enter the person's postcode."},
		{"reason", ref.Reason, "Enter the reason for the referral, in your own words."},
		{"referrer_type", string(ref.Referrer.Type), "Choose where you refer from."},
		{"referrer_name", ref.Referrer.Name, "Enter your name."},
		{"consent_method", string(ref.Consent.Method), "Choose how the person agreed."},
	} {
		if strings.TrimSpace(m.value) == "" && f.Error(m.field) == "" {
			f.Fail(m.field, m.message)
		}
	}
}

// routeFor asks linkwork which schemes fit the person in ref, and fills the form's
// routing step with the answer. The postcode is looked up so that areas can be checked; a
// postcode linkwork does not know leaves the areas unchecked (it may be new) rather than
// stopping the referral.
func (h *Handler) routeFor(ctx context.Context, ref *linkwork.Referral, f *Form, rt linkwork.ReferrerType) ([]linkwork.RouteOption, string, error) {
	req := linkwork.RouteRequest{PlaceID: ref.PlaceID, Age: -1, NeedIDs: ref.NeedIDs, ClientGroupIDs: ref.ClientGroupIDs,
		ReferrerType: rt}
	if f.Error("date_of_birth") == "" {
		req.Age = ref.Person.Age(timeNow())
	}
	unknown := ""
	if pc, err := linkwork.NormalisePostcode(ref.Person.Postcode); err == nil && f.Error("postcode") == "" {
		info, err := h.svc.Geography.FindPostcode(ctx, pc, linkwork.RefuseTerminated)
		switch linkwork.ErrorCode(err) {
		case "":
			req.Postcode = info
		case linkwork.ENOTFOUND:
			unknown = pc
		case linkwork.EINVALID:
			f.Fail("postcode", linkwork.ErrorMessage(err))
		default:
			return nil, "", err
		}
	}
	opts, err := h.svc.Referrals.RouteReferral(ctx, req)
	return opts, unknown, err
}

// chooseScheme settles the scheme a referral goes to: the one the referrer picked, if it
// can take the person, or else the best that can. It records a problem on scheme_id when
// there is none.
func chooseScheme(f *Form, ref *linkwork.Referral, opts []linkwork.RouteOption, place string) {
	choice := f.Get("scheme_id")
	if choice == "" || choice == autoRoute {
		for _, o := range opts {
			if o.Eligible {
				ref.SchemeID, ref.SchemeName, ref.RoutedBy = o.SchemeID, o.Name, "linkwork"
				if o.Scheme != nil {
					ref.SchemeOrganisationID = o.Scheme.OrganisationID
				}
				return
			}
		}
		f.Fail("scheme_id", "No connector scheme in "+place+" can take this referral. Check the postcode, date of birth, needs and groups; "+
			"the schemes that cannot take it say why.")
		return
	}
	i := slices.IndexFunc(opts, func(o linkwork.RouteOption) bool { return strconv.FormatInt(o.SchemeID, 10) == choice })
	switch {
	case i < 0:
		f.Fail("scheme_id", "Choose a scheme from the list, or leave it to triage.")
	case !opts[i].Eligible:
		f.Fail("scheme_id", opts[i].Name+" cannot take this referral: "+strings.Join(opts[i].Excluded, " "))
	default:
		ref.SchemeID, ref.SchemeName, ref.RoutedBy = opts[i].SchemeID, opts[i].Name, "referrer"
		if opts[i].Scheme != nil {
			ref.SchemeOrganisationID = opts[i].Scheme.OrganisationID
		}
	}
}

// routingFields are the fields whose problems the routing step shows: what it needs, and
// only when filled in wrongly, since the rest of the form can wait until it is sent.
var routingFields = []string{"date_of_birth", "postcode", "need_ids", "client_group_ids"}

func (h *Handler) postReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	_ = r.ParseForm()
	f := NewForm()
	v, err := h.referralFormView(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ref := readReferralForm(r, v)
	v.ShareOpen = f.Get("share_with") != "" || f.Error("share_with") != ""
	sending := r.PostFormValue("action") != "route"
	if sending {
		checkReferralForm(f, ref)
	}
	invalid := ref.Validate(timeNow())
	if sending {
		if invalid != nil && !addProblems(f, invalid, referralFields, "given_name") {
			h.serverError(w, r, invalid)
			return
		}
	} else {
		// Routing saves nothing: it shows what the postcode, age, needs and groups as typed
		// lead to, and the problems with those alone.
		for _, e := range linkwork.FieldErrors(invalid) {
			if slices.Contains(routingFields, e.Field) && f.Error(e.Field) == "" && (e.Field != "date_of_birth" || ref.Person.DateOfBirth != "") {
				f.Fail(e.Field, e.Message)
			}
		}
		if strings.TrimSpace(ref.Person.Postcode) == "" {
			f.Fail("postcode", "Enter the person's postcode, so that linkwork can find the schemes that cover where they live.")
		}
	}
	opts, unknown, err := h.routeFor(r.Context(), ref, f, ref.Referrer.Type)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Routed, v.PostcodeUnknown = true, unknown
	v.Options, v.Excluded = routeChoices(opts)
	if len(v.Options) > 0 {
		v.AutoID = "scheme_id-auto"
	}
	if !sending {
		status := http.StatusOK
		if f.HasErrors() {
			status = http.StatusUnprocessableEntity
		}
		h.render(w, r, status, "referral_new", v)
		return
	}
	// The scheme can be settled only on what routing needs being right: until then, that
	// no scheme fits would be one more message about the same mistake.
	if !slices.ContainsFunc(slices.Concat(routingFields, []string{"referrer_type"}), func(k string) bool { return f.Error(k) != "" }) {
		chooseScheme(f, ref, opts, p.Place.Name)
	}
	if !f.HasErrors() {
		err := h.svc.Referrals.CreateReferral(r.Context(), linkwork.NewReferral{Referral: ref, ActorName: p.User.Name})
		if err == nil {
			http.Redirect(w, r, "/referrals/"+strconv.FormatInt(ref.ID, 10)+"?sent=1", http.StatusSeeOther)
			return
		}
		if !addProblems(f, remapFields(err, storeFields), referralFields, "given_name") {
			h.serverError(w, r, err)
			return
		}
	}
	v.ShareOpen = v.ShareOpen || f.Error("share_with") != ""
	h.render(w, r, http.StatusUnprocessableEntity, "referral_new", v)
}

// storeFields names, by the form's fields, the fields the store may name in its own terms.
var storeFields = map[string]string{"scheme": "scheme_id", "organisation_id": "referrer_organisation_id",
	"referrer.organisation_id": "referrer_organisation_id", "consent.share_with": "share_with", "needs": "need_ids",
	"client_groups": "client_group_ids", "person.postcode": "postcode"}

// remapFields renames the fields of the problems in err by names.
func remapFields(err error, names map[string]string) error {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return err
	}
	var ps linkwork.Problems
	for _, e := range es {
		c := *e
		if n, ok := names[c.Field]; ok {
			c.Field = n
		}
		ps = append(ps, &c)
	}
	return ps.Err()
}

// ReferralsView is the view of the list of referrals a person may see.
type ReferralsView struct {
	Layout
	Tabs      []NavItem
	Show      string
	Form      *Form
	Statuses  []dirChoice
	Schemes   []dirChoice // the schemes the principal's organisations run
	Referrals []*linkwork.Referral
	Pager     Pager
	CanSend   bool
	// Queues link to the triage queues of the schemes the principal triages for.
	Queues []dirChoice
}

// The lists of referrals, by whose they are.
const (
	showAll          = ""
	showMine         = "mine"
	showOrganisation = "organisation"
	showSchemes      = "schemes"
)

func (h *Handler) referrals(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	orgs := p.ReferralOrganisations()
	schemes, err := h.organisationSchemes(r, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &ReferralsView{Layout: Layout{Title: "Referrals"}, Form: NewForm(), CanSend: p.Can(linkwork.PermSendReferrals)}
	for _, s := range schemes {
		if p.CanIn(linkwork.PermTriageReferrals, s.OrganisationID) {
			v.Queues = append(v.Queues, dirChoice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
		}
		v.Schemes = append(v.Schemes, dirChoice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
	}
	filter := linkwork.ReferralFilter{PlaceID: p.Place.ID, OrganisationIDs: orgs, Page: pageFrom(r)}
	keep := url.Values{}
	v.Show = q.Get("show")
	switch v.Show {
	case showMine:
		filter.SentByUserID = p.User.ID
	case showOrganisation:
		filter.SentByOrganisationIDs = orgs
	case showSchemes:
		if len(v.Schemes) == 0 {
			v.Show = showAll
			break
		}
		// One scheme at a time: the first unless another is chosen.
		s := q.Get("scheme")
		if !slices.ContainsFunc(v.Schemes, func(c dirChoice) bool { return c.Value == s }) {
			s = v.Schemes[0].Value
		}
		v.Form.Values["scheme"] = s
		filter.SchemeID, _ = strconv.ParseInt(s, 10, 64)
		keep.Set("scheme", s)
	default:
		v.Show = showAll
	}
	if v.Show != showAll {
		keep.Set("show", v.Show)
	}
	v.Statuses = []dirChoice{{Value: "open", Label: "Open (not declined or closed)"}}
	for _, s := range linkwork.ReferralStatuses {
		v.Statuses = append(v.Statuses, dirChoice{Value: string(s), Label: s.Label()})
	}
	switch st := q.Get("status"); {
	case st == "open":
		for _, s := range linkwork.ReferralStatuses {
			if s != linkwork.ReferralDeclined && s != linkwork.ReferralClosed {
				filter.Statuses = append(filter.Statuses, s)
			}
		}
		v.Form.Values["status"] = st
		keep.Set("status", st)
	case linkwork.ReferralStatus(st).Valid():
		filter.Statuses = []linkwork.ReferralStatus{linkwork.ReferralStatus(st)}
		v.Form.Values["status"] = st
		keep.Set("status", st)
	}
	tab := func(label, show string) NavItem {
		href := "/referrals"
		if show != showAll {
			href += "?show=" + show
		}
		return NavItem{Label: label, Href: href, Current: v.Show == show}
	}
	v.Tabs = []NavItem{tab("All you can see", showAll), tab("Sent by you", showMine), tab("Sent by your organisation", showOrganisation)}
	if len(v.Schemes) > 0 {
		v.Tabs = append(v.Tabs, tab("With your schemes", showSchemes))
	}
	list, total, err := h.svc.Referrals.ListReferrals(r.Context(), filter)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	detail := "page " + strconv.Itoa(filter.Page.Number)
	if s := keep.Encode(); s != "" {
		detail = s + ", " + detail
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditReferralList, RecordType: "referral",
		Detail: detail}); err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Referrals, v.Pager = list, newPager("/referrals", keep.Encode(), filter.Page, total)
	h.render(w, r, http.StatusOK, "referral_list", v)
}

// organisationSchemes lists the connector schemes run by the organisations given.
func (h *Handler) organisationSchemes(r *http.Request, orgs []int64) ([]*linkwork.Service, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	list, _, err := h.svc.Directory.ListServices(r.Context(), linkwork.ServiceFilter{PlaceID: principal(r).Place.ID,
		OrganisationIDs: orgs, Kind: linkwork.KindScheme, Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	return list, err
}

// ReferralView is the view of one referral's page.
type ReferralView struct {
	Layout
	Referral *linkwork.Referral
	// Sent is set just after the principal sent it, for the confirmation.
	Sent bool
	// Problem is a decision that could not be made, such as one made on an old copy of the
	// page; Form holds the decision forms' input and problems.
	Problem      string
	Form         *Form
	Age          int
	DateOfBirth  string
	NHSNumber    string
	Contact      []string
	ClientGroups []string
	ShareWith    []string
	// Duplicates are the possible duplicates the principal may open; HiddenDuplicates
	// counts those held elsewhere, which the scheme's triagers are told of.
	ShowDuplicates   bool
	Duplicates       []*linkwork.Referral
	HiddenDuplicates int
	History          []HistoryItem
	Notifications    []*linkwork.Notification
	Decisions        []DecisionForm
	CanTriage        bool
	// CaseID is the case record opened from the referral, if the principal may see it;
	// CanOpenCase offers to open one when there is none yet.
	CaseID      int64
	CanOpenCase bool
}

// HistoryItem is one event of a referral's history, in words.
type HistoryItem struct {
	At     time.Time
	Label  string
	Actor  string
	Detail string
	Note   string
}

// DecisionForm is one of the decisions a triager can make on a referral now.
type DecisionForm struct {
	Action  string
	Heading string
	Hint    string
	Button  string
	// Choices are the radios of a decline reason or an outcome, Field their name.
	Field   string
	Legend  string
	Choices []dirChoice
	// Schemes to redirect to; Workers to allocate to, with Suggested the one to suggest.
	Schemes   []dirChoice
	Workers   []dirChoice
	NoWorkers string
	Note      bool
	NoteLabel string
	// Warning is shown above the button, such as "everyone is at their limit".
	Warning string
}

// StatusClass is the colour of the referral's status tag.
func (v *ReferralView) StatusClass() string { return statusClass(v.Referral.Status) }

func statusClass(s linkwork.ReferralStatus) string {
	switch s {
	case linkwork.ReferralReceived:
		return "nhsuk-tag--blue"
	case linkwork.ReferralAccepted, linkwork.ReferralAllocated:
		return "nhsuk-tag--aqua-green"
	case linkwork.ReferralWaiting:
		return "nhsuk-tag--yellow"
	case linkwork.ReferralInProgress:
		return "nhsuk-tag--green"
	case linkwork.ReferralDeclined:
		return "nhsuk-tag--red"
	}
	return "nhsuk-tag--grey"
}

// Prefixed is the decision form's name for one of its fields: each form's fields are
// prefixed with its action, so that ids are unique on the page.
func (d DecisionForm) Prefixed(field string) string { return d.Action + "-" + field }

func (h *Handler) referral(w http.ResponseWriter, r *http.Request) {
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	sent := r.URL.Query().Get("sent") == "1" && ref.Referrer.UserID == p.User.ID
	h.showReferral(w, r, http.StatusOK, ref, NewForm(), "", sent)
}

// visibleReferral returns the referral in the path if the principal may see it.
func (h *Handler) visibleReferral(r *http.Request) (*linkwork.Referral, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.VisibleReferral(r.Context(), h.svc.Referrals, principal(r), id)
}

// showReferral renders a referral's page, recording the view in the audit trail.
func (h *Handler) showReferral(w http.ResponseWriter, r *http.Request, status int, ref *linkwork.Referral, f *Form, problem string, sent bool) {
	p := principal(r)
	ctx := r.Context()
	v := &ReferralView{Layout: Layout{Title: "Referral " + ref.Reference}, Referral: ref, Sent: sent, Problem: problem, Form: f,
		Age: ref.Person.Age(timeNow()), DateOfBirth: longDate(ref.Person.DateOfBirth), NHSNumber: linkwork.FormatNHSNumber(ref.Person.NHSNumber),
		CanTriage: p.CanIn(linkwork.PermTriageReferrals, ref.SchemeOrganisationID)}
	for _, m := range ref.Person.ContactPreferences {
		v.Contact = append(v.Contact, m.Label())
	}
	taxes, err := h.svc.Taxonomies.ListTaxonomies(ctx, p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.ClientGroups = termNames(taxes, linkwork.TaxonomyClientGroup, ref.ClientGroupIDs)
	orgs, err := h.placeOrganisationChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, o := range orgs {
		if id, _ := strconv.ParseInt(o.Value, 10, 64); slices.Contains(ref.Consent.ShareWith, id) {
			v.ShareWith = append(v.ShareWith, o.Label)
		}
	}
	// Possible duplicates are for the scheme's triagers to weigh up. Others see only those
	// they may open anyway, so that nobody learns of a referral held elsewhere.
	v.ShowDuplicates = v.CanTriage
	for _, id := range ref.PossibleDuplicates {
		d, err := h.svc.Referrals.FindReferralByID(ctx, id)
		switch {
		case isNotFound(err):
			continue
		case err != nil:
			h.serverError(w, r, err)
			return
		case p.CanSeeReferral(d):
			v.Duplicates = append(v.Duplicates, d)
		default:
			v.HiddenDuplicates++
		}
	}
	v.ShowDuplicates = v.ShowDuplicates || len(v.Duplicates) > 0

	schemes, err := h.schemeNames(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var capacity *linkwork.SchemeCapacity
	if v.CanTriage {
		cs, err := h.svc.Referrals.Capacity(ctx, p.Place.ID, []int64{ref.SchemeID})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if i := slices.IndexFunc(cs, func(c *linkwork.SchemeCapacity) bool { return c.SchemeID == ref.SchemeID }); i >= 0 {
			capacity = cs[i]
		}
		v.Decisions = decisionForms(p, ref, f, schemes, capacity)
	}
	workers := map[int64]string{}
	if ref.WorkerUserID != 0 {
		workers[ref.WorkerUserID] = ref.WorkerName
	}
	if capacity != nil {
		for _, wl := range capacity.Workers {
			workers[wl.UserID] = wl.Name
		}
	}
	history, err := h.svc.Referrals.ReferralHistory(ctx, ref.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, e := range history {
		v.History = append(v.History, historyItem(e, schemes, workers))
	}
	if h.svc.Notifications != nil {
		if v.Notifications, err = h.svc.Notifications.ListNotifications(ctx, ref.ID); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	if p.CanIn(linkwork.PermManageCases, ref.SchemeOrganisationID) {
		person, err := h.svc.Cases.FindPersonByReferral(ctx, ref.ID)
		switch {
		case err == nil:
			if p.CanSeePerson(person) {
				v.CaseID = person.ID
			}
		case isNotFound(err):
			v.CanOpenCase = openableReferral(ref.Status)
		default:
			h.serverError(w, r, err)
			return
		}
	}
	if err := h.svc.Audit.RecordAudit(ctx, &linkwork.AuditEvent{Action: linkwork.AuditReferralView, RecordType: "referral",
		RecordID: strconv.FormatInt(ref.ID, 10)}); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "referral_show", v)
}

// schemeNames names the place's connector schemes by ID, with their organisations.
func (h *Handler) schemeNames(r *http.Request) ([]*linkwork.Service, error) {
	list, _, err := h.svc.Directory.ListServices(r.Context(), linkwork.ServiceFilter{PlaceID: principal(r).Place.ID,
		Kind: linkwork.KindScheme, Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	return list, err
}

// historyItem says one event in words.
func historyItem(e *linkwork.ReferralEvent, schemes []*linkwork.Service, workers map[int64]string) HistoryItem {
	name := func(id int64) string {
		if i := slices.IndexFunc(schemes, func(s *linkwork.Service) bool { return s.ID == id }); i >= 0 {
			return schemes[i].Name
		}
		return "another scheme"
	}
	it := HistoryItem{At: e.At, Label: e.Action.Label(), Actor: cmp.Or(e.ActorName, "linkwork"), Note: e.Note}
	switch e.Action {
	case linkwork.ActionReceive:
		if e.ToSchemeID != 0 {
			it.Detail = "By " + name(e.ToSchemeID) + "."
		}
	case linkwork.ActionRedirect:
		it.Detail = "From " + name(e.FromSchemeID) + " to " + name(e.ToSchemeID) + "."
	case linkwork.ActionDecline:
		it.Detail = "Reason: " + cmp.Or(linkwork.DeclineReason(e.Reason).Label(), e.Reason) + "."
	case linkwork.ActionAllocate, linkwork.ActionReallocate:
		it.Detail = "To " + cmp.Or(workers[e.WorkerUserID], "a link worker") + "."
	case linkwork.ActionClose:
		it.Detail = "Outcome: " + cmp.Or(linkwork.ReferralOutcome(e.Reason).Label(), e.Reason) + "."
	}
	return it
}

// decisionForms builds a form for each action open to the referral that the principal may
// take, with its choices.
func decisionForms(p *linkwork.Principal, ref *linkwork.Referral, f *Form, schemes []*linkwork.Service, c *linkwork.SchemeCapacity) []DecisionForm {
	var out []DecisionForm
	allocator := p.CanIn(linkwork.PermAllocateReferrals, ref.SchemeOrganisationID)
	for _, a := range linkwork.Actions(ref.Status) {
		t := &linkwork.Transition{ReferralID: ref.ID, Action: a, WorkerUserID: p.User.ID}
		if !p.CanDecide(ref, t) {
			continue
		}
		d := DecisionForm{Action: string(a), NoteLabel: "Note (optional)"}
		switch a {
		case linkwork.ActionAccept:
			d.Heading, d.Button = "Accept", "Accept the referral"
			d.Hint = "The scheme will support this person. Next, allocate a link worker or add them to the waiting list."
		case linkwork.ActionDecline:
			d.Heading, d.Button, d.Field, d.Note = "Decline", "Decline the referral", "decline_reason", true
			d.Legend, d.NoteLabel = "Why is it declined?", "Note (needed for another reason)"
			d.Hint = "The referrer is told, with the reason."
			for _, r := range linkwork.DeclineReasons {
				d.Choices = append(d.Choices, dirChoice{Value: string(r), Label: r.Label()})
			}
		case linkwork.ActionRedirect:
			d.Heading, d.Button, d.Note = "Redirect to another scheme", "Redirect the referral", true
			d.Hint = "The other scheme receives it to triage; its history comes with it."
			for _, s := range schemes {
				if s.ID != ref.SchemeID && s.Status == linkwork.StatusActive {
					d.Schemes = append(d.Schemes, dirChoice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name + " (" + s.OrganisationName + ")"})
				}
			}
			if len(d.Schemes) == 0 {
				continue
			}
		case linkwork.ActionWait:
			d.Heading, d.Button = "Add to the waiting list", "Add to the waiting list"
			d.Hint = "When nobody has room now. The person keeps their place in the queue, urgent referrals first."
		case linkwork.ActionAllocate, linkwork.ActionReallocate:
			d.Heading, d.Button = "Allocate to a link worker", "Allocate"
			if a == linkwork.ActionReallocate {
				d.Heading, d.Button = "Reallocate to another link worker", "Reallocate"
			}
			d.Workers, d.Warning = workerChoices(p, ref, c, allocator, a == linkwork.ActionReallocate, f, d.Prefixed("worker_user_id"))
			if len(d.Workers) == 0 {
				continue
			}
		case linkwork.ActionStart:
			d.Heading, d.Button = "Support has started", "Record that support has started"
			d.Hint = "When the link worker has first met or spoken with the person."
		case linkwork.ActionClose:
			d.Heading, d.Button, d.Field, d.Note = "Close", "Close the referral", "outcome", true
			d.Legend = "How did it end?"
			d.Hint = "How it ended. The referrer is told."
			for _, o := range linkwork.ReferralOutcomes {
				d.Choices = append(d.Choices, dirChoice{Value: string(o), Label: o.Label()})
			}
		}
		out = append(out, d)
	}
	return out
}

// workerChoices offers the link workers a referral can go to, each with their load, and
// preselects the suggested one: the least loaded of those with room, preferring those who
// speak the person's language. A link worker who may not allocate is offered only
// themselves.
func workerChoices(p *linkwork.Principal, ref *linkwork.Referral, c *linkwork.SchemeCapacity, allocator, reallocate bool,
	f *Form, field string) ([]dirChoice, string) {
	var workers []linkwork.WorkerLoad
	if c != nil {
		for _, wl := range c.Workers {
			if (allocator || wl.UserID == p.User.ID) && !(reallocate && wl.UserID == ref.WorkerUserID) {
				workers = append(workers, wl)
			}
		}
	}
	if len(workers) == 0 && !allocator && !(reallocate && ref.WorkerUserID == p.User.ID) {
		// A link worker the capacity does not list (no caseload recorded yet) may still take it.
		workers = append(workers, linkwork.WorkerLoad{UserID: p.User.ID, Name: p.User.Name, Limit: linkwork.DefaultCaseloadLimit})
	}
	speaks := func(wl linkwork.WorkerLoad) bool {
		lang := strings.ToLower(strings.TrimSpace(ref.Person.Language))
		return lang != "" && slices.ContainsFunc(wl.Languages, func(l string) bool { return strings.ToLower(strings.TrimSpace(l)) == lang })
	}
	best := -1
	for i, wl := range workers {
		if wl.Free() == 0 {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := workers[best]
		if cmp.Or(compareBool(speaks(wl), speaks(b)), cmp.Compare(float64(wl.Active)/float64(max(wl.Limit, 1)), float64(b.Active)/float64(max(b.Limit, 1))),
			cmp.Compare(b.Free(), wl.Free())) < 0 {
			best = i
		}
	}
	out := make([]dirChoice, len(workers))
	for i, wl := range workers {
		label := fmt.Sprintf("%s: %d of %d people, %d free", wl.Name, wl.Active, wl.Limit, wl.Free())
		if speaks(wl) {
			label += ", speaks " + ref.Person.Language
		}
		if i == best {
			label += " (suggested)"
		}
		out[i] = dirChoice{Value: strconv.FormatInt(wl.UserID, 10), Label: label}
	}
	if f.Get(field) == "" && best >= 0 {
		f.Values[field] = out[best].Value
	}
	warning := ""
	if best < 0 && len(workers) > 0 {
		warning = "Everyone here is at their caseload limit. Allocating adds to someone's caseload; the waiting list may be better."
	}
	return out, warning
}

// compareBool orders true before false.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// decisionFields are the fields each decision form has, besides the version.
var decisionFields = map[linkwork.ReferralAction][]string{
	linkwork.ActionDecline:    {"decline_reason", "note"},
	linkwork.ActionRedirect:   {"scheme_id", "note"},
	linkwork.ActionAllocate:   {"worker_user_id"},
	linkwork.ActionReallocate: {"worker_user_id"},
	linkwork.ActionClose:      {"outcome", "note"},
}

func (h *Handler) decideReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	action := linkwork.ReferralAction(r.PostFormValue("action"))
	t := linkwork.Transition{ReferralID: ref.ID, Action: action}
	t.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	f := NewForm()
	prefix := string(action) + "-"
	for _, k := range decisionFields[action] {
		f.Values[prefix+k] = strings.TrimSpace(r.PostFormValue(prefix + k))
		f.Order = append(f.Order, prefix+k)
	}
	t.DeclineReason = linkwork.DeclineReason(f.Get(prefix + "decline_reason"))
	t.Outcome = linkwork.ReferralOutcome(f.Get(prefix + "outcome"))
	t.Note = f.Get(prefix + "note")
	t.SchemeID, _ = strconv.ParseInt(f.Get(prefix+"scheme_id"), 10, 64)
	t.WorkerUserID, _ = strconv.ParseInt(f.Get(prefix+"worker_user_id"), 10, 64)
	if !p.CanIn(linkwork.PermTriageReferrals, ref.SchemeOrganisationID) {
		h.forbidden(w, r)
		return
	}
	// A decision made on an old copy of the page is not applied: someone else has changed
	// the referral since, and the person should see what they did first. The store checks
	// the version again as it writes, for two decisions at the same moment.
	if t.Version != ref.Version {
		h.showReferral(w, r, http.StatusConflict, ref, NewForm(), staleMessage(ref), false)
		return
	}
	if !p.CanDecide(ref, &t) {
		h.forbidden(w, r)
		return
	}
	_, err = h.svc.Referrals.Transition(r.Context(), t, p.User.ID, p.User.Name)
	switch linkwork.ErrorCode(err) {
	case "":
		h.redirect(w, r, "/referrals/"+strconv.FormatInt(ref.ID, 10), "referral-decided")
		return
	case linkwork.ECONFLICT:
		fresh, ferr := h.svc.Referrals.FindReferralByID(r.Context(), ref.ID)
		if ferr != nil {
			h.serverError(w, r, ferr)
			return
		}
		msg := linkwork.ErrorMessage(err)
		if fresh.Version != ref.Version {
			msg = staleMessage(fresh)
		}
		h.showReferral(w, r, http.StatusConflict, fresh, NewForm(), msg, false)
		return
	case linkwork.EINVALID:
		problem := ""
		for _, e := range linkwork.FieldErrors(err) {
			if slices.Contains(decisionFields[action], e.Field) {
				if f.Error(prefix+e.Field) == "" {
					f.Fail(prefix+e.Field, e.Message)
				}
			} else {
				problem = strings.TrimSpace(problem + " " + e.Message)
			}
		}
		h.showReferral(w, r, http.StatusUnprocessableEntity, ref, f, problem, false)
		return
	}
	h.failed(w, r, err)
}

// staleMessage says that the referral changed while the person was deciding.
func staleMessage(ref *linkwork.Referral) string {
	return "Someone else changed this referral while you were deciding: it is now " + strings.ToLower(ref.Status.Label()) +
		". Your decision was not saved. Check its history below, then decide again if you still need to."
}

// ReferralLetterView is the view of the printable message back to the GP and referrer.
type ReferralLetterView struct {
	Layout
	Referral    *linkwork.Referral
	Letter      *linkwork.ReferralLetter
	DateOfBirth string
	NHSNumber   string
	Today       time.Time
}

func (h *Handler) referralLetter(w http.ResponseWriter, r *http.Request) {
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	provider := ""
	if ref.SchemeOrganisationID != 0 {
		org, err := h.svc.Organisations.FindOrganisationByID(r.Context(), ref.SchemeOrganisationID)
		if err != nil && !isNotFound(err) {
			h.serverError(w, r, err)
			return
		}
		if org != nil {
			provider = org.Name
		}
	}
	history, err := h.svc.Referrals.ReferralHistory(r.Context(), ref.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditReferralView, RecordType: "referral",
		RecordID: strconv.FormatInt(ref.ID, 10), Detail: "letter"}); err != nil {
		h.serverError(w, r, err)
		return
	}
	l := linkwork.NewReferralLetter(ref, provider, history)
	h.render(w, r, http.StatusOK, "referral_letter", &ReferralLetterView{
		Layout:   Layout{Title: "Social prescribing: message back about referral " + ref.Reference},
		Referral: ref, Letter: l, DateOfBirth: longDate(l.DateOfBirth), NHSNumber: linkwork.FormatNHSNumber(l.NHSNumber), Today: timeNow()})
}
