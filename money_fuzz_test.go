package linkwork

import "testing"

// FuzzParsePounds feeds anything to ParsePounds, as a form field would. It must never panic;
// what it refuses is an error about the field it was given; what it accepts is more than
// nothing and at most MaxAmount, and written back with Plain (and with String, as a person
// would copy it from a page) reads as the same amount.
func FuzzParsePounds(f *testing.F) {
	for _, s := range []string{"12", "12.5", "£1,234.56", " 0.01 ", "", "-5", "12.345", "1,23.00", "abc", "0", "0.00",
		"100000000.01", "10,000,000.00", ".5", "£", "1,000,000", "٣", "１２", "9999999.99", "00000000000000000001.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParsePounds("amount", s)
		if err != nil {
			if v != 0 || ErrorCode(err) != EINVALID || ErrorField(err) != "amount" || ErrorMessage(err) == "" {
				t.Fatalf("ParsePounds(%q) = %d, %v: want nothing and a problem with amount", s, int64(v), err)
			}
			return
		}
		if v <= 0 || v > MaxAmount {
			t.Fatalf("ParsePounds(%q) = %d, outside (0, %d]", s, int64(v), int64(MaxAmount))
		}
		if err := CheckAmount("amount", v); err != nil {
			t.Fatalf("ParsePounds(%q) = %d, which CheckAmount refuses: %v", s, int64(v), err)
		}
		for _, written := range []string{v.Plain(), v.String()} {
			again, err := ParsePounds("amount", written)
			if err != nil || again != v {
				t.Fatalf("ParsePounds(%q) = %d, written %q, read back as %d, %v", s, int64(v), written, int64(again), err)
			}
		}
	})
}
