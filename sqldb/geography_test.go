package sqldb_test

import (
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// rowsOf yields the rows, then err if it is not nil, as a parser does.
func rowsOf[T any](err error, rows ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

func month(y int, m time.Month) *time.Time {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return &t
}

// Real rows of the HX file and of IMD 2019, trimmed to what linkwork keeps.
func halifaxLSOAs() []*linkwork.LSOA {
	return []*linkwork.LSOA{
		{Code: "E01010994", Name: "Calderdale 008E", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 1974, IMDDecile: 1},
		{Code: "E01011103", Name: "Calderdale 020C", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 24071, IMDDecile: 8},
	}
}

func halifaxPostcodes() []*linkwork.PostcodeInfo {
	return []*linkwork.PostcodeInfo{
		{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033"},
		{Postcode: "hx1 1ab", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033",
			Terminated: month(2015, time.April)},
		{Postcode: "HX3 9AA", Lat: 53.7, Lng: -1.82, LSOA: "E01011103", Ward: "E05001387", LocalAuthority: "E08000033"},
		// An LSOA that the IMD does not rank: its IMD is unknown, not an error.
		{Postcode: "HX7 5AA", Lat: 53.74, Lng: -2.01, LSOA: "W01000001", Ward: "", LocalAuthority: ""},
	}
}

func TestGeographyImportAndFind(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		geo := sqldb.NewGeographyService(db)
		got, err := geo.ImportLSOAs(ctx, rowsOf(nil, halifaxLSOAs()...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Added: 2}) {
			t.Errorf("LSOA import: %+v, want 2 added", got)
		}
		got, err = geo.ImportPostcodes(ctx, rowsOf(nil, halifaxPostcodes()...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Added: 4}) {
			t.Errorf("postcode import: %+v, want 4 added", got)
		}
		if n, err := geo.CountPostcodes(ctx); err != nil || n != 4 {
			t.Errorf("CountPostcodes: %d %v", n, err)
		}
		if n, err := geo.CountLSOAs(ctx); err != nil || n != 2 {
			t.Errorf("CountLSOAs: %d %v", n, err)
		}

		// Any case and spacing finds the postcode, with the IMD of its LSOA.
		p, err := geo.FindPostcode(ctx, " hx11aa ", linkwork.RefuseTerminated)
		must(t, err)
		want := linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994",
			Ward: "E05001386", LocalAuthority: "E08000033", IMDRank: 1974, IMDDecile: 1}
		if *p != want {
			t.Errorf("HX1 1AA: %+v, want %+v", *p, want)
		}
		p, err = geo.FindPostcode(ctx, "HX7 5AA", linkwork.RefuseTerminated)
		must(t, err)
		if p.IMDRank != 0 || p.IMDDecile != 0 || p.LSOA != "W01000001" || p.Ward != "" {
			t.Errorf("HX7 5AA, in an LSOA without IMD: %+v", p)
		}

		// An ended postcode is refused with its month, unless the caller allows it.
		_, err = geo.FindPostcode(ctx, "HX11AB", linkwork.RefuseTerminated)
		wantCode(t, err, linkwork.EINVALID, "postcode")
		if msg := linkwork.ErrorMessage(err); msg != "The postcode HX1 1AB was ended in April 2015; use the current postcode for the address." {
			t.Errorf("terminated message: %q", msg)
		}
		p, err = geo.FindPostcode(ctx, "HX1 1AB", linkwork.AllowTerminated)
		must(t, err)
		if p.Terminated == nil || !p.Terminated.Equal(*month(2015, time.April)) || p.IMDDecile != 1 {
			t.Errorf("HX1 1AB allowing terminated: %+v", p)
		}

		// Unknown and malformed postcodes.
		_, err = geo.FindPostcode(ctx, "hx9 9zz", linkwork.AllowTerminated)
		wantCode(t, err, linkwork.ENOTFOUND, "postcode")
		if msg := linkwork.ErrorMessage(err); msg != "We do not know the postcode HX9 9ZZ. Check it, or use a nearby one." {
			t.Errorf("unknown message: %q", msg)
		}
		for _, bad := range []string{"", "HX1", "not a postcode", "HX1 1CA"} {
			_, err = geo.FindPostcode(ctx, bad, linkwork.AllowTerminated)
			wantCode(t, err, linkwork.EINVALID, "postcode")
		}

		l, err := geo.FindLSOA(ctx, "e01011103")
		must(t, err)
		if *l != *halifaxLSOAs()[1] {
			t.Errorf("FindLSOA: %+v", l)
		}
		_, err = geo.FindLSOA(ctx, "E01999999")
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// Each committed import is in the audit trail, with no place: it serves them all.
		e := oneAudit(t, db, linkwork.AuditPostcodesImport, "")
		if e.Detail != "added 4, updated 0, unchanged 0" || e.PlaceID != 0 || e.RecordType != "postcodes" {
			t.Errorf("audit event: %+v", e)
		}
		oneAudit(t, db, linkwork.AuditLSOAsImport, "")
	})
}

