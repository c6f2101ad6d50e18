package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The form for a person's details: opening a case directly, and changing the details of an
// open one.

// personFields are the person form's fields in the order it shows them, named as the
// domain names them so that its problems land next to the right field.
var personFields = []string{"given_name", "family_name", "preferred_name", "date_of_birth", "nhs_number", "address_1", "address_2",
	"town", "postcode", "phone", "email", "contact_preferences", "language", "interpreter", "access_needs", "gp_practice",
	"sex", "gender_same_as_sex", "gender", "ethnicity", "disability", "carer", "first_language", "organisation_id",
	"worker_user_id", "opened_on"}

// PersonFormView is the view of the person form.
type PersonFormView struct {
	Layout
	Form *Form
	// Person is the record being changed; nil when opening a new one.
	Person         *linkwork.Person
	Action         string
	ContactMethods []dirChoice
	Sexes          []dirChoice
	Answers        []dirChoice
	Ethnicities    []dirChoice
	// Organisations are those the principal opens cases in: a choice when there are
	// several. Workers are the link workers who may hold the case.
	Organisations []dirChoice
	Workers       []dirChoice
	// workerOrgs says which organisations each worker may hold cases in.
	workerOrgs map[string][]int64
	// Conflict says why the record was not saved when it clashes with another, or someone
	// else changed it meanwhile; ExistingID is the other record, if the principal may see it.
	Conflict   string
	ExistingID int64
}

// personFormView fills the choices of the person form; person is nil for a new record.
func (h *Handler) personFormView(r *http.Request, person *linkwork.Person, f *Form) (*PersonFormView, error) {
	p := principal(r)
	f.Order = personFields
	v := &PersonFormView{Layout: Layout{Title: "Open a case record"}, Form: f, Person: person, Action: "/people",
		ContactMethods: contactChoices(), workerOrgs: map[string][]int64{}}
	var orgs []int64
	if person == nil {
		v.Organisations = manageOrganisations(p)
		for _, o := range v.Organisations {
			id, _ := strconv.ParseInt(o.Value, 10, 64)
			orgs = append(orgs, id)
		}
	} else {
		v.Title, v.Action = "Change "+person.Name()+"’s details", personPath(person.ID)+"/edit"
		orgs = []int64{person.OrganisationID}
	}
	workers, err := h.caseWorkers(r, orgs)
	if err != nil {
		return nil, err
	}
	for _, cw := range workers {
		label := cw.Name
		if len(orgs) > 1 {
			label += " (" + cw.OrgName + ")"
		}
		if cw.ID == p.User.ID {
			label += " (you)"
		}
		id := strconv.FormatInt(cw.ID, 10)
		v.Workers = append(v.Workers, dirChoice{Value: id, Label: label})
		v.workerOrgs[id] = cw.OrgIDs
	}
	for _, s := range linkwork.Sexes {
		v.Sexes = append(v.Sexes, dirChoice{Value: string(s), Label: s.Label()})
	}
	for _, a := range linkwork.Answers {
		v.Answers = append(v.Answers, dirChoice{Value: string(a), Label: a.Label()})
	}
	for _, e := range linkwork.EthnicCategories {
		v.Ethnicities = append(v.Ethnicities, dirChoice{Value: string(e), Label: e.Label()})
	}
	return v, nil
}

