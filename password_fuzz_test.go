package linkwork_test

import (
	"strings"
	"testing"

	"linkwork"
)

// FuzzCheckPassword feeds CheckPassword stored hashes it did not make: it must never panic
// and never accept a password for a hash that is not a real argon2id hash of it.
func FuzzCheckPassword(f *testing.F) {
	real, err := linkwork.HashPassword("correct horse battery")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real, "correct horse battery")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "x")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "")
	f.Add("$2a$10$abcdefghijklmnopqrstuv", "password")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		// Hashes asking for more work than linkwork's own would make each run slow; the
		// parameter parsing is still fuzzed through every other input.
		if strings.Contains(hash, "argon2id") && !strings.Contains(hash, "$m=19456,t=2,p=1$") {
			return
		}
		ok := linkwork.CheckPassword(hash, pw)
		if ok && hash != real {
			// A hash that verifies must have the PHC argon2id form.
			if !strings.HasPrefix(hash, "$argon2id$v=19$") {
				t.Fatalf("accepted %q for a hash that is not argon2id: %q", pw, hash)
			}
		}
		if ok && hash == real && pw != "correct horse battery" {
			t.Fatalf("accepted the wrong password %q", pw)
		}
	})
}

// FuzzNewUserValidate checks that validation never panics and that what it accepts is
// normalised: a trimmed, lower-case email and a trimmed, single-line name.
func FuzzNewUserValidate(f *testing.F) {
	f.Add("Ada@Example.org", " Ada Admin ", "correct horse battery", "admin")
	f.Add("a@b", "x", "short", "wizard")
	f.Add("\"a b\"@example.org", "x\ny", "correct horse battery", "link_worker")
	f.Fuzz(func(t *testing.T, email, name, pw, role string) {
		u := linkwork.NewUser{Email: email, Name: name, Password: pw, OrganisationID: 1, Role: linkwork.Role(role)}
		if err := u.Validate(); err != nil {
			if linkwork.ErrorCode(err) != linkwork.EINVALID || linkwork.ErrorField(err) == "" {
				t.Fatalf("validation error without a field: %v", err)
			}
			return
		}
		if u.Email != strings.ToLower(strings.TrimSpace(u.Email)) || strings.ContainsAny(u.Name, "\r\n") ||
			u.Name != strings.TrimSpace(u.Name) || !u.Role.Valid() {
			t.Fatalf("accepted unnormalised user %+v", u)
		}
	})
}
