package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// Health service use data: the key a place's files name people by, and the import of GP
// appointments and non-elective admissions per person and month, matched to the place's
// case records by NHS number (or its pseudonym) and never by anything less certain.

// maxActivityCount is the most GP appointments, or admissions, one person may have in a
// month in an activity file: far more than anyone has, so that a larger number is a
// mistake in the file.
const maxActivityCount = 999

// The lengths of a pseudonymisation secret.
const (
	minActivitySecret = 32
	maxActivitySecret = 256
)

// firstActivityMonth is the earliest month an activity file may hold.
const firstActivityMonth = "2000-01"

// SetActivityKey sets how the place's activity files name people, and for a pseudonymised
// key the secret it is made with, with an audit event that records the kind, never the
// secret.
func (s *MeasureService) SetActivityKey(ctx context.Context, placeID int64, kind linkwork.ActivityKeyKind, secret string) error {
	var ps linkwork.Problems
	switch kind {
	case linkwork.ActivityKeyNHSNumber:
		if secret != "" {
			ps.Add(linkwork.FieldError("secret", "Files keyed by NHS number need no secret: leave it out, or choose the pseudonymised key (%s).",
				linkwork.ActivityKeyHMAC))
		}
	case linkwork.ActivityKeyHMAC:
		n := utf8.RuneCountInString(secret)
		switch {
		case n < minActivitySecret:
			ps.Add(linkwork.FieldError("secret", "The secret shared with the data provider must be at least %d characters long, so that the keys cannot be guessed (this has %d).",
				minActivitySecret, n))
		case n > maxActivitySecret:
			ps.Add(linkwork.FieldError("secret", "The secret can be at most %d characters long (this has %d).", maxActivitySecret, n))
		case !utf8.ValidString(secret) || strings.ContainsRune(secret, 0):
			ps.Add(linkwork.FieldError("secret", "The secret has characters that cannot be stored: use letters, digits and punctuation."))
		}
	default:
		ps.Add(linkwork.FieldError("kind", "Choose how the files name people: %s (the NHS number) or %s (a pseudonymised key).",
			linkwork.ActivityKeyNHSNumber, linkwork.ActivityKeyHMAC))
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		if err := placeExists(ctx, c, placeID); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `INSERT INTO activity_keys (place_id, kind, secret, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (place_id) DO UPDATE SET kind = excluded.kind, secret = excluded.secret, updated_at = excluded.updated_at`,
			placeID, string(kind), secret, s.db.Now()); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditActivityKey, RecordType: "place",
			RecordID: idString(placeID), Detail: "activity files name people by " + string(kind)})
	})
}

// activityKey returns how a place's files name people: the NHS number unless it chose a
// pseudonymised key.
func activityKey(ctx context.Context, c conn, placeID int64) (linkwork.ActivityKeyKind, string, error) {
	var kind, secret string
	err := c.queryRow(ctx, "SELECT kind, secret FROM activity_keys WHERE place_id = ?", []any{placeID}, &kind, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return linkwork.ActivityKeyNHSNumber, "", nil
	}
	return linkwork.ActivityKeyKind(kind), secret, err
}

// activityUse is a person's counts in a month.
type activityUse struct{ gp, admissions int }

// activityCell names a person's month.
type activityCell struct {
	person int64
	month  string
}

