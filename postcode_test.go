package linkwork_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"linkwork"
)

func TestNormalisePostcode(t *testing.T) {
	good := map[string]string{
		"HX1 1AA":      "HX1 1AA",
		"hx11aa":       "HX1 1AA",
		" HX1  1AA ":   "HX1 1AA",
		"hx1\t1aa\n":   "HX1 1AA",
		"HX1\u00a01AA": "HX1 1AA", // a no-break space, as text copied from a web page has
		"m1 1ae":       "M1 1AE",  // A9
		"B33 8TH":      "B33 8TH", // A99
		"W1A 0AX":      "W1A 0AX", // A9A
		"CR2 6XH":      "CR2 6XH", // AA9
		"DN55 1PT":     "DN55 1PT",
		"EC1A 1BB":     "EC1A 1BB", // AA9A
		"sw1a2aa":      "SW1A 2AA",
		"gir 0aa":      "GIR 0AA",
	}
	for in, want := range good {
		got, err := linkwork.NormalisePostcode(in)
		if err != nil || got != want {
			t.Errorf("NormalisePostcode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "   ", "HX1", "1AA", "HX11A", "HX1 1AAA", "HX1-1AA", "HX1 1A1", "HXX 1AA", "HX123 1AA",
		"QX1 1AA",  // Q is never first
		"HJ1 1AA",  // J is never second
		"HX1 1CA",  // C is never in the inward code
		"HX1 1AV",  // nor V
		"W1L 0AX",  // L never follows one letter and a number
		"EC1C 1BB", // C never follows two letters and a number
		"HX1 1Aſ",  // ſ upper-cases to S; it is still not a postcode
		"ＨＸ1 1AA",  // full-width letters
		"HX1 1AA;", "HX1 1AA\x00",
	}
	for _, in := range bad {
		got, err := linkwork.NormalisePostcode(in)
		if err == nil {
			t.Errorf("NormalisePostcode(%q) = %q, want an error", in, got)
			continue
		}
		if linkwork.ErrorCode(err) != linkwork.EINVALID || linkwork.ErrorField(err) != "postcode" ||
			!strings.Contains(linkwork.ErrorMessage(err), "HX1 1AA") {
			t.Errorf("NormalisePostcode(%q): %v; want an invalid postcode error that shows what one looks like", in, err)
		}
	}
}

// FuzzNormalisePostcode checks that NormalisePostcode never panics, that what it accepts is
// canonical (capitals and digits, one space before the three-character inward code) and that
// normalising it again changes nothing.
func FuzzNormalisePostcode(f *testing.F) {
	for _, s := range []string{"HX1 1AA", "hx11aa", " HX1  1AA ", "EC1A 1BB", "GIR 0AA", "W1A 0AX", "HX1 1CA",
		"", "ſ", "HX1\u00a01AA", "12345", "AAAAAAA", "A1 1AA A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := linkwork.NormalisePostcode(s)
		if err != nil {
			if linkwork.ErrorCode(err) != linkwork.EINVALID || linkwork.ErrorField(err) != "postcode" {
				t.Fatalf("NormalisePostcode(%q): error %v is not about the postcode field", s, err)
			}
			return
		}
		out, in, ok := strings.Cut(got, " ")
		if !ok || len(in) != 3 || len(out) < 2 || len(out) > 4 || strings.Count(got, " ") != 1 {
			t.Fatalf("NormalisePostcode(%q) = %q, not OUTWARD INWARD", s, got)
		}
		for _, r := range out + in {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				t.Fatalf("NormalisePostcode(%q) = %q, with %q in it", s, got, r)
			}
		}
		again, err := linkwork.NormalisePostcode(got)
		if err != nil || again != got {
			t.Fatalf("NormalisePostcode(%q) = %q, but normalising that gives %q, %v", s, got, again, err)
		}
		if squash := strings.Join(strings.Fields(strings.ToUpper(s)), ""); squash != out+in {
			t.Fatalf("NormalisePostcode(%q) = %q: not the input's own characters", s, got)
		}
	})
}

