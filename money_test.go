package linkwork

import (
	"strings"
	"testing"
)

func TestPenceString(t *testing.T) {
	for _, c := range []struct {
		p           Pence
		text, plain string
	}{
		{0, "£0.00", "0.00"},
		{5, "£0.05", "0.05"},
		{50, "£0.50", "0.50"},
		{1250, "£12.50", "12.50"},
		{99999, "£999.99", "999.99"},
		{100000, "£1,000.00", "1000.00"},
		{123456, "£1,234.56", "1234.56"},
		{12345678, "£123,456.78", "123456.78"},
		{123456789, "£1,234,567.89", "1234567.89"},
		{MaxAmount, "£10,000,000.00", "10000000.00"},
		{-5, "-£0.05", "-0.05"},
		{-300, "-£3.00", "-3.00"},
		{-123456789, "-£1,234,567.89", "-1234567.89"},
	} {
		if got := c.p.String(); got != c.text {
			t.Errorf("Pence(%d).String() = %q, want %q", int64(c.p), got, c.text)
		}
		if got := c.p.Plain(); got != c.plain {
			t.Errorf("Pence(%d).Plain() = %q, want %q", int64(c.p), got, c.plain)
		}
	}
}

func TestParsePounds(t *testing.T) {
	for in, want := range map[string]Pence{
		"12":              1200,
		"12.5":            1250,
		"12.50":           1250,
		"£1,234.56":       123456,
		" 0.01 ":          1,
		"£ 7":             700,
		".5":              50,
		"0012.00":         1200,
		"1,000,000":       100000000,
		"10,000,000.00":   MaxAmount,
		" £10,000,000 ":   MaxAmount,
		"9999999.99":      999999999,
		"\t£3.07\n":       307,
		"1234567.8":       123456780,
		"000000000000001": 100,
	} {
		got, err := ParsePounds("amount", in)
		if err != nil || got != want {
			t.Errorf("ParsePounds(%q) = %d, %v; want %d", in, int64(got), err, int64(want))
		}
	}

	const (
		enter    = "Enter an amount in pounds and pence, like 12.50."
		negative = "The amount must be more than nothing: a negative amount is not allowed."
		pennies  = "Amounts are in whole pence: use at most two figures after the point."
		grouping = "Write the amount as a number of pounds and pence, like 1,234.50."
		number   = "Write the amount as a number of pounds and pence, like 12.50."
		nothing  = "The amount must be more than nothing."
		tooMuch  = "The amount must be at most £10,000,000.00."
	)
	for in, want := range map[string]string{
		"":             enter,
		"   ":          enter,
		"£":            enter,
		"-5":           negative,
		"£-5.00":       negative,
		"12.345":       pennies,
		"0.001":        pennies,
		"1,23.00":      grouping,
		"1,2345":       grouping,
		",123":         grouping,
		"1234,567":     grouping,
		"abc":          number,
		"12.":          number,
		".":            number,
		"1.2.3":        number,
		"12.5a":        number,
		"+5":           number,
		"1e3":          number,
		"12 50":        number,
		"12.-5":        number,
		"0":            nothing,
		"0.00":         nothing,
		"£0,000.0":     nothing,
		"100000000.01": tooMuch,
		"100000000":    tooMuch,
		"10000000.01":  tooMuch,
		"99999999.99":  tooMuch,
	} {
		got, err := ParsePounds("price", in)
		if err == nil {
			t.Errorf("ParsePounds(%q) = %d, want the error %q", in, int64(got), want)
			continue
		}
		if ErrorCode(err) != EINVALID || ErrorField(err) != "price" || ErrorMessage(err) != want {
			t.Errorf("ParsePounds(%q): %v; want %q about price", in, err, want)
		}
	}
}

func TestCheckAmount(t *testing.T) {
	for _, ok := range []Pence{1, 1250, MaxAmount} {
		if err := CheckAmount("amount", ok); err != nil {
			t.Errorf("CheckAmount(%d): %v", int64(ok), err)
		}
	}
	for v, want := range map[Pence]string{
		0:             "The amount must be a positive whole number of pence (it is 0).",
		-1:            "The amount must be a positive whole number of pence (it is -1).",
		MaxAmount + 1: "The amount must be at most 1000000000 pence (£10,000,000.00).",
	} {
		err := CheckAmount("amount_pence", v)
		if ErrorCode(err) != EINVALID || ErrorField(err) != "amount_pence" || ErrorMessage(err) != want {
			t.Errorf("CheckAmount(%d): %v; want %q", int64(v), err, want)
		}
	}
}

func TestCheckIdempotencyKey(t *testing.T) {
	for _, ok := range []string{
		"0123456789abcdef",
		"3f2b8c1e-7d4a-4b2e-9c1f-2a6d8e4b0c9a",
		"ABC_def-123_456-789",
		strings.Repeat("k", 100),
	} {
		if err := CheckIdempotencyKey(ok); err != nil {
			t.Errorf("CheckIdempotencyKey(%q): %v", ok, err)
		}
	}
	for key, want := range map[string]string{
		"":                       "(it has 0)",
		"0123456789abcde":        "(it has 15)",
		strings.Repeat("k", 101): "(it has 101)",
		"0123456789abcdef ":      "only letters, digits, hyphens and underscores",
		"0123456789abcdef/x":     "only letters, digits, hyphens and underscores",
		"0123456789abcdeé":       "only letters, digits, hyphens and underscores",
		"0123456789abcdef\x00":   "only letters, digits, hyphens and underscores",
	} {
		err := CheckIdempotencyKey(key)
		if ErrorCode(err) != EINVALID || ErrorField(err) != IdempotencyKeyField || !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("CheckIdempotencyKey(%q): %v; want a problem with idempotency_key saying %q", key, err, want)
		}
	}
	if msg := ErrorMessage(CheckIdempotencyKey("short")); !strings.Contains(msg, IdempotencyKeyHeader) {
		t.Errorf("the message %q does not name the %s header", msg, IdempotencyKeyHeader)
	}
}
