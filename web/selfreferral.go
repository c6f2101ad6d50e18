package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/authz"
)

// The public self-referral form: anyone can ask a connector scheme for help without
// signing in. It is short, in plain English, and sent to the best scheme that takes
// self-referrals. It keeps bots out without third-party services (which would see the
// people who use it and break the content security policy): a field people never see and
// bots fill in, a signed time the form was given out that refuses forms sent within
// seconds or after hours, and a limit on forms from one address.

func (h *Handler) registerSelfReferral(g registrar) {
	g.Handle("GET", "/refer", linkwork.PermPublic, h.referPage)
	g.Handle("POST", "/refer", linkwork.PermPublic, h.refer)
}

// How long a person may take over the form: quicker than referMinAge is a script; later
// than referMaxAge the form is stale (and a token cannot be saved up for a flood).
const (
	referMinAge = 3 * time.Second
	referMaxAge = 2 * time.Hour
)

// referGuard holds what the bot checks need. Its key is kept in the database
// (linkwork.SigningKeyService), so that a form given out by one instance is accepted by any
// other, and a restart voids nothing.
type referGuard struct {
	key     []byte
	limiter *authz.Limiter
	now     func() time.Time
}

func newReferGuard(key []byte) *referGuard {
	// Ten forms at once from one address (a library, a GP surgery's waiting room), then one
	// every six minutes.
	return &referGuard{key: key, limiter: authz.NewLimiter(10, 6*time.Minute), now: func() time.Time { return timeNow() }}
}

// sign returns the HMAC of the parts, each ended with a zero byte so that no two lists of
// parts sign the same.
func (g *referGuard) sign(parts ...string) string {
	m := hmac.New(sha256.New, g.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// token is given out with the form: when, and for which place, signed.
func (g *referGuard) token(placeID int64) string {
	at := strconv.FormatInt(g.now().UnixMilli(), 10)
	return at + "." + g.sign("refer", strconv.FormatInt(placeID, 10), at)
}

// fresh reports whether a token is one linkwork gave out for the place, at least
// referMinAge and at most referMaxAge ago.
func (g *referGuard) fresh(token string, placeID int64) bool {
	at, sig, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(g.sign("refer", strconv.FormatInt(placeID, 10), at))) {
		return false
	}
	ms, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return false
	}
	age := g.now().Sub(time.UnixMilli(ms))
	return age >= referMinAge && age <= referMaxAge
}

// sentLink is where the person is sent after their referral is saved: the confirmation,
// signed so that nobody can make linkwork confirm a referral it never took.
func (g *referGuard) sentLink(placeParam, reference string, schemeID int64) string {
	scheme := strconv.FormatInt(schemeID, 10)
	q := url.Values{"sent": {reference}, "scheme": {scheme}, "sig": {g.sign("sent", reference, scheme)}}
	if placeParam != "" {
		q.Set("place", placeParam)
	}
	return "/refer?" + q.Encode()
}

// referFields are the self-referral form's fields in the order it shows them.
var referFields = []string{"given_name", "family_name", "date_of_birth", "postcode", "phone", "email", "address_1", "address_2",
	"town", "contact_preferences", "need_ids", "reason", "language", "interpreter", "access_needs", "consent"}

// ReferView is the view of the public self-referral form.
type ReferView struct {
	Layout
	Form  *Form
	Place *linkwork.Place
	// Action is where the form goes, keeping the place chosen in the address.
	Action string
	// Places lists the places to choose from when the deployment hosts several.
	Places         []*linkwork.Place
	Needs          []dirChoice
	ContactMethods []dirChoice
	Token          string
	// Problem is a problem with the form as a whole, said the same way whatever the cause,
	// so that a script learns nothing from it.
	Problem string
	// NoScheme is set when no scheme takes self-referrals: in the place at all, or, when
	// Answered, for this person.
	NoScheme bool
	Answered bool
}

// ReferSentView is the view of the confirmation of a self-referral.
type ReferSentView struct {
	Layout
	Reference string
	Scheme    *linkwork.Service
	Wait      string
}

func (h *Handler) referView(r *http.Request, place *linkwork.Place, placeParam string, f *Form) (*ReferView, error) {
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), place.ID)
	if err != nil {
		return nil, err
	}
	f.Order = referFields
	v := &ReferView{Layout: Layout{Title: "Ask for support in " + place.Name}, Form: f, Place: place, Action: "/refer",
		Needs: termChoices(taxes, linkwork.TaxonomyNeed), ContactMethods: contactChoices(), Token: h.referGuard.token(place.ID)}
	if placeParam != "" {
		v.Action += "?place=" + placeParam
	}
	return v, nil
}

