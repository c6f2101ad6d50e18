package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"reflect"
	"strings"
	"time"

	"linkwork"
)

//go:embed templates/*.html
var templateFiles embed.FS

// templates holds one parsed set per page, each with the shared layout.
type templates map[string]*template.Template

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(london).Format("2 January 2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(london).Format("2 Jan 2006, 15:04")
	},
	"timeptr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(london).Format("2 Jan 2006, 15:04")
	},
	"sectorLabel": func(s linkwork.Sector) string { return s.Label() },
	"roleLabel":   func(r linkwork.Role) string { return r.Label() },
	"add":         func(a, b int) int { return a + b },
	"field": func(f *Form, name, label, typ string) Field {
		return Field{Form: f, Name: name, Label: label, Type: typ}
	},
}

// Field is what the "input" template needs to draw one labelled input.
type Field struct {
	Form         *Form
	Name, Label  string
	Type         string
	Autocomplete string
	Hint         string
	Width        string
}

// Auto returns the field with an autocomplete token.
func (f Field) Auto(token string) Field { f.Autocomplete = token; return f }

// WithHint returns the field with hint text under its label.
func (f Field) WithHint(hint string) Field { f.Hint = hint; return f }

// Wide returns the field with a fixed width class (2, 3, 4, 5, 10, 20 or 30 characters).
func (f Field) Wide(w string) Field { f.Width = w; return f }

// london is the time zone pages show times in; the database keeps UTC.
var london = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

func parseTemplates() (templates, error) {
	pages, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	shared := []string{"templates/layout.html", "templates/form.html"}
	out := templates{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" || name == "form" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, append(shared, p)...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// Layout is what every page's view has: the title, who is signed in and the navigation.
type Layout struct {
	Title     string
	Principal *linkwork.Principal
	Nav       []NavItem
	Flash     string
	RequestID string
	// Invalid is set when the page shows a form with errors, so that the title starts
	// with "Error:" as the NHS.UK design system asks.
	Invalid bool
}

// NavItem is one link in the header's navigation.
type NavItem struct {
	Label   string
	Href    string
	Current bool
}

// page is implemented by every view; it returns the shared layout.
type page interface{ layout() *Layout }

func (l *Layout) layout() *Layout { return l }

// render writes a page. It renders to a buffer first, so that a template error becomes a
// clean error page instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, view page) {
	t, ok := h.tmpl[name]
	if !ok {
		h.serverError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	l := view.layout()
	l.Principal = linkwork.PrincipalFromContext(r.Context())
	l.Nav = navigation(l.Principal, r.URL.Path)
	l.RequestID = w.Header().Get("X-Request-ID")
	if fv := reflect.ValueOf(view).Elem().FieldByName("Form"); fv.IsValid() {
		if f, ok := fv.Interface().(*Form); ok && f != nil {
			l.Invalid = f.HasErrors()
		}
	}
	if l.Flash == "" {
		l.Flash = h.takeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", view); err != nil {
		h.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// navigation lists the sections the principal may open, marking the current one.
func navigation(p *linkwork.Principal, path string) []NavItem {
	find := NavItem{Label: "Find support", Href: "/directory"}
	if p == nil {
		find.Current = path == find.Href || strings.HasPrefix(path, find.Href+"/")
		return []NavItem{find}
	}
	items := []NavItem{{Label: "Home", Href: "/"}, find}
	if p.Can(linkwork.PermViewOrganisations) {
		items = append(items, NavItem{Label: "Organisations", Href: "/organisations"})
	}
	if p.Can(linkwork.PermManageDirectory) {
		items = append(items, NavItem{Label: "Directory", Href: "/services"})
	}
	if p.Can(linkwork.PermViewPractitioners) {
		items = append(items, NavItem{Label: "Directory of link workers", Href: "/practitioners"})
	}
	if p.Can(linkwork.PermViewReferrals) {
		items = append(items, NavItem{Label: "Referrals", Href: "/referrals"})
	}
	if p.Can(linkwork.PermViewCases) {
		items = append(items, NavItem{Label: "People", Href: "/people"})
	}
	if p.Can(linkwork.PermAnswerOnward) {
		items = append(items, NavItem{Label: "Referrals to your groups", Href: "/onward"})
	}
	if p.Can(linkwork.PermGroupPortal) {
		items = append(items, NavItem{Label: "Your groups", Href: "/groups"})
	}
	if p.Can(linkwork.PermViewBudgets) {
		items = append(items, NavItem{Label: "Budgets", Href: "/budgets"})
	}
	if p.Can(linkwork.PermViewMeasures) {
		items = append(items, NavItem{Label: "Measures", Href: "/measures"})
	}
	if p.Can(linkwork.PermForum) {
		items = append(items, NavItem{Label: "Forum", Href: "/forum"})
	}
	if p.Can(linkwork.PermViewLandscape) {
		items = append(items, NavItem{Label: "Landscape", Href: "/landscape"})
	}
	if p.Can(linkwork.PermViewUsers) {
		items = append(items, NavItem{Label: "Users", Href: "/users"})
	}
	if p.Can(linkwork.PermViewAudit) {
		items = append(items, NavItem{Label: "Audit trail", Href: "/audit"})
	}
	if p.Can(linkwork.PermManageCasework) {
		items = append(items, NavItem{Label: "Casework settings", Href: "/settings/casework"})
	}
	items = append(items, NavItem{Label: "Your account", Href: "/account"})
	for i := range items {
		href := items[i].Href
		items[i].Current = path == href || (href != "/" && strings.HasPrefix(path, href+"/"))
	}
	return items
}