// readPersonForm reads the person form into person and the form as typed, recording what
// only the handler can see to be wrong.
func readPersonForm(r *http.Request, v *PersonFormView, person *linkwork.Person) {
	f := v.Form
	for _, k := range []string{"given_name", "family_name", "preferred_name", "nhs_number", "address_1", "address_2", "town",
		"postcode", "phone", "email", "language", "interpreter", "access_needs", "gp_practice", "sex", "gender_same_as_sex",
		"gender", "ethnicity", "disability", "carer", "first_language", "organisation_id", "worker_user_id", "opened_on", "version"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	person.GivenName, person.FamilyName, person.PreferredName = f.Get("given_name"), f.Get("family_name"), f.Get("preferred_name")
	person.DateOfBirth = readDate(r, f, "date_of_birth")
	person.NHSNumber, person.Address1, person.Address2, person.Town = f.Get("nhs_number"), f.Get("address_1"), f.Get("address_2"), f.Get("town")
	person.Postcode, person.Phone, person.Email = f.Get("postcode"), f.Get("phone"), f.Get("email")
	person.Language, person.Interpreter, person.AccessNeeds = f.Get("language"), f.Get("interpreter") == "yes", f.Get("access_needs")
	person.GPPractice = f.Get("gp_practice")
	prefs := r.PostForm["contact_preferences"]
	f.setAll("contact_preferences", prefs)
	person.ContactPreferences = []linkwork.ContactMethod{}
	for _, m := range prefs {
		person.ContactPreferences = append(person.ContactPreferences, linkwork.ContactMethod(m))
	}
	person.Demographics = linkwork.Demographics{Sex: linkwork.Sex(f.Get("sex")), GenderSameAsSex: linkwork.Answer(f.Get("gender_same_as_sex")),
		Gender: f.Get("gender"), Ethnicity: linkwork.EthnicCategory(f.Get("ethnicity")), Disability: linkwork.Answer(f.Get("disability")),
		Carer: linkwork.Answer(f.Get("carer")), FirstLanguage: f.Get("first_language")}
	if v.Person == nil {
		org := f.Get("organisation_id")
		if slices.ContainsFunc(v.Organisations, func(c dirChoice) bool { return c.Value == org }) {
			person.OrganisationID, _ = strconv.ParseInt(org, 10, 64)
		} else {
			f.Fail("organisation_id", "Choose the organisation that will hold the record.")
		}
		person.OpenedOn = f.Get("opened_on")
	}
	person.WorkerUserID = 0
	if wk := f.Get("worker_user_id"); wk != "" {
		orgs, ok := v.workerOrgs[wk]
		switch {
		case !ok:
			f.Fail("worker_user_id", "Choose a link worker from the list, or nobody yet.")
		case person.OrganisationID != 0 && !slices.Contains(orgs, person.OrganisationID):
			f.Fail("worker_user_id", "Choose a link worker who works for the organisation holding the record.")
		default:
			person.WorkerUserID, _ = strconv.ParseInt(wk, 10, 64)
		}
	}
	for _, m := range []struct{ field, value, message string }{
		{"given_name", person.GivenName, "Enter the person's first name."},
		{"family_name", person.FamilyName, "Enter the person's last name."},
		{"postcode", person.Postcode, "Enter the person's postcode."},
	} {
		if m.value == "" && f.Error(m.field) == "" {
			f.Fail(m.field, m.message)
		}
	}
}

// personFormValues fills the form with a person's details, for changing them.
func personFormValues(p *linkwork.Person) *Form {
	f := NewForm()
	for k, val := range map[string]string{"given_name": p.GivenName, "family_name": p.FamilyName, "preferred_name": p.PreferredName,
		"nhs_number": linkwork.FormatNHSNumber(p.NHSNumber), "address_1": p.Address1, "address_2": p.Address2, "town": p.Town,
		"postcode": p.Postcode, "phone": p.Phone, "email": p.Email, "language": p.Language, "access_needs": p.AccessNeeds,
		"gp_practice": p.GPPractice, "sex": string(p.Demographics.Sex), "gender_same_as_sex": string(p.Demographics.GenderSameAsSex),
		"gender": p.Demographics.Gender, "ethnicity": string(p.Demographics.Ethnicity), "disability": string(p.Demographics.Disability),
		"carer": string(p.Demographics.Carer), "first_language": p.Demographics.FirstLanguage, "version": strconv.Itoa(p.Version)} {
		f.Values[k] = val
	}
	if p.Interpreter {
		f.Values["interpreter"] = "yes"
	}
	if p.WorkerUserID != 0 {
		f.Values["worker_user_id"] = strconv.FormatInt(p.WorkerUserID, 10)
	}
	if d, err := time.Parse(time.DateOnly, p.DateOfBirth); err == nil {
		f.Values["date_of_birth-day"], f.Values["date_of_birth-month"], f.Values["date_of_birth-year"] =
			strconv.Itoa(d.Day()), strconv.Itoa(int(d.Month())), strconv.Itoa(d.Year())
	}
	prefs := make([]string, len(p.ContactPreferences))
	for i, m := range p.ContactPreferences {
		prefs[i] = string(m)
	}
	f.setAll("contact_preferences", prefs)
	return f
}

func (h *Handler) editPerson(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v, err := h.personFormView(r, person, personFormValues(person))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "edit"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "person_form", v)
}

func (h *Handler) updatePerson(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	_ = r.ParseForm()
	f := NewForm()
	v, err := h.personFormView(r, person, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	changed := *person
	readPersonForm(r, v, &changed)
	changed.Version, _ = strconv.Atoi(f.Get("version"))
	if invalid := changed.Validate(timeNow()); invalid != nil && !addProblems(f, invalid, personFields, "given_name") {
		h.serverError(w, r, invalid)
		return
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		if changed.Version != person.Version {
			err = linkwork.Errorf(linkwork.ECONFLICT, "stale")
		} else {
			err = h.svc.Cases.UpdatePerson(r.Context(), &changed)
		}
		switch linkwork.ErrorCode(err) {
		case "":
			h.redirect(w, r, personPath(person.ID), "person-saved")
			return
		case linkwork.ECONFLICT:
			fresh, ferr := h.svc.Cases.FindPersonByID(r.Context(), person.ID)
			if ferr != nil {
				h.serverError(w, r, ferr)
				return
			}
			v.Conflict = "Someone else changed " + fresh.Name() + "’s record at " + fresh.UpdatedAt.In(london).Format("15:04 on 2 January 2006") +
				", while you were editing. Your changes have not been saved. They are still in the form below: check the record " +
				"as it is now on the person’s page, then save again to replace it with yours."
			f.Values["version"] = strconv.Itoa(fresh.Version)
			status = http.StatusConflict
		default:
			if !addProblems(f, err, personFields, "given_name") {
				h.failed(w, r, err)
				return
			}
		}
	}
	h.render(w, r, status, "person_form", v)
}
