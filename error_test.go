package linkwork_test

import (
	"errors"
	"fmt"
	"testing"

	"linkwork"
)

func TestErrorHelpers(t *testing.T) {
	e := linkwork.FieldError("email", "Enter an email address.")
	wrapped := fmt.Errorf("create user: %w", e)
	if linkwork.ErrorCode(wrapped) != linkwork.EINVALID || linkwork.ErrorField(wrapped) != "email" ||
		linkwork.ErrorMessage(wrapped) != "Enter an email address." {
		t.Errorf("wrapped field error lost: %q %q %q", linkwork.ErrorCode(wrapped), linkwork.ErrorField(wrapped), linkwork.ErrorMessage(wrapped))
	}
	internal := errors.New("pq: connection reset by peer at 10.0.0.3")
	if linkwork.ErrorCode(internal) != linkwork.EINTERNAL {
		t.Error("a plain error is not internal")
	}
	if m := linkwork.ErrorMessage(internal); m == internal.Error() || m == "" {
		t.Errorf("an internal error's detail is shown: %q", m)
	}
	if linkwork.ErrorCode(nil) != "" || linkwork.ErrorMessage(nil) != "" {
		t.Error("nil has a code or message")
	}
}

func TestProblems(t *testing.T) {
	var ps linkwork.Problems
	if ps.Err() != nil {
		t.Fatal("no problems is not nil")
	}
	ps.Add(nil)
	ps.Add(linkwork.FieldError("name", "Enter a name."))
	if err := ps.Err(); linkwork.ErrorField(err) != "name" || len(linkwork.FieldErrors(err)) != 1 {
		t.Fatalf("one problem: %v", err)
	}
	var inner linkwork.Problems
	inner.Add(linkwork.FieldError("email", "Enter an email address."))
	inner.Add(linkwork.FieldError("role", "Choose a role."))
	ps.Add(inner.Err())
	err := ps.Err()
	got := linkwork.FieldErrors(err)
	if len(got) != 3 || got[0].Field != "name" || got[1].Field != "email" || got[2].Field != "role" {
		t.Fatalf("problems: %v", got)
	}
	if linkwork.ErrorCode(err) != linkwork.EINVALID || linkwork.ErrorField(err) != "name" {
		t.Errorf("the first problem does not speak for them: %q %q", linkwork.ErrorCode(err), linkwork.ErrorField(err))
	}
}

func TestValidateFindsEveryProblem(t *testing.T) {
	u := linkwork.NewUser{Email: "not-an-email", Name: "", Password: "short", Role: "wizard"}
	var fields []string
	for _, e := range linkwork.FieldErrors(u.Validate()) {
		fields = append(fields, e.Field)
	}
	if fmt.Sprint(fields) != "[name email organisation_id role password]" {
		t.Errorf("fields with problems: %v", fields)
	}
	o := linkwork.Organisation{PlaceID: 1, Name: " ", Sector: "banking"}
	if n := len(linkwork.FieldErrors(o.Validate())); n != 2 {
		t.Errorf("organisation problems: %d, want 2", n)
	}
}
