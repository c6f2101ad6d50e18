// Package linkwork holds the domain of linkwork: the shared system a place uses to align its
// link workers, connectors and community groups. It has plain types, their validation, the
// service interfaces the stores implement and one error type. It imports no SQL and no HTTP.
package linkwork

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each interface (web, api, cli) maps them to its own status in one table.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOMANY      = "too_many_requests"
	EINTERNAL     = "internal"
)

// Error is a domain error: a code for machines, a plain-English message that is safe to show
// to the person who made the request, and the field it concerns where there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("linkwork: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("linkwork: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain. Any other error is an
// internal detail that is logged, never shown, so it gets a generic message.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. It has been logged; please try again."
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Problems holds every field error that one validation found, so that a form can show them
// all at once. errors.As finds the first as an *Error, so code that handles one error at a
// time (the API's JSON error) still works.
type Problems []*Error

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the problems as errors, for errors.As and errors.Is.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Add records err if it is not nil.
func (ps *Problems) Add(err error) {
	if err == nil {
		return
	}
	var e *Error
	if errors.As(err, &e) {
		*ps = append(*ps, FieldErrors(err)...)
		return
	}
	*ps = append(*ps, &Error{Code: EINTERNAL, Message: err.Error()})
}

// Err returns nil when there are no problems, the one *Error when there is one, and the
// Problems otherwise.
func (ps Problems) Err() error {
	switch len(ps) {
	case 0:
		return nil
	case 1:
		return ps[0]
	}
	return ps
}

// FieldErrors returns every *Error in err: all the problems of a Problems, or the one error.
func FieldErrors(err error) []*Error {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
}
