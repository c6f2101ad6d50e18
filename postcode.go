package linkwork

import (
	"context"
	"iter"
	"math"
	"strings"
	"time"
	"unicode"
)

// PostcodeInfo is what linkwork knows about one UK postcode, from the ONS postcode lookup:
// where it is, the small areas it falls in and, through its LSOA, how deprived that area is.
type PostcodeInfo struct {
	// Postcode is in the canonical form "HX1 1AA".
	Postcode string  `json:"postcode"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	// LSOA, Ward and LocalAuthority are ONS (GSS) codes such as E01010994, or "" when the
	// lookup does not give one.
	LSOA           string `json:"lsoa,omitempty"`
	Ward           string `json:"ward,omitempty"`
	LocalAuthority string `json:"local_authority,omitempty"`
	// Terminated is the first day of the month in which the postcode was ended (ONS records
	// only the month), or nil for a postcode in use.
	Terminated *time.Time `json:"terminated,omitempty"`
	// IMDRank and IMDDecile are the English Index of Multiple Deprivation of the postcode's
	// LSOA (rank 1 and decile 1 are the most deprived), or 0 when it is not known: outside
	// England, or before the IMD has been imported. They are read, never imported, with a
	// postcode: they come from the LSOA, so that a new IMD reaches every postcode at once.
	IMDRank   int `json:"imd_rank,omitempty"`
	IMDDecile int `json:"imd_decile,omitempty"`
}

// LSOA is a Lower Layer Super Output Area, the small area (about 1,500 people) that the
// English Indices of Deprivation rank, with its local authority and its deprivation.
type LSOA struct {
	Code               string `json:"code"`
	Name               string `json:"name"`
	LocalAuthorityCode string `json:"local_authority_code,omitempty"`
	LocalAuthorityName string `json:"local_authority_name,omitempty"`
	// IMDRank is 1 for the most deprived LSOA in England; IMDDecile is 1 for the most
	// deprived tenth. Both are 0 when not known.
	IMDRank   int `json:"imd_rank,omitempty"`
	IMDDecile int `json:"imd_decile,omitempty"`
}

// ImportOptions says how an import treats rows it cannot use.
type ImportOptions struct {
	// AllOrNothing keeps the whole import in one transaction that is rolled back if any
	// row is bad. Without it, good rows are kept and committed as the import goes, so that
	// a large file does not hold the database's write lock for its whole length.
	AllOrNothing bool
}

// ImportCounts says what an import did with the rows it stored.
type ImportCounts struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add adds o's counts to c's.
func (c *ImportCounts) Add(o ImportCounts) {
	c.Added += o.Added
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
}

// TerminatedPostcodes says whether FindPostcode returns a postcode that has been ended.
// Most callers want the refusal: an address with an ended postcode needs correcting.
type TerminatedPostcodes bool

// The choices FindPostcode offers for ended postcodes.
const (
	RefuseTerminated TerminatedPostcodes = false
	AllowTerminated  TerminatedPostcodes = true
)

// GeographyService keeps postcodes and LSOAs with their deprivation.
type GeographyService interface {
	// ImportPostcodes adds or updates (by postcode) every row that rows yields, validating
	// each. An error from rows stops the import: with AllOrNothing nothing is kept;
	// without it, what was committed before stays. The counts are of what was kept.
	ImportPostcodes(ctx context.Context, rows iter.Seq2[*PostcodeInfo, error], opts ImportOptions) (ImportCounts, error)
	// ImportLSOAs adds or updates (by code) every row that rows yields, as ImportPostcodes.
	ImportLSOAs(ctx context.Context, rows iter.Seq2[*LSOA, error], opts ImportOptions) (ImportCounts, error)
	// FindPostcode returns a postcode written in any case and spacing, with the IMD of its
	// LSOA. A postcode that is not a postcode is EINVALID, one linkwork does not know is
	// ENOTFOUND, and one that has been ended is EINVALID unless terminated allows it; each
	// error is about the field "postcode" and says what to do.
	FindPostcode(ctx context.Context, postcode string, terminated TerminatedPostcodes) (*PostcodeInfo, error)
	// FindLSOA returns an LSOA by its code, or ENOTFOUND.
	FindLSOA(ctx context.Context, code string) (*LSOA, error)
	// CountPostcodes and CountLSOAs say how many are stored, so that the demonstration can
	// load the shipped files only into an empty database.
	CountPostcodes(ctx context.Context) (int, error)
	CountLSOAs(ctx context.Context) (int, error)
}

// Audit actions of the geography imports. The place is empty: the data serves every place.
const (
	AuditPostcodesImport = "postcodes.import"
	AuditLSOAsImport     = "lsoas.import"
)

// postcodeShape is the message for anything that is not a postcode. It says what one looks
// like, since the person may not know which part is wrong.
const postcodeShape = "Enter a UK postcode such as HX1 1AA: one or two letters and a number " +
	"(sometimes followed by a letter or another number), then a number and two letters."

// NormalisePostcode returns a UK postcode in its canonical form, "HX1 1AA": capitals, the
// outward code, one space, the inward code. It accepts any case and any spacing
// ("hx11aa", " HX1  1AA "). Anything that is not shaped like a UK postcode, by the letters
// Royal Mail allows in each position, is an EINVALID error about the field "postcode".
func NormalisePostcode(s string) (string, error) {
	b := make([]byte, 0, 7)
	for _, r := range s {
		switch {
		case unicode.IsSpace(r): // spaces, tabs and the no-break spaces of copied text
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		default:
			// Anything else is refused rather than guessed at, including letters outside
			// ASCII that upper-case into ASCII ones (ſ into S).
			return "", FieldError("postcode", postcodeShape)
		}
		if len(b) == 7 {
			return "", FieldError("postcode", postcodeShape)
		}
		b = append(b, byte(r))
	}
	if len(b) == 0 {
		return "", FieldError("postcode", "Enter a postcode, such as HX1 1AA.")
	}
	if string(b) == "GIR0AA" { // Girobank's, the one postcode outside the pattern
		return "GIR 0AA", nil
	}
	if len(b) < 5 || !validInward(b[len(b)-3:]) || !validOutward(b[:len(b)-3]) {
		return "", FieldError("postcode", postcodeShape)
	}
	out := string(b[:len(b)-3])
	return out + " " + string(b[len(b)-3:]), nil
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// validInward checks a number and two letters, none of C, I, K, M, O or V, which Royal Mail
// leaves out of inward codes because they look like other characters when handwritten.
func validInward(b []byte) bool {
	return isDigit(b[0]) && isLetter(b[1]) && isLetter(b[2]) &&
		!strings.ContainsRune("CIKMOV", rune(b[1])) && !strings.ContainsRune("CIKMOV", rune(b[2]))
}

// validOutward checks A9, A99, A9A, AA9, AA99 or AA9A with the letters allowed in each
// position: never Q, V or X first; never I, J or Z second; a final letter after one letter
// and a number from ABCDEFGHJKPSTUW, after two letters and a number from ABEHMNPRVWXY.
func validOutward(b []byte) bool {
	if len(b) < 2 || len(b) > 4 || !isLetter(b[0]) || strings.ContainsRune("QVX", rune(b[0])) {
		return false
	}
	rest := b[1:]
	twoLetters := isLetter(rest[0])
	if twoLetters {
		if strings.ContainsRune("IJZ", rune(rest[0])) {
			return false
		}
		rest = rest[1:]
	}
	if len(rest) == 0 || !isDigit(rest[0]) {
		return false
	}
	switch rest = rest[1:]; {
	case len(rest) == 0:
		return true
	case len(rest) > 1:
		return false
	case isDigit(rest[0]):
		return true
	case twoLetters:
		return strings.ContainsRune("ABEHMNPRVWXY", rune(rest[0]))
	}
	return strings.ContainsRune("ABCDEFGHJKPSTUW", rune(rest[0]))
}

// The box that every UK postcode (with the Channel Islands and the Isle of Man) falls in,
// with a margin: from the Scilly Isles and Jersey to Shetland, and from St Kilda to Lowestoft.
// A coordinate outside it is a mistake in the file, such as latitude and longitude swapped.
const (
	minLat, maxLat = 49.0, 61.0
	minLng, maxLng = -9.0, 2.0
)

// Validate normalises the postcode and checks the coordinates and codes. The IMD is not
// checked: it is never stored with a postcode.
func (p *PostcodeInfo) Validate() error {
	var ps Problems
	pc, err := NormalisePostcode(p.Postcode)
	ps.Add(err)
	p.Postcode = pc
	if math.IsNaN(p.Lat) || p.Lat < minLat || p.Lat > maxLat {
		ps.Add(FieldError("lat", "The latitude must be between %g and %g (the UK).", minLat, maxLat))
	}
	if math.IsNaN(p.Lng) || p.Lng < minLng || p.Lng > maxLng {
		ps.Add(FieldError("lng", "The longitude must be between %g and %g (the UK).", minLng, maxLng))
	}
	ps.Add(validateGSSCode("lsoa", &p.LSOA, false))
	ps.Add(validateGSSCode("ward", &p.Ward, false))
	ps.Add(validateGSSCode("local_authority", &p.LocalAuthority, false))
	if p.Terminated != nil {
		t := time.Date(p.Terminated.Year(), p.Terminated.Month(), 1, 0, 0, 0, 0, time.UTC)
		p.Terminated = &t
	}
	return ps.Err()
}

// Validate trims the LSOA's fields and checks them.
func (l *LSOA) Validate() error {
	var ps Problems
	ps.Add(validateGSSCode("code", &l.Code, true))
	l.Name = strings.TrimSpace(l.Name)
	ps.Add(validateName("name", l.Name, 200))
	ps.Add(validateGSSCode("local_authority_code", &l.LocalAuthorityCode, false))
	l.LocalAuthorityName = strings.TrimSpace(l.LocalAuthorityName)
	if l.LocalAuthorityName != "" {
		ps.Add(validateName("local_authority_name", l.LocalAuthorityName, 200))
	}
	if l.IMDRank < 0 {
		ps.Add(FieldError("imd_rank", "The IMD rank must be a whole number from 1 (the most deprived)."))
	}
	if l.IMDDecile < 0 || l.IMDDecile > 10 {
		ps.Add(FieldError("imd_decile", "The IMD decile must be a whole number from 1 (the most deprived) to 10."))
	}
	if (l.IMDRank == 0) != (l.IMDDecile == 0) {
		ps.Add(FieldError("imd_decile", "Give both the IMD rank and decile, or neither."))
	}
	return ps.Err()
}

// validateGSSCode trims and upper-cases an ONS (Government Statistical Service) code, a
// letter and eight digits such as E01010994, and checks its shape.
func validateGSSCode(field string, code *string, required bool) error {
	*code = strings.ToUpper(strings.TrimSpace(*code))
	c := *code
	if c == "" {
		if required {
			return FieldError(field, "Enter the %s.", strings.ReplaceAll(field, "_", " "))
		}
		return nil
	}
	ok := len(c) == 9 && isLetter(c[0])
	for i := 1; ok && i < len(c); i++ {
		ok = isDigit(c[i])
	}
	if !ok {
		return FieldError(field, "The %s must be an ONS code: a letter and eight digits, such as E01010994.",
			strings.ReplaceAll(field, "_", " "))
	}
	return nil
}

// TerminatedError is the error for a postcode that has been ended, naming the month.
func TerminatedError(p *PostcodeInfo) *Error {
	return FieldError("postcode", "The postcode %s was ended in %s; use the current postcode for the address.",
		p.Postcode, p.Terminated.Format("January 2006"))
}

// UnknownPostcodeError is the error for a well-formed postcode that linkwork does not know.
func UnknownPostcodeError(postcode string) *Error {
	return &Error{Code: ENOTFOUND, Field: "postcode",
		Message: "We do not know the postcode " + postcode + ". Check it, or use a nearby one."}
}

// earthRadiusKm is the Earth's mean radius (IUGG), the usual one for the haversine formula.
const earthRadiusKm = 6371.0088

// DistanceKm returns the great-circle distance in kilometres between two points given in
// degrees, by the haversine formula on a spherical Earth. Against the true (ellipsoidal)
// distance it errs by under 0.5%, far less than the walk to the door of a venue.
func DistanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(math.Min(1, a)))
}
