package geoimport_test

import (
	"errors"
	"io"
	"iter"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"linkwork"
	"linkwork/geoimport"
)

// drain reads every row, returning them and the error the rows end with.
func drain[T any](rows iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for r, err := range rows {
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// wantErrors fails the test unless the report's errors are exactly these "line N: column:
// reason" strings, where each want is a prefix of its error.
func wantErrors(t *testing.T, rep *geoimport.Report, want ...string) {
	t.Helper()
	if rep.Bad != len(want) || len(rep.Errors) != len(want) {
		t.Errorf("%d bad rows (%d kept), want %d:", rep.Bad, len(rep.Errors), len(want))
		for _, e := range rep.Errors {
			t.Log("  ", e)
		}
		return
	}
	for i, e := range rep.Errors {
		if !strings.HasPrefix(e.String(), want[i]) {
			t.Errorf("error %d: %q, want it to start %q", i, e, want[i])
		}
	}
}

// nsplHeader is the real NSPL header, so that columns are found among many.
const nsplHeader = "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa11,cty,ced,laua,ward,hlthau,nhser," +
	"ctry,rgn,pcon,eer,teclec,ttwa,pct,itl,park,lsoa11,msoa11,wz11,ccg,bua11,buasd11,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,stp\n"

// nsplRow makes a row of the real NSPL shape.
func nsplRow(pcds, doterm, laua, ward, lsoa, lat, long string) string {
	pcd := strings.ReplaceAll(pcds, " ", "")
	return `"` + pcd + `","` + pcd + `","` + pcds + `","199002","` + doterm + `","1","409503","0425335","1","E00055407",` +
		`"E11000006","E99999999","` + laua + `","` + ward + `","E18000003","E40000009","E92000001","E12000003","E14000723",` +
		`"E15000003","E24000045","E30000029","E16000040","E08000033","E99999999","` + lsoa + `","E02002251","E33009378",` +
		`"E38000025","E34004684","E35000317","A1","2C1",` + lat + `,` + long + `,"E37000062","","E23000010",1974,"E56000030","E54000054"` + "\n"
}

func TestReadPostcodes(t *testing.T) {
	file := nsplHeader +
		nsplRow("HX1 1AA", "", "E08000033", "E05001386", "E01010994", "53.724334", "-1.857458") + // line 2
		nsplRow("HX1 1AB", "201504", "E08000033", "E05001386", "E01010994", "53.725515", "-1.860394") +
		nsplRow("HX7 9AB", "", "", "", "", "99.999999", "0.000000") + // no grid reference: skipped
		nsplRow("HX1 1CA", "", "E08000033", "E05001386", "E01010994", "53.7", "-1.8") + // line 5: bad postcode
		nsplRow("", "", "E08000033", "E05001386", "E01010994", "53.7", "-1.8") +
		nsplRow("HX1 2AA", "", "E08000033", "E05001386", "E01010994", "", "-1.8") + // missing lat
		nsplRow("HX1 2AB", "", "E08000033", "E05001386", "E01010994", "53.7", "") + // missing long
		nsplRow("HX1 2AD", "", "E08000033", "E05001386", "E01010994", "north", "-1.8") +
		nsplRow("HX1 2AE", "", "E08000033", "E05001386", "E01010994", "-1.8", "53.7") + // line 10: swapped
		nsplRow("HX1 2AF", "2015-04", "E08000033", "E05001386", "E01010994", "53.7", "-1.8") +
		nsplRow("HX1 2AG", "", "E08000033", "E05001386", "E0101099", "53.7", "-1.8") + // short LSOA code
		"\"HX1 2AH\",\"short row\"\n" + // line 13
		nsplRow("HX1 2AJ", "", "E08000033", "E05001386", "E01010994", "53.7", "-1.8x") +
		"HX1 2\"AL,x\n" + // line 15: a quote inside an unquoted field
		nsplRow("hx1  2an", "", "e08000033", "E99999999", "E01010994", "53.7", "-1.8") // line 16: pseudo-code ward
	rep, rows, err := geoimport.ReadPostcodes(strings.NewReader(file), linkwork.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(rows)
	if err != nil {
		t.Fatal(err)
	}
	ended := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
	want := []linkwork.PostcodeInfo{
		{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033"},
		{Postcode: "HX1 1AB", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033", Terminated: &ended},
		{Postcode: "HX1 2AN", Lat: 53.7, Lng: -1.8, LSOA: "E01010994", LocalAuthority: "E08000033"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d postcodes, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := *got[i], want[i]
		if g.Terminated != nil && w.Terminated != nil && g.Terminated.Equal(*w.Terminated) {
			g.Terminated, w.Terminated = nil, nil
		}
		if g != w {
			t.Errorf("postcode %d: %+v, want %+v", i, g, w)
		}
	}
	if rep.Rows != 15 || rep.Skipped[geoimport.SkipNoGridReference] != 1 || rep.SkippedTotal() != 1 {
		t.Errorf("report: %d rows, skipped %v", rep.Rows, rep.Skipped)
	}
	wantErrors(t, rep,
		`line 5: pcds: "HX1 1CA" is not a UK postcode`,
		`line 6: pcds: The postcode is missing.`,
		`line 7: lat: The latitude of HX1 2AA is missing.`,
		`line 8: long: The longitude of HX1 2AB is missing.`,
		`line 9: lat: The latitude "north" is not a number.`,
		`line 10: lat: The latitude must be between 49 and 61 (the UK). The longitude must be between -9 and 2`,
		`line 11: doterm: The end date "2015-04" is not a year and month such as 201504.`,
		`line 12: lsoa11: The lsoa must be an ONS code`,
		`line 13: The row has 2 columns; the header has 41.`,
		`line 14: long: The longitude "-1.8x" is not a number.`,
		`line 15: The row is not valid CSV: bare " in non-quoted-field.`,
	)
}

// ONSPD names some columns differently; a lookup may have only lsoa21, and only pcd.
func TestReadPostcodesOtherColumns(t *testing.T) {
	file := "pcd,osward,oslaua,lsoa21,long,lat\n" +
		"HX1 1AA,E05001386,E08000033,E01010994,-1.857458,53.724334\n" +
		"\"HX1\n1AB\",E05001386,E08000033,E01010994,-1.86,53.72\n" + // a field over two lines
		"HX1 1CA,E05001386,E08000033,E01010994,-1.86,53.72\n" // line 5
	rep, rows, err := geoimport.ReadPostcodes(strings.NewReader(file), linkwork.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Ward != "E05001386" || got[0].LocalAuthority != "E08000033" || got[0].LSOA != "E01010994" ||
		got[0].Lat != 53.724334 || got[1].Postcode != "HX1 1AB" {
		t.Errorf("got %+v", got)
	}
	wantErrors(t, rep, `line 5: pcd: "HX1 1CA" is not a UK postcode`)
}

func TestReadPostcodesBadHeader(t *testing.T) {
	for file, want := range map[string]string{
		"":                          "the file is empty",
		"pcds,long\nHX1 1AA,-1.8\n": "the file has no lat (latitude) column: is it an ONS postcode lookup",
		"postcode,lat,long\n":       "the file has no pcds (postcode) column",
		"pcds,lat\n":                "no long (longitude) column",
		"\"pcds,lat\n":              "the header row cannot be read",
	} {
		_, _, err := geoimport.ReadPostcodes(strings.NewReader(file), linkwork.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("header %q: %v, want %q", file, err, want)
		}
	}
}

// With AllOrNothing the rows stop at the first bad one, every bad row is still reported,
// and the rows end with ErrBadRows so that the store rolls back.
func TestReadAllOrNothing(t *testing.T) {
	file := "pcds,lat,long\nHX1 1AA,53.7,-1.8\nHX1 1CA,53.7,-1.8\nHX1 1AB,53.7,-1.8\nHX1 1AD,,-1.8\nHX7 9AB,99.999999,0\n"
	rep, rows, err := geoimport.ReadPostcodes(strings.NewReader(file), linkwork.ImportOptions{AllOrNothing: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(rows)
	if !errors.Is(err, geoimport.ErrBadRows) || len(got) != 1 {
		t.Fatalf("got %d rows and %v, want 1 row then ErrBadRows", len(got), err)
	}
	wantErrors(t, rep, "line 3: pcds:", "line 5: lat:")
	if rep.Rows != 5 || rep.SkippedTotal() != 1 {
		t.Errorf("report %+v", rep)
	}

	// A good file ends with no error.
	_, rows, err = geoimport.ReadPostcodes(strings.NewReader("pcds,lat,long\nHX1 1AA,53.7,-1.8\n"), linkwork.ImportOptions{AllOrNothing: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := drain(rows); err != nil || len(got) != 1 {
		t.Fatalf("good file: %d rows, %v", len(got), err)
	}
}

// A file that cannot be read to its end ends the rows with the reason.
func TestReadFailure(t *testing.T) {
	broken := io.MultiReader(strings.NewReader("pcds,lat,long\nHX1 1AA,53.7,-1.8\n"), iotest.ErrReader(errors.New("disk on fire")))
	_, rows, err := geoimport.ReadPostcodes(broken, linkwork.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(rows)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || len(got) != 1 {
		t.Fatalf("got %d rows, %v", len(got), err)
	}
}

// The IMD header as MHCLG publishes it, with the byte order mark.
const imdHeader = "\ufeffLSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019)," +
	"Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n"

func TestReadLSOAs(t *testing.T) {
	file := imdHeader +
		"E01000001,City of London 001A,E09000001,City of London,\"29,199\",9\n" + // line 2
		"E01010994,Calderdale 008E,E08000033,Calderdale,1974,1\n" +
		"E01000003,City of London 001C,E09000001,City of London,\"14,486\",11\n" + // bad decile
		"E01000005,City of London 001E,E09000001,City of London,\"8,678\",\n" + // line 5: missing decile
		"E01000006,Barking 016A,E09000002,Barking and Dagenham,\"14,525\",five\n" +
		"E01000007,Barking 015A,E09000002,Barking and Dagenham,\"2,9199\",9\n" + // misplaced comma
		"E01000008,Barking 015B,E09000002,Barking and Dagenham,0,1\n" +
		"E01000009,Barking 016B,E09000002,Barking and Dagenham,,1\n" +
		"E010,Barking 016C,E09000002,Barking and Dagenham,\"1,000\",1\n" + // line 10: bad code
		"E01000011,,E09000002,Barking and Dagenham,\"1,000\",1\n" +
		"E01000012,Barking 016D,E09000002,Barking and Dagenham,\"1,000,000\",1\n" // line 12: a big rank is fine
	rep, rows, err := geoimport.ReadLSOAs(strings.NewReader(file), linkwork.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []linkwork.LSOA{
		{Code: "E01000001", Name: "City of London 001A", LocalAuthorityCode: "E09000001", LocalAuthorityName: "City of London", IMDRank: 29199, IMDDecile: 9},
		{Code: "E01010994", Name: "Calderdale 008E", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 1974, IMDDecile: 1},
		{Code: "E01000012", Name: "Barking 016D", LocalAuthorityCode: "E09000002", LocalAuthorityName: "Barking and Dagenham", IMDRank: 1000000, IMDDecile: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d LSOAs, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if *got[i] != want[i] {
			t.Errorf("LSOA %d: %+v, want %+v", i, *got[i], want[i])
		}
	}
	wantErrors(t, rep,
		`line 4: Index of Multiple Deprivation (IMD) Decile: The IMD decile "11" is not a whole number from 1 to 10.`,
		`line 5: Index of Multiple Deprivation (IMD) Decile: The IMD decile is missing.`,
		`line 6: Index of Multiple Deprivation (IMD) Decile: The IMD decile "five" is not a whole number from 1 to 10.`,
		`line 7: Index of Multiple Deprivation (IMD) Rank: The IMD rank "2,9199" is not a whole number from 1`,
		`line 8: Index of Multiple Deprivation (IMD) Rank: The IMD rank "0" is not a whole number from 1`,
		`line 9: Index of Multiple Deprivation (IMD) Rank: The IMD rank is missing.`,
		`line 10: LSOA code (2011): The code must be an ONS code`,
		`line 11: LSOA name (2011): Enter a name.`,
	)
	if rep.Rows != 11 || rep.SkippedTotal() != 0 || rep.What != "LSOAs" {
		t.Errorf("report %+v", rep)
	}
}

func TestReadLSOAsBadHeader(t *testing.T) {
	for file, want := range map[string]string{
		"pcds,lat,long\n": "the file has no LSOA code column: is it the English Indices of Deprivation File 1",
		"LSOA code (2011),LSOA name (2011),Index of Multiple Deprivation (IMD) Rank\n": "no Index of Multiple Deprivation (IMD) Decile column",
		"LSOA code,Index of Multiple Deprivation (IMD) Rank\n":                         "no LSOA name column",
	} {
		_, _, err := geoimport.ReadLSOAs(strings.NewReader(file), linkwork.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("header %q: %v, want %q", file, err, want)
		}
	}
}

func TestReportSummary(t *testing.T) {
	rep := &geoimport.Report{What: "postcodes", Rows: 7442, ImportCounts: linkwork.ImportCounts{Added: 7430, Updated: 4, Unchanged: 1},
		Skipped: map[string]int{geoimport.SkipNoGridReference: 7}, Bad: 0}
	want := "Read 7442 rows of postcodes: 7430 added, 4 updated, 1 unchanged.\n" +
		"Skipped 7 rows on purpose (no grid reference (lat 99.999999): 7).\n"
	if got := rep.Summary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	rep = &geoimport.Report{What: "LSOAs", Rows: 3, Bad: 1, RolledBack: true}
	want = "Read 3 rows of LSOAs: nothing was imported (rolled back).\n1 row was bad.\n"
	if got := rep.Summary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}
