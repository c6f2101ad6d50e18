package linkwork

import (
	"strconv"
	"strings"
)

// Pence is an amount of money in whole pence. Every amount linkwork keeps is integer
// pence, so that sums are exact; pounds appear only when an amount is read or shown.
type Pence int64

// MaxAmount is the largest amount any one pot, entry or spend may hold: ten million
// pounds, far above any devolved budget and far below where sums could overflow.
const MaxAmount Pence = 1_000_000_000

// String writes the amount as pounds with a thousands separator: "£1,234.50", "-£3.00".
func (p Pence) String() string {
	sign := ""
	v := int64(p)
	if v < 0 {
		sign, v = "-", -v
	}
	pounds := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	for i, r := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	pence := strconv.FormatInt(v%100, 10)
	if len(pence) == 1 {
		pence = "0" + pence
	}
	return sign + "£" + b.String() + "." + pence
}

// Plain writes the amount as pounds for a form field or a spreadsheet: "1234.50".
func (p Pence) Plain() string {
	v := int64(p)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	pence := strconv.FormatInt(v%100, 10)
	if len(pence) == 1 {
		pence = "0" + pence
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + pence
}

// ParsePounds reads an amount of money as people write it in a form: "12", "12.5",
// "12.50", "£1,234.56". The field names the form field for the error. It refuses an empty
// amount, a negative or zero one, more than two decimal places (a fraction of a penny),
// anything that is not a number, and more than MaxAmount, saying which.
func ParsePounds(field, s string) (Pence, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "£")
	t = strings.TrimSpace(t)
	if t == "" {
		return 0, FieldError(field, "Enter an amount in pounds and pence, like 12.50.")
	}
	if strings.HasPrefix(t, "-") {
		return 0, FieldError(field, "The amount must be more than nothing: a negative amount is not allowed.")
	}
	whole, frac, dotted := strings.Cut(t, ".")
	// Thousands separators are allowed in the pounds only, in groups of three.
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, FieldError(field, "Write the amount as a number of pounds and pence, like 1,234.50.")
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || (dotted && !allDigits(frac)) || (dotted && frac == "") {
		return 0, FieldError(field, "Write the amount as a number of pounds and pence, like 12.50.")
	}
	if len(frac) > 2 {
		return 0, FieldError(field, "Amounts are in whole pence: use at most two figures after the point.")
	}
	if len(frac) == 1 {
		frac += "0"
	}
	if frac == "" {
		frac = "00"
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 8 {
		return 0, FieldError(field, "The amount must be at most %s.", MaxAmount)
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := Pence(w*100 + f)
	if v == 0 {
		return 0, FieldError(field, "The amount must be more than nothing.")
	}
	if v > MaxAmount {
		return 0, FieldError(field, "The amount must be at most %s.", MaxAmount)
	}
	return v, nil
}

// CheckAmount checks an amount given in pence (through the API): more than nothing and at
// most MaxAmount.
func CheckAmount(field string, v Pence) error {
	switch {
	case v <= 0:
		return FieldError(field, "The amount must be a positive whole number of pence (it is %d).", int64(v))
	case v > MaxAmount:
		return FieldError(field, "The amount must be at most %d pence (%s).", int64(MaxAmount), MaxAmount)
	}
	return nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// IdempotencyKeyField is the hidden form field, and IdempotencyKeyHeader the API header,
// that carry a money-moving request's idempotency key.
const (
	IdempotencyKeyField  = "idempotency_key"
	IdempotencyKeyHeader = "Idempotency-Key"
)

// CheckIdempotencyKey checks a key sent with a money-moving request: 16 to 100 letters,
// digits, hyphens or underscores. A form carries one made when the form was shown; an API
// client makes its own (a UUID will do).
func CheckIdempotencyKey(key string) error {
	if len(key) < 16 || len(key) > 100 {
		return FieldError(IdempotencyKeyField, "The idempotency key must be 16 to 100 characters (it has %d): send the %s header with a request that moves money, such as a UUID.", len(key), IdempotencyKeyHeader)
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return FieldError(IdempotencyKeyField, "The idempotency key may hold only letters, digits, hyphens and underscores.")
		}
	}
	return nil
}