// ImportActivity loads health service use rows for a place in one transaction. Each row is
// checked (its key as the place's key kind says, its month from January 2000 to this
// month, its counts from 0 to 999, and no other row of the file for the same key and month)
// and matched to the place's case records with that NHS number; a row matching nobody is
// reported, not stored. A row's counts are stored for every record it matches (one a
// person per organisation holding their case) unless they are already held, so that
// importing a file again changes nothing. With allOrNothing, a bad row stops the whole
// import. Counts of what it did, and no more, go in the audit trail.
func (s *MeasureService) ImportActivity(ctx context.Context, placeID int64, rows []linkwork.ActivityRow, allOrNothing bool) (*linkwork.ActivityImportReport, error) {
	rep := &linkwork.ActivityImportReport{Rows: len(rows), Unmatched: []int{}, Problems: []*linkwork.RowProblem{}}
	now := s.db.Now()
	y, m, _ := now.In(london).Date()
	thisMonth := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	err := s.db.tx(ctx, func(c conn) error {
		if err := placeExists(ctx, c, placeID); err != nil {
			return err
		}
		kind, secret, err := activityKey(ctx, c, placeID)
		if err != nil {
			return err
		}
		// Each good row's key as the place's people are keyed.
		keys, months := make([]string, len(rows)), make([]string, len(rows))
		lines := make([]int, len(rows))
		bad := make([]bool, len(rows))
		seen := map[[2]string][]int{}
		for i := range rows {
			row := &rows[i]
			lines[i] = cmp.Or(row.Line, i+1)
			key, month, problems := checkActivityRow(row, kind, thisMonth)
			for _, p := range problems {
				p.Line = lines[i]
				rep.Problems = append(rep.Problems, p)
			}
			bad[i], keys[i], months[i] = len(problems) > 0, key, month
			if key != "" && validMonth(month) {
				k := [2]string{key, month}
				seen[k] = append(seen[k], i)
			}
		}
		// Two rows for the same person and month: which is right cannot be known, so
		// neither is taken.
		for _, is := range seen {
			if len(is) < 2 {
				continue
			}
			for _, i := range is {
				var others []string
				for _, j := range is {
					if j != i {
						others = append(others, strconv.Itoa(lines[j]))
					}
				}
				bad[i] = true
				rep.Problems = append(rep.Problems, &linkwork.RowProblem{Line: lines[i], Field: "month",
					Reason: fmt.Sprintf("The file has another row for this person and month (line %s): give each person's month once.",
						strings.Join(others, ", "))})
			}
		}
		slices.SortStableFunc(rep.Problems, func(a, b *linkwork.RowProblem) int { return cmp.Compare(a.Line, b.Line) })

		people, err := activityPeople(ctx, c, placeID, kind, secret)
		if err != nil {
			return err
		}
		var matched []int64
		for i := range rows {
			if bad[i] {
				continue
			}
			ids := people[keys[i]]
			if len(ids) == 0 {
				rep.Unmatched = append(rep.Unmatched, lines[i])
			}
			matched = append(matched, ids...)
		}
		if allOrNothing && len(rep.Problems) > 0 {
			rep.NothingImported = true
			return nil
		}
		held, err := heldActivity(ctx, c, matched)
		if err != nil {
			return err
		}
		var writes [][]any
		for i := range rows {
			row := &rows[i]
			ids := people[keys[i]]
			if bad[i] || len(ids) == 0 {
				continue
			}
			use := activityUse{row.GPAppointments, row.Admissions}
			changed := false
			for _, id := range ids {
				if old, ok := held[activityCell{id, months[i]}]; !ok || old != use {
					changed = true
					writes = append(writes, []any{id, months[i], use.gp, use.admissions})
				}
			}
			if changed {
				rep.Imported++
			} else {
				rep.Unchanged++
			}
		}
		if len(writes) == 0 {
			return nil
		}
		if err := insertRows(ctx, c, "INSERT INTO person_activity (person_id, month, gp_appointments, admissions) VALUES ", "(?, ?, ?, ?)", writes,
			" ON CONFLICT (person_id, month) DO UPDATE SET gp_appointments = excluded.gp_appointments, admissions = excluded.admissions"); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditActivityImport, RecordType: "place",
			RecordID: idString(placeID), Detail: fmt.Sprintf("%d rows: %d imported, %d unchanged, %d unmatched, %d with problems",
				rep.Rows, rep.Imported, rep.Unchanged, len(rep.Unmatched), len(rep.Problems))})
	})
	if err != nil {
		return nil, err
	}
	if rep.NothingImported {
		rep.Imported, rep.Unchanged = 0, 0
	}
	return rep, nil
}

