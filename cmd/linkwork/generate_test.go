package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
)

func TestGenerate(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "gen.db")
	out, err := run(t, "", "generate", "--db", db, "--services", "300", "--locations", "700", "--seed", "7")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "300 services and 700 locations") {
		t.Fatalf("output: %q", out)
	}
	d, err := sqldb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	places, err := d.Services().Places.ListPlaces(context.Background())
	if err != nil || len(places) != 1 {
		t.Fatalf("places: %v %v", places, err)
	}
	_, n, err := d.Services().Directory.ListServices(context.Background(), linkwork.ServiceFilter{PlaceID: places[0].ID})
	if err != nil || n != 300 {
		t.Fatalf("services: %d %v", n, err)
	}
	for _, args := range [][]string{{"generate", "--db", db, "--scale", "huge"}, {"generate", "--db", db}} {
		if _, err := run(t, "", args...); err == nil || !strings.Contains(err.Error(), "--scale") {
			t.Errorf("linkwork %s: %v", strings.Join(args, " "), err)
		}
	}
}

// TestGeneratePeople makes a small place with people and casework, and checks what it says
// and what is stored.
func TestGeneratePeople(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "gen.db")
	out, err := run(t, "", "generate", "--db", db, "--services", "300", "--locations", "700", "--seed", "7", "--people", "400",
		"--contacts", "3000", "--today", "2025-06-30")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Made 2 link workers, 600 referrals and 400 people with 3000 contacts, 800 questionnaires",
		`Link worker caseload@generated.invalid (password "generated-link-worker") has 200 active people`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	d, err := sqldb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	places, err := d.Services().Places.ListPlaces(context.Background())
	if err != nil || len(places) != 1 {
		t.Fatalf("places: %v %v", places, err)
	}
	n, err := d.CountCasework(context.Background(), places[0].ID)
	if err != nil || n.People != 400 || n.Referrals != 600 || n.Contacts != 3000 || n.Responses != 800 || n.Users != 2 {
		t.Fatalf("counts %+v, %v", n, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--today", "31/03/2025"}, "--today must be a date"},
		{[]string{"--people", "100", "--contacts", "5"}, "need at least"},
	} {
		bad := "sqlite:" + filepath.Join(t.TempDir(), "bad.db")
		args := append([]string{"generate", "--db", bad, "--services", "300"}, c.args...)
		if _, err := run(t, "", args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("linkwork %s: %v, want %q", strings.Join(args, " "), err, c.want)
		}
		// Refused before anything was made.
		if d, err := sqldb.Open(context.Background(), bad); err == nil {
			places, err := d.Services().Places.ListPlaces(context.Background())
			if err == nil && len(places) != 0 {
				t.Errorf("linkwork %s left %d places", strings.Join(args, " "), len(places))
			}
			d.Close()
		}
	}
}