func TestGeographyReimportUpdates(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		geo := sqldb.NewGeographyService(db)
		_, err := geo.ImportLSOAs(ctx, rowsOf(nil, halifaxLSOAs()...), linkwork.ImportOptions{})
		must(t, err)
		_, err = geo.ImportPostcodes(ctx, rowsOf(nil, halifaxPostcodes()...), linkwork.ImportOptions{})
		must(t, err)

		// The same file again changes nothing, ended month included.
		got, err := geo.ImportPostcodes(ctx, rowsOf(nil, halifaxPostcodes()...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Unchanged: 4}) {
			t.Errorf("same postcodes again: %+v, want 4 unchanged", got)
		}
		got, err = geo.ImportLSOAs(ctx, rowsOf(nil, halifaxLSOAs()...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Unchanged: 2}) {
			t.Errorf("same LSOAs again: %+v, want 2 unchanged", got)
		}

		// A newer file moves one postcode, ends another, brings one back and adds one.
		ps := halifaxPostcodes()
		ps[0].Lat = 53.7244
		ps[0].Terminated = month(2021, time.November)
		ps[1].Terminated = nil
		ps = append(ps, &linkwork.PostcodeInfo{Postcode: "HX1 2AA", Lat: 53.72, Lng: -1.86, LSOA: "E01010994"})
		got, err = geo.ImportPostcodes(ctx, rowsOf(nil, ps...), linkwork.ImportOptions{AllOrNothing: true})
		must(t, err)
		if got != (linkwork.ImportCounts{Added: 1, Updated: 2, Unchanged: 2}) {
			t.Errorf("newer postcodes: %+v, want 1 added, 2 updated, 2 unchanged", got)
		}
		if n := countRows(t, db, "postcodes", ""); n != 5 {
			t.Errorf("%d postcodes after re-importing, want 5", n)
		}
		p, err := geo.FindPostcode(ctx, "HX1 1AA", linkwork.AllowTerminated)
		must(t, err)
		if p.Lat != 53.7244 || p.Terminated == nil || !p.Terminated.Equal(*month(2021, time.November)) {
			t.Errorf("HX1 1AA after the update: %+v", p)
		}
		if _, err := geo.FindPostcode(ctx, "HX1 1AB", linkwork.RefuseTerminated); err != nil {
			t.Errorf("HX1 1AB is in use again: %v", err)
		}

		// A new IMD reaches every postcode in the LSOA through the join.
		ls := halifaxLSOAs()
		ls[0].IMDRank, ls[0].IMDDecile = 3500, 2
		got, err = geo.ImportLSOAs(ctx, rowsOf(nil, ls...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Updated: 1, Unchanged: 1}) {
			t.Errorf("newer IMD: %+v", got)
		}
		for _, pc := range []string{"HX1 1AB", "HX1 2AA"} {
			p, err := geo.FindPostcode(ctx, pc, linkwork.AllowTerminated)
			must(t, err)
			if p.IMDRank != 3500 || p.IMDDecile != 2 {
				t.Errorf("%s after the new IMD: %+v", pc, p)
			}
		}

		// A postcode twice in one file: the later row wins, as an update.
		twice := []*linkwork.PostcodeInfo{
			{Postcode: "HX2 0AA", Lat: 53.73, Lng: -1.9},
			{Postcode: "HX2 0AA", Lat: 53.74, Lng: -1.9},
		}
		got, err = geo.ImportPostcodes(ctx, rowsOf(nil, twice...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Added: 1, Updated: 1}) {
			t.Errorf("a postcode twice: %+v", got)
		}
		p, err = geo.FindPostcode(ctx, "HX2 0AA", linkwork.RefuseTerminated)
		must(t, err)
		if p.Lat != 53.74 {
			t.Errorf("a postcode twice: the later row should win, got %+v", p)
		}
	})
}