// checkActivityRow checks a row and returns its key as the place's people are keyed ("" if
// the key is bad), its month and its problems.
func checkActivityRow(row *linkwork.ActivityRow, kind linkwork.ActivityKeyKind, thisMonth string) (string, string, []*linkwork.RowProblem) {
	var out []*linkwork.RowProblem
	problem := func(field, reason string, args ...any) {
		out = append(out, &linkwork.RowProblem{Field: field, Reason: fmt.Sprintf(reason, args...)})
	}
	key := strings.TrimSpace(row.Key)
	switch {
	case key == "":
		problem("key", "The row names nobody: give the person's %s.", keyName(kind))
	case kind == linkwork.ActivityKeyHMAC:
		key = strings.ToLower(key)
		if !isHex(key, 64) {
			problem("key", "A pseudonymised key is the 64 hexadecimal characters of the NHS number's HMAC-SHA256; this is not.")
			key = ""
		}
	default:
		n, err := linkwork.NormaliseNHSNumber(key)
		if err != nil {
			var e *linkwork.Error
			if errors.As(err, &e) {
				problem("key", "%s", e.Message)
			} else {
				problem("key", "This is not an NHS number.")
			}
		}
		key = n
	}
	month := strings.TrimSpace(row.Month)
	switch {
	case !validMonth(month):
		problem("month", "Give the month as YYYY-MM, such as 2026-04.")
	case month < firstActivityMonth:
		problem("month", "The month is before January 2000: check the year.")
	case month > thisMonth:
		problem("month", "The month is in the future: data can be for this month at the latest.")
	}
	for _, c := range []struct {
		field, what string
		n           int
	}{{"gp_appointments", "GP appointments", row.GPAppointments}, {"admissions", "non-elective admissions", row.Admissions}} {
		if c.n < 0 || c.n > maxActivityCount {
			problem(c.field, "Give the number of %s in the month as a whole number from 0 to %d.", c.what, maxActivityCount)
		}
	}
	return key, month, out
}

// keyName is what a file's key is, in words.
func keyName(kind linkwork.ActivityKeyKind) string {
	if kind == linkwork.ActivityKeyHMAC {
		return "pseudonymised key"
	}
	return "NHS number"
}

// validMonth reports whether s is a real month written YYYY-MM.
func validMonth(s string) bool {
	if len(s) != len("2006-01") {
		return false
	}
	_, err := time.Parse("2006-01", s)
	return err == nil
}

// isHex reports whether s is n lower-case hexadecimal digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// activityPeople maps each key a file may name people by to the place's case records with
// that NHS number (erased records have none).
func activityPeople(ctx context.Context, c conn, placeID int64, kind linkwork.ActivityKeyKind, secret string) (map[string][]int64, error) {
	out := map[string][]int64{}
	err := c.eachRow(ctx, "SELECT id, nhs_number FROM persons WHERE place_id = ? AND nhs_number <> '' ORDER BY id", []any{placeID},
		func(scan func(...any) error) error {
			var id int64
			var nhs string
			if err := scan(&id, &nhs); err != nil {
				return err
			}
			key := nhs
			if kind == linkwork.ActivityKeyHMAC {
				key = linkwork.PseudonymiseNHSNumber(secret, nhs)
			}
			out[key] = append(out[key], id)
			return nil
		})
	return out, err
}

// heldActivity reads what is held for some people.
func heldActivity(ctx context.Context, c conn, people []int64) (map[activityCell]activityUse, error) {
	out := map[activityCell]activityUse{}
	slices.Sort(people)
	people = slices.Compact(people)
	const batch = 500
	for start := 0; start < len(people); start += batch {
		part := people[start:min(len(people), start+batch)]
		err := c.eachRow(ctx, "SELECT person_id, month, gp_appointments, admissions FROM person_activity WHERE person_id IN "+placeholders(len(part)),
			anys(part), func(scan func(...any) error) error {
				var cell activityCell
				var use activityUse
				if err := scan(&cell.person, &cell.month, &use.gp, &use.admissions); err != nil {
					return err
				}
				out[cell] = use
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
