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
