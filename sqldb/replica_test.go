package sqldb_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestReadReplica runs with a primary and a hot standby streaming from it, which
// scripts/replica.sh sets up (the recipe in docs/operations.md) and names in
// LINKWORK_TEST_REPLICA_PRIMARY and LINKWORK_TEST_REPLICA_STANDBY. It checks that
// reporting reads go to the standby and see what was written on the primary once replayed,
// that nothing can be written through them, and that everything else stays on the primary.
func TestReadReplica(t *testing.T) {
	primaryURL, standbyURL := os.Getenv("LINKWORK_TEST_REPLICA_PRIMARY"), os.Getenv("LINKWORK_TEST_REPLICA_STANDBY")
	if primaryURL == "" || standbyURL == "" {
		t.Skip("run by scripts/replica.sh, which sets up a primary and a standby")
	}
	ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
	// A fresh schema on the primary, named in both URLs' search_path.
	admin, err := sql.Open("pgx", primaryURL)
	must(t, err)
	defer admin.Close()
	schema := "lwreplica_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	must(t, err)
	defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	withSchema := func(u string) string { return u + "&search_path=" + schema }

	db, err := sqldb.Open(ctx, withSchema(primaryURL))
	must(t, err)
	defer db.Close()
	_, err = db.Migrate(ctx)
	must(t, err)

	// The standby catches up with the schema, then is taken as the replica.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = db.UseReadReplica(ctx, withSchema(standbyURL))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby never caught up: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if in, err := db.ReportingInRecovery(ctx); err != nil || !in {
		t.Fatalf("reporting reads are not on the standby: in recovery %v, %v", in, err)
	}
	if err := db.ReportingExec(ctx, "CREATE TABLE written_on_replica (x int)"); err == nil {
		t.Fatal("a write went through the reporting connection")
	}

	// Writes go to the primary; the landscape (a reporting read) sees them once replayed.
	place := &linkwork.Place{Name: "Calderdale"}
	must(t, db.Services().Places.CreatePlace(ctx, place))
	org := &linkwork.Organisation{PlaceID: place.ID, Name: "Calder Connect", Sector: linkwork.SectorVCSE}
	must(t, db.Services().Organisations.CreateOrganisation(ctx, org))
	for {
		in, err := db.Services().Landscape.LandscapeInput(ctx, place.ID)
		if err == nil && len(in.Organisations) == 1 && in.Organisations[0].Name == "Calder Connect" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the landscape never saw the organisation through the standby: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Everything else reads the primary at once.
	got, err := db.Services().Organisations.FindOrganisationByID(ctx, org.ID)
	if err != nil || got.Name != "Calder Connect" {
		t.Fatalf("read from the primary: %v %v", got, err)
	}
	must(t, db.PingReplica(ctx))

	// A replica of another database, or none at all, is refused.
	other, err := sql.Open("pgx", primaryURL)
	must(t, err)
	defer other.Close()
	if err := db.UseReadReplica(ctx, primaryURL+"&search_path=no_such_schema"); err == nil || !strings.Contains(err.Error(), "no linkwork schema") {
		t.Errorf("a replica without the schema: %v", err)
	}
	if err := db.UseReadReplica(ctx, "sqlite:x.db"); err == nil {
		t.Error("a SQLite replica was taken")
	}
	lite := sqldbtest.Open(t, "sqlite")
	if err := lite.UseReadReplica(ctx, standbyURL); err == nil || !strings.Contains(err.Error(), "needs linkwork on PostgreSQL") {
		t.Errorf("a replica for SQLite: %v", err)
	}
}