func TestPostcodeInfoValidate(t *testing.T) {
	ended := time.Date(2015, time.April, 17, 12, 0, 0, 0, time.UTC)
	p := linkwork.PostcodeInfo{Postcode: "hx1 1ab", Lat: 53.7, Lng: -1.86, LSOA: " e01010994 ", Terminated: &ended}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Postcode != "HX1 1AB" || p.LSOA != "E01010994" || !p.Terminated.Equal(time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("not normalised: %+v", p)
	}
	cases := []struct {
		p      linkwork.PostcodeInfo
		fields []string
	}{
		{linkwork.PostcodeInfo{Postcode: "nope", Lat: 53.7, Lng: -1.8}, []string{"postcode"}},
		{linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 0, Lng: 0}, []string{"lat"}},               // Greenwich's longitude is fine
		{linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: -1.86, Lng: 53.7}, []string{"lat", "lng"}}, // swapped
		{linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: math.NaN(), Lng: math.Inf(1)}, []string{"lat", "lng"}},
		{linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.7, Lng: -1.8, LSOA: "E0101", Ward: "x", LocalAuthority: "E080000331"},
			[]string{"lsoa", "ward", "local_authority"}},
	}
	for _, c := range cases {
		err := c.p.Validate()
		var got []string
		for _, e := range linkwork.FieldErrors(err) {
			got = append(got, e.Field)
		}
		if strings.Join(got, ",") != strings.Join(c.fields, ",") {
			t.Errorf("Validate(%+v): fields %v, want %v (%v)", c.p, got, c.fields, err)
		}
	}
}

func TestLSOAValidate(t *testing.T) {
	l := linkwork.LSOA{Code: "e01010994", Name: " Calderdale 008E ", LocalAuthorityCode: "E08000033",
		LocalAuthorityName: "Calderdale", IMDRank: 1974, IMDDecile: 1}
	if err := l.Validate(); err != nil || l.Code != "E01010994" || l.Name != "Calderdale 008E" {
		t.Fatalf("%+v %v", l, err)
	}
	for _, c := range []struct {
		l     linkwork.LSOA
		field string
	}{
		{linkwork.LSOA{Name: "x"}, "code"},
		{linkwork.LSOA{Code: "E01010994"}, "name"},
		{linkwork.LSOA{Code: "E01010994", Name: "x\ny"}, "name"},
		{linkwork.LSOA{Code: "E01010994", Name: "x", IMDRank: 5, IMDDecile: 11}, "imd_decile"},
		{linkwork.LSOA{Code: "E01010994", Name: "x", IMDRank: -5, IMDDecile: 1}, "imd_rank"},
		{linkwork.LSOA{Code: "E01010994", Name: "x", IMDRank: 5}, "imd_decile"},
		{linkwork.LSOA{Code: "E01010994", Name: "x", LocalAuthorityCode: "Calderdale"}, "local_authority_code"},
	} {
		if err := c.l.Validate(); linkwork.ErrorField(err) != c.field {
			t.Errorf("Validate(%+v): %v, want an error about %s", c.l, err, c.field)
		}
	}
	// An LSOA that the IMD does not rank is fine.
	if err := (&linkwork.LSOA{Code: "W01000001", Name: "Cardiff 001A"}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestDistanceKm(t *testing.T) {
	cases := []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		want, tolerance        float64
	}{
		{"same point", 53.724334, -1.857458, 53.724334, -1.857458, 0, 1e-9},
		// Halifax (HX1 1AA) to Huddersfield town centre, about 10 km as the crow flies.
		{"Halifax to Huddersfield", 53.724334, -1.857458, 53.6458, -1.7850, 9.95, 0.05},
		// London to Paris (Big Ben to the Eiffel Tower), a figure checked against many tools.
		{"London to Paris", 51.5007, -0.1246, 48.8584, 2.2945, 340.6, 1.5},
		{"a degree of latitude", 53, -1.86, 54, -1.86, 111.19, 0.05},
		{"antipodes", 0, 0, 0, 180, math.Pi * 6371.0088, 1e-6},
	}
	for _, c := range cases {
		got := linkwork.DistanceKm(c.lat1, c.lng1, c.lat2, c.lng2)
		if math.Abs(got-c.want) > c.tolerance {
			t.Errorf("%s: %.3f km, want %.3f ± %.3f", c.name, got, c.want, c.tolerance)
		}
		if back := linkwork.DistanceKm(c.lat2, c.lng2, c.lat1, c.lng1); math.Abs(back-got) > 1e-9 {
			t.Errorf("%s: %.6f km there but %.6f km back", c.name, got, back)
		}
	}
}

func TestPostcodeErrors(t *testing.T) {
	p := &linkwork.PostcodeInfo{Postcode: "HX1 1AB", Terminated: func() *time.Time {
		t := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
		return &t
	}()}
	e := linkwork.TerminatedError(p)
	if e.Code != linkwork.EINVALID || e.Field != "postcode" ||
		e.Message != "The postcode HX1 1AB was ended in April 2015; use the current postcode for the address." {
		t.Errorf("TerminatedError: %+v", e)
	}
	e = linkwork.UnknownPostcodeError("HX9 9ZZ")
	if e.Code != linkwork.ENOTFOUND || e.Field != "postcode" ||
		e.Message != "We do not know the postcode HX9 9ZZ. Check it, or use a nearby one." {
		t.Errorf("UnknownPostcodeError: %+v", e)
	}
}