// syntheticPostcodes returns n distinct, valid postcodes in Halifax.
func syntheticPostcodes(n int) []*linkwork.PostcodeInfo {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	out := make([]*linkwork.PostcodeInfo, 0, n)
	for i := 0; len(out) < n; i++ {
		pc := fmt.Sprintf("HX%d %d%c%c", 1+i/4000, i/400%10, letters[i/20%20], letters[i%20])
		out = append(out, &linkwork.PostcodeInfo{Postcode: pc, Lat: 53.7 + float64(i%1000)/10000, Lng: -1.9})
	}
	return out
}

func TestGeographyImportFailures(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		geo := sqldb.NewGeographyService(db)
		stop := errors.New("the file is cut short")
		rows := syntheticPostcodes(sqldb.CommitEvery + 700)

		// All or nothing: an error after many rows keeps none of them.
		got, err := geo.ImportPostcodes(ctx, rowsOf(stop, rows...), linkwork.ImportOptions{AllOrNothing: true})
		if !errors.Is(err, stop) || got != (linkwork.ImportCounts{}) {
			t.Fatalf("all or nothing, cut short: %+v, %v", got, err)
		}
		if n := countRows(t, db, "postcodes", ""); n != 0 {
			t.Fatalf("all or nothing kept %d postcodes", n)
		}
		if es := auditWith(t, db, linkwork.AuditPostcodesImport, ""); len(es) != 0 {
			t.Fatalf("a rolled-back import left %d audit events", len(es))
		}

		// Otherwise, what was committed before the error stays, and is what is counted.
		got, err = geo.ImportPostcodes(ctx, rowsOf(stop, rows...), linkwork.ImportOptions{})
		if !errors.Is(err, stop) || got != (linkwork.ImportCounts{Added: sqldb.CommitEvery}) {
			t.Fatalf("keep going, cut short: %+v, %v", got, err)
		}
		if n := countRows(t, db, "postcodes", ""); n != sqldb.CommitEvery {
			t.Fatalf("keep going kept %d postcodes, want the %d committed", n, sqldb.CommitEvery)
		}

		// The whole file in parts: every row counted once.
		got, err = geo.ImportPostcodes(ctx, rowsOf(nil, rows...), linkwork.ImportOptions{})
		must(t, err)
		if got != (linkwork.ImportCounts{Added: 700, Unchanged: sqldb.CommitEvery}) {
			t.Fatalf("whole file: %+v", got)
		}
		if es := auditWith(t, db, linkwork.AuditPostcodesImport, ""); len(es) != 3 {
			t.Errorf("%d audit events, want one for each committed part (3)", len(es))
		}

		// A row that does not validate stops the import, naming it.
		bad := []*linkwork.PostcodeInfo{{Postcode: "HX9 9AA", Lat: 53.7, Lng: -1.9}, {Postcode: "HX9 9AB", Lat: 0, Lng: 0}}
		_, err = geo.ImportPostcodes(ctx, rowsOf(nil, bad...), linkwork.ImportOptions{AllOrNothing: true})
		wantCode(t, err, linkwork.EINVALID, "lat")
		if _, err := geo.FindPostcode(ctx, "HX9 9AA", linkwork.RefuseTerminated); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Errorf("HX9 9AA after a failed all-or-nothing import: %v", err)
		}
		_, err = geo.ImportLSOAs(ctx, rowsOf(nil, &linkwork.LSOA{Code: "E01", Name: "x"}), linkwork.ImportOptions{})
		wantCode(t, err, linkwork.EINVALID, "code")
		_, err = geo.ImportLSOAs(ctx, rowsOf(nil, &linkwork.LSOA{Code: "E01000001", Name: "x", IMDRank: 5, IMDDecile: 11}), linkwork.ImportOptions{})
		wantCode(t, err, linkwork.EINVALID, "imd_decile")

		// An empty import does nothing and records nothing.
		got, err = geo.ImportLSOAs(ctx, rowsOf[*linkwork.LSOA](nil), linkwork.ImportOptions{})
		if err != nil || got != (linkwork.ImportCounts{}) {
			t.Errorf("empty import: %+v %v", got, err)
		}
	})
}
