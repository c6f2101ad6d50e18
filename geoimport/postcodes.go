package geoimport

import (
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// SkipNoGridReference is why a postcode that ONS cannot place is left out: the lookup gives
// it latitude 99.999999 and longitude 0, which would put it at the North Pole.
const SkipNoGridReference = "no grid reference (lat 99.999999)"

// noGridLat is the latitude ONS gives a postcode without a grid reference.
const noGridLat = 99.999999

// postcodeColumns are the indexes of the columns linkwork reads from a postcode lookup; -1
// for an optional column the file does not have.
type postcodeColumns struct {
	header                                        []string
	postcode, lat, long, lsoa, doterm, ward, laua int
}

const lookupKind = "an ONS postcode lookup (NSPL or ONSPD, with columns pcds, lat and long)"

// ReadPostcodes reads the header of an ONS postcode lookup (NSPL or ONSPD) and returns a
// report and the postcodes of the rows after it, read as they are asked for. Columns are
// found by name, in any order: pcds (or pcd), lat, long, and where present lsoa11 (or
// lsoa21), doterm, ward (or osward) and laua (or oslaua). When a file has both lsoa11 and
// lsoa21, lsoa11 is read, since IMD 2019 ranks the 2011 LSOAs.
//
// Rows that cannot be used are recorded in the report and passed over; rows without a grid
// reference are skipped. With AllOrNothing, once a row is bad the rest are only checked, and
// the rows end with ErrBadRows so that the import rolls back. A file that cannot be read to
// its end ends them with that error.
func ReadPostcodes(r io.Reader, opts linkwork.ImportOptions) (*Report, iter.Seq2[*linkwork.PostcodeInfo, error], error) {
	rep := newReport("postcodes")
	t, err := newTable(r, rep)
	if err != nil {
		return nil, nil, err
	}
	c := postcodeColumns{header: t.header, postcode: t.column("pcds", "pcd", "pcd2"), lat: t.column("lat"),
		long: t.column("long"), lsoa: t.column("lsoa11", "lsoa21"), doterm: t.column("doterm"),
		ward: t.column("ward", "osward"), laua: t.column("laua", "oslaua")}
	switch {
	case c.postcode < 0:
		return nil, nil, t.missing("pcds (postcode)", lookupKind)
	case c.lat < 0:
		return nil, nil, t.missing("lat (latitude)", lookupKind)
	case c.long < 0:
		return nil, nil, t.missing("long (longitude)", lookupKind)
	}
	return rep, readRows(t, opts, c.parse), nil
}

// readRows yields what parse makes of each row of t, recording bad and skipped rows.
func readRows[T any](t *table, opts linkwork.ImportOptions, parse func([]string) (T, string, *RowError)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for line, rec := range t.rows() {
			v, skip, bad := parse(rec)
			switch {
			case bad != nil:
				bad.Line = line
				t.rep.fail(*bad)
			case skip != "":
				t.rep.Skipped[skip]++
			case opts.AllOrNothing && t.rep.Bad > 0:
				// Nothing will be kept: read on only to report every bad row.
			default:
				if !yield(v, nil) {
					return
				}
			}
		}
		if t.err != nil {
			yield(zero, fmt.Errorf("the file could not be read to its end: %w", t.err))
			return
		}
		if opts.AllOrNothing && t.rep.Bad > 0 {
			yield(zero, ErrBadRows)
		}
	}
}

// parse turns a row into a postcode, or says why it is skipped or bad.
func (c postcodeColumns) parse(rec []string) (*linkwork.PostcodeInfo, string, *RowError) {
	bad := func(col int, format string, args ...any) (*linkwork.PostcodeInfo, string, *RowError) {
		return nil, "", &RowError{Column: c.header[col], Reason: fmt.Sprintf(format, args...)}
	}
	raw := rec[c.postcode]
	pc, err := linkwork.NormalisePostcode(raw)
	if err != nil {
		if strings.TrimSpace(raw) == "" {
			return bad(c.postcode, "The postcode is missing.")
		}
		return bad(c.postcode, "%s is not a UK postcode (one looks like HX1 1AA).", quote(raw))
	}
	latS, lngS := strings.TrimSpace(rec[c.lat]), strings.TrimSpace(rec[c.long])
	if latS == "" {
		return bad(c.lat, "The latitude of %s is missing.", pc)
	}
	lat, err := strconv.ParseFloat(latS, 64)
	if err != nil {
		return bad(c.lat, "The latitude %s is not a number.", quote(latS))
	}
	if lat == noGridLat {
		return nil, SkipNoGridReference, nil
	}
	if lngS == "" {
		return bad(c.long, "The longitude of %s is missing.", pc)
	}
	lng, err := strconv.ParseFloat(lngS, 64)
	if err != nil {
		return bad(c.long, "The longitude %s is not a number.", quote(lngS))
	}
	p := &linkwork.PostcodeInfo{Postcode: pc, Lat: lat, Lng: lng,
		LSOA: code(rec, c.lsoa), Ward: code(rec, c.ward), LocalAuthority: code(rec, c.laua)}
	if c.doterm >= 0 {
		if s := strings.TrimSpace(rec[c.doterm]); s != "" {
			t, ok := yearMonth(s)
			if !ok {
				return bad(c.doterm, "The end date %s is not a year and month such as 201504.", quote(s))
			}
			p.Terminated = &t
		}
	}
	if err := p.Validate(); err != nil {
		col := map[string]int{"postcode": c.postcode, "lat": c.lat, "lng": c.long, "lsoa": c.lsoa, "ward": c.ward,
			"local_authority": c.laua}
		return nil, "", fieldRowError(err, c.header, col)
	}
	return p, "", nil
}

// code reads an optional ONS code. ONS's pseudo-codes for "none", a letter and eight nines
// (such as E99999999 for a postcode in no county), are read as no code at all.
func code(rec []string, col int) string {
	if col < 0 {
		return ""
	}
	s := strings.ToUpper(strings.TrimSpace(rec[col]))
	if len(s) == 9 && s[1:] == "99999999" {
		return ""
	}
	return s
}

// fieldRowError turns the field errors of a validation into one row error, naming the column
// of the first.
func fieldRowError(err error, header []string, col map[string]int) *RowError {
	e := &RowError{}
	var reasons []string
	for _, fe := range linkwork.FieldErrors(err) {
		if i, ok := col[fe.Field]; ok && i >= 0 && e.Column == "" {
			e.Column = header[i]
		}
		reasons = append(reasons, fe.Message)
	}
	if len(reasons) == 0 {
		reasons = append(reasons, err.Error())
	}
	e.Reason = strings.Join(reasons, " ")
	return e
}

// quote quotes a value for a message, shortened so that a runaway field does not flood it.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}

// yearMonth reads ONS's YYYYMM dates, such as 201504, as the first day of the month.
func yearMonth(s string) (time.Time, bool) {
	if len(s) != 6 {
		return time.Time{}, false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:])
	if y < 1900 || y > 2199 || m < 1 || m > 12 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), true
}
