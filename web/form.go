package web

import (
	"net/http"
	"sort"

	"linkwork"
)

// Form carries what a person typed and what was wrong with it, so that a form redisplays
// with their input and a message next to each field.
type Form struct {
	Values map[string]string
	Errors map[string]string
	// Order lists the fields with errors in the order the form shows them, for the summary.
	Order []string
}

// NewForm returns an empty form.
func NewForm() *Form { return &Form{Values: map[string]string{}, Errors: map[string]string{}} }

// formFrom reads the named fields of a submitted form.
func formFrom(r *http.Request, fields ...string) *Form {
	f := NewForm()
	for _, k := range fields {
		f.Values[k] = r.PostFormValue(k)
	}
	return f
}

// Get returns a field's value.
func (f *Form) Get(k string) string { return f.Values[k] }

// Error returns a field's error message.
func (f *Form) Error(k string) string { return f.Errors[k] }

// HasErrors reports whether any field has an error.
func (f *Form) HasErrors() bool { return len(f.Errors) > 0 }

// ErrorList returns the errors in the form's order, for the error summary.
func (f *Form) ErrorList() []FieldMessage {
	var out []FieldMessage
	seen := map[string]bool{}
	for _, k := range f.Order {
		if m, ok := f.Errors[k]; ok && !seen[k] {
			out = append(out, FieldMessage{Field: k, Message: m})
			seen[k] = true
		}
	}
	var rest []string
	for k := range f.Errors {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, FieldMessage{Field: k, Message: f.Errors[k]})
	}
	return out
}

// FieldMessage is one entry in an error summary.
type FieldMessage struct {
	Field   string
	Message string
}

// Fail records a message for a field.
func (f *Form) Fail(field, message string) {
	if _, ok := f.Errors[field]; !ok {
		f.Order = append(f.Order, field)
	}
	f.Errors[field] = message
}

// FailWith records every problem in a domain error against its field (or fallback when it
// has none) and reports whether err was one the person can fix. Other errors are for
// serverError.
func (f *Form) FailWith(err error, fallback string) bool {
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
		if field == "" {
			field = fallback
		}
		f.Fail(field, e.Message)
	}
	return true
}
