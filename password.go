package linkwork

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules follow NCSC guidance: long rather than complex, and not a well-known one.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

var commonPasswords = map[string]bool{
	"password1234": true, "passwordpassword": true, "123456789012": true, "qwertyuiopas": true,
	"letmeinplease": true, "changemechangeme": true, "administrator": true, "welcome12345": true,
	"iloveyou1234": true, "linkworklinkwork": true, "password123!": true, "qwerty123456": true,
}

// ValidatePassword checks a new password against the rules.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return FieldError("password", "The password must be at least %d characters. Three random words make a good one.", MinPasswordLength)
	case n > MaxPasswordLength:
		return FieldError("password", "The password must be %d characters or fewer.", MaxPasswordLength)
	case commonPasswords[strings.ToLower(pw)]:
		return FieldError("password", "That password is too common. Choose another: three random words make a good one.")
	}
	return nil
}

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns an argon2id hash of pw in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC-format argon2id hash. It reads the
// parameters from the hash, so hashes made with older parameters still verify.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	if mem == 0 || mem > 256*1024 || iter == 0 || iter > 10 || threads == 0 || threads > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// DummyPasswordHash is checked against when an account does not exist, so that a sign-in for
// an unknown email takes as long as one for a known email.
var DummyPasswordHash = func() string {
	h, err := HashPassword("linkwork-no-such-account")
	if err != nil {
		panic(err)
	}
	return h
}()
