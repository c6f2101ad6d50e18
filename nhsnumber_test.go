package linkwork

import "testing"

func TestNHSNumber(t *testing.T) {
	for in, want := range map[string]string{
		"9434765919":   "9434765919",
		"943 476 5919": "9434765919",
		"943-476-5919": "9434765919",
		"4010232137":   "4010232137",
	} {
		got, err := NormaliseNHSNumber(in)
		if err != nil || got != want {
			t.Errorf("NormaliseNHSNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "943476591", "94347659190", "9434765918", "943476591X", "1000000010", "abc"} {
		if _, err := NormaliseNHSNumber(in); ErrorField(err) != "nhs_number" {
			t.Errorf("NormaliseNHSNumber(%q): %v, want an error about nhs_number", in, err)
		}
	}
	if got := FormatNHSNumber("9434765919"); got != "943 476 5919" {
		t.Errorf("FormatNHSNumber = %q", got)
	}
}

func FuzzNHSNumber(f *testing.F) {
	for _, s := range []string{"9434765919", "943 476 5919", "", "1000000010", "٩٤٣٤٧٦٥٩١٩"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormaliseNHSNumber(s)
		if err != nil {
			return
		}
		if len(n) != 10 {
			t.Fatalf("%q normalised to %q", s, n)
		}
		again, err := NormaliseNHSNumber(FormatNHSNumber(n))
		if err != nil || again != n {
			t.Fatalf("%q: formatted %q does not read back: %v", s, FormatNHSNumber(n), err)
		}
	})
}
