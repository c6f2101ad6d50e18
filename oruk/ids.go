package oruk

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// namespace is linkwork's namespace for name-based (version 5) UUIDs. HSDS gives every
// record a UUID, but linkwork keeps UUIDs only for services, locations, organisations and
// taxonomies; the rest (schedules, contacts, addresses…) get UUIDs derived from their
// parent's and their place in it, so that the same record has the same id in every answer
// and every export. Imports use the same to turn identifiers that are not UUIDs (ORUK v1
// used numbers) into UUIDs that are the same on every import of the same file.
var namespace = [16]byte{0x6c, 0x69, 0x6e, 0x6b, 0x77, 0x6f, 0x72, 0x6b, 0x8e, 0x2c, 0x4b, 0x51, 0x9a, 0x07, 0x3f, 0x1d}

// derivedID returns the version 5 UUID of the parts in linkwork's namespace.
func derivedID(parts ...string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(strings.Join(parts, "\x00")))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// isUUID reports whether s is a UUID in the 8-4-4-4-12 form, in either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// importedID returns the UUID to keep for an identifier from an imported file: the
// identifier itself when it is a UUID (in lower case), one derived from it otherwise, and
// "" when there is none.
func importedID(kind, id string) string {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return ""
	case isUUID(id):
		return strings.ToLower(id)
	}
	return derivedID("import", kind, id)
}
