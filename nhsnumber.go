package linkwork

import "strings"

// NormaliseNHSNumber checks an NHS number with its modulus 11 check digit and returns it as
// ten digits. Spaces and dashes are allowed between the digits ("943 476 5919").
func NormaliseNHSNumber(s string) (string, error) {
	var digits []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-':
		default:
			return "", FieldError("nhs_number", "An NHS number is 10 digits, such as 943 476 5919.")
		}
	}
	if len(digits) != 10 {
		return "", FieldError("nhs_number", "An NHS number is 10 digits, such as 943 476 5919; this has %d.", len(digits))
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(digits[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	if check == 10 || check != int(digits[9]-'0') {
		return "", FieldError("nhs_number", "This is not a valid NHS number: check each digit against the person's records.")
	}
	return string(digits), nil
}

// FormatNHSNumber shows ten digits in the NHS's 3-3-4 groups.
func FormatNHSNumber(n string) string {
	if len(n) != 10 {
		return n
	}
	return strings.Join([]string{n[:3], n[3:6], n[6:]}, " ")
}