// takesSelfReferrals reports whether any running scheme of the place takes self-referrals,
// so that nobody fills in a form that cannot go anywhere.
func (h *Handler) takesSelfReferrals(r *http.Request, placeID int64) (bool, error) {
	list, _, err := h.svc.Directory.ListServices(r.Context(), linkwork.ServiceFilter{PlaceID: placeID, Kind: linkwork.KindScheme,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(list, func(s *linkwork.Service) bool {
		return s.Status == linkwork.StatusActive && s.Scheme != nil &&
			(len(s.Scheme.WhoCanRefer) == 0 || slices.Contains(s.Scheme.WhoCanRefer, linkwork.ReferrerSelf))
	}), nil
}

func (h *Handler) referPage(w http.ResponseWriter, r *http.Request) {
	if mustChangePassword(w, r) {
		return
	}
	place, placeParam, places, err := h.searchPlace(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if place == nil {
		h.render(w, r, http.StatusOK, "refer_form", &ReferView{Layout: Layout{Title: "Ask for support: choose your area"}, Places: places})
		return
	}
	q := r.URL.Query()
	if ref := q.Get("sent"); ref != "" {
		h.referSent(w, r, place, ref, q.Get("scheme"), q.Get("sig"))
		return
	}
	f := NewForm()
	v, err := h.referView(r, place, placeParam, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ok, err := h.takesSelfReferrals(r, place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.NoScheme = !ok
	h.render(w, r, http.StatusOK, "refer_form", v)
}

// referSent shows the confirmation of a self-referral, if the link is one linkwork made.
func (h *Handler) referSent(w http.ResponseWriter, r *http.Request, place *linkwork.Place, ref, scheme, sig string) {
	if !hmac.Equal([]byte(sig), []byte(h.referGuard.sign("sent", ref, scheme))) {
		h.notFound(w, r)
		return
	}
	id, _ := strconv.ParseInt(scheme, 10, 64)
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if s.PlaceID != place.ID {
		h.notFound(w, r)
		return
	}
	v := &ReferSentView{Layout: Layout{Title: "We have your request"}, Reference: ref, Scheme: s}
	if s.Scheme != nil && s.Scheme.WaitingWeeks > 0 {
		v.Wait = "about " + plural(s.Scheme.WaitingWeeks, "week", "weeks")
	}
	h.render(w, r, http.StatusOK, "refer_sent", v)
}

func (h *Handler) refer(w http.ResponseWriter, r *http.Request) {
	place, placeParam, _, err := h.searchPlace(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if place == nil {
		h.notFound(w, r)
		return
	}
	_ = r.ParseForm()
	f := NewForm()
	v, err := h.referView(r, place, placeParam, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ref := readReferForm(r, v)
	// Every form from an address counts against its limit, whatever is in it, so that a
	// script cannot learn which forms pass by sending many.
	if !h.referGuard.limiter.Allow(authz.ClientIP(r)) {
		v.Problem = "Sorry, a lot of forms have been sent from your network. Wait an hour and try again, or ask your GP practice to refer you."
		h.render(w, r, http.StatusTooManyRequests, "refer_form", v)
		return
	}
	if r.PostFormValue("website") != "" || !h.referGuard.fresh(r.PostFormValue("started"), place.ID) {
		v.Problem = "Sorry, we could not take your form. Check your answers and send it again."
		h.render(w, r, http.StatusBadRequest, "refer_form", v)
		return
	}
	checkReferForm(f, ref)
	if err := ref.Validate(timeNow()); err != nil && !addProblems(f, remapFields(err, selfFields), referFields, "given_name") {
		h.serverError(w, r, err)
		return
	}
	if f.HasErrors() {
		h.render(w, r, http.StatusUnprocessableEntity, "refer_form", v)
		return
	}
	opts, _, err := h.routeFor(r.Context(), ref, f, linkwork.ReferrerSelf)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if f.HasErrors() { // a postcode that has been ended
		h.render(w, r, http.StatusUnprocessableEntity, "refer_form", v)
		return
	}
	f.Values["scheme_id"] = autoRoute
	chooseScheme(f, ref, opts, place.Name)
	if f.Error("scheme_id") != "" {
		// Nothing can be done with it here: the person is told where else to go, and their
		// answers stay in the form in case a mistake (a postcode, a date) was the cause.
		delete(f.Errors, "scheme_id")
		f.Order = referFields
		v.NoScheme, v.Answered = true, true
		h.render(w, r, http.StatusOK, "refer_form", v)
		return
	}
	err = h.svc.Referrals.CreateReferral(r.Context(), linkwork.NewReferral{Referral: ref, ActorName: "self-referral"})
	if err != nil {
		if !addProblems(f, remapFields(remapFields(err, storeFields), selfFields), referFields, "given_name") {
			h.serverError(w, r, err)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "refer_form", v)
		return
	}
	http.Redirect(w, r, h.referGuard.sentLink(placeParam, ref.Reference, ref.SchemeID), http.StatusSeeOther)
}

// selfFields puts the problems with the referrer, who is the person, against the person's
// own fields.
var selfFields = map[string]string{"referrer_name": "given_name", "referrer_phone": "phone", "referrer_email": "email"}

// readReferForm reads the self-referral form into a referral from the person themselves.
func readReferForm(r *http.Request, v *ReferView) *linkwork.Referral {
	f := v.Form
	for _, k := range []string{"given_name", "family_name", "postcode", "phone", "email", "address_1", "address_2", "town",
		"reason", "language", "interpreter", "access_needs", "consent"} {
		f.Values[k] = r.PostFormValue(k)
	}
	p := linkwork.ReferralPerson{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
		DateOfBirth: readDate(r, f, "date_of_birth"), Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email"),
		Address1: f.Get("address_1"), Address2: f.Get("address_2"), Town: f.Get("town"), Language: f.Get("language"),
		Interpreter: f.Get("interpreter") == "yes", AccessNeeds: f.Get("access_needs")}
	prefs := r.PostForm["contact_preferences"]
	f.setAll("contact_preferences", prefs)
	for _, m := range prefs {
		p.ContactPreferences = append(p.ContactPreferences, linkwork.ContactMethod(m))
	}
	ref := &linkwork.Referral{PlaceID: v.Place.ID, Person: p, Reason: f.Get("reason"), Urgency: linkwork.UrgencyRoutine}
	ref.NeedIDs = readIDs(r, f, "need_ids", v.Needs, "Choose from the list what you would like help with.")
	name := strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	ref.Referrer = linkwork.ReferralSource{Type: linkwork.ReferrerSelf, Name: name, Phone: p.Phone, Email: p.Email}
	ref.Consent = linkwork.Consent{ToReferral: f.Get("consent") == "yes", Method: linkwork.ConsentOnlineForm, RecordedBy: name,
		RecordedAt: timeNow().UTC(), ShareWith: []int64{}}
	return ref
}

// checkReferForm says what is missing in words to the person themselves, before the
// domain's checks, whose messages speak of "the person".
func checkReferForm(f *Form, ref *linkwork.Referral) {
	p := ref.Person
	missing := []struct{ field, value, message string }{
		{"given_name", p.GivenName, "Enter your first name."},
		{"family_name", p.FamilyName, "Enter your last name."},
		{"postcode", p.Postcode, "Enter your postcode, so that we can find the scheme that covers where you live."},
		{"reason", ref.Reason, "Tell us a little about what would help you."},
	}
	for _, m := range missing {
		if strings.TrimSpace(m.value) == "" && f.Error(m.field) == "" {
			f.Fail(m.field, m.message)
		}
	}
	if p.DateOfBirth == "" && f.Error("date_of_birth") == "" {
		f.Fail("date_of_birth", "Enter your date of birth.")
	}
	if strings.TrimSpace(p.Phone) == "" && strings.TrimSpace(p.Email) == "" && (strings.TrimSpace(p.Address1) == "" || strings.TrimSpace(p.Town) == "") {
		f.Fail("phone", "Give a phone number or an email address, so that someone can contact you.")
	}
	if len(ref.NeedIDs) == 0 && f.Error("need_ids") == "" {
		f.Fail("need_ids", "Choose at least one thing you would like help with.")
	}
	if !ref.Consent.ToReferral {
		f.Fail("consent", "Tick the box to agree, so that we can pass your details to the scheme. We cannot send your request without it.")
	}
}
