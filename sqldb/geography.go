package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"linkwork"
)

// GeographyService keeps postcodes and LSOAs with their deprivation.
type GeographyService struct{ db *DB }

// NewGeographyService returns the postcodes and LSOAs of db.
func NewGeographyService(db *DB) *GeographyService { return &GeographyService{db: db} }

var _ linkwork.GeographyService = (*GeographyService)(nil)

// Import sizes. A batch is one multi-row INSERT: 500 postcodes are 3,500 parameters, well
// under the limits of both databases (32,766 and 65,535), and large enough that the round
// trip no longer dominates. Without AllOrNothing an import commits every commitEvery rows,
// so that loading the whole country does not hold SQLite's one write lock for minutes while
// linkwork serves.
const (
	importBatch = 500
	commitEvery = 20 * importBatch
)

// upsert is a table that imports add rows to or update them in, by its key.
type upsert struct {
	table   string
	columns []string // the key first
	action  string   // the audit action of a committed part of an import
}

var (
	postcodeUpsert = upsert{table: "postcodes", action: linkwork.AuditPostcodesImport,
		columns: []string{"postcode", "lat", "lng", "lsoa", "ward", "local_authority", "terminated_on"}}
	lsoaUpsert = upsert{table: "lsoas", action: linkwork.AuditLSOAsImport,
		columns: []string{"code", "name", "local_authority_code", "local_authority_name", "imd_rank", "imd_decile"}}
)

// insertSQL is an INSERT of n rows that updates a row whose key exists only when a value
// differs, so that the count of rows it touched tells updated rows from unchanged ones.
func (u upsert) insertSQL(n int) string {
	var b strings.Builder
	cols := strings.Join(u.columns, ", ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(u.columns)), ", ") + ")"
	b.WriteString("INSERT INTO " + u.table + " (" + cols + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (" + u.columns[0] + ") DO UPDATE SET ")
	var set, changed []string
	for _, c := range u.columns[1:] {
		set = append(set, c+" = excluded."+c)
		changed = append(changed, u.table+"."+c+" IS DISTINCT FROM excluded."+c)
	}
	b.WriteString(strings.Join(set, ", ") + " WHERE " + strings.Join(changed, " OR "))
	return b.String()
}

// batch is the rows of one INSERT: their keys, to count those that exist already, and their
// values in column order.
type batch struct {
	keys   []any
	seen   map[string]bool
	values []any
}

func (b *batch) reset() {
	b.keys, b.values = b.keys[:0], b.values[:0]
	clear(b.seen)
}

// write upserts the batch and says what it did.
func (u upsert) write(ctx context.Context, c conn, b *batch) (linkwork.ImportCounts, error) {
	n := len(b.keys)
	if n == 0 {
		return linkwork.ImportCounts{}, nil
	}
	var existing int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+u.table+" WHERE "+u.columns[0]+" IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+")", b.keys, &existing); err != nil {
		return linkwork.ImportCounts{}, err
	}
	res, err := c.exec(ctx, u.insertSQL(n), b.values...)
	if err != nil {
		return linkwork.ImportCounts{}, err
	}
	touched, err := res.RowsAffected()
	if err != nil {
		return linkwork.ImportCounts{}, err
	}
	added := n - existing
	updated := int(touched) - added
	return linkwork.ImportCounts{Added: added, Updated: updated, Unchanged: existing - updated}, nil
}

// importRows stores every row that rows yields, in batches, committing every commitEvery
// rows or, with AllOrNothing, once at the end. row validates a row and returns its key and
// values. The counts are of the rows committed.
func importRows[T any](ctx context.Context, db *DB, u upsert, rows iter.Seq2[T, error], opts linkwork.ImportOptions,
	row func(T) (string, []any, error)) (linkwork.ImportCounts, error) {
	next, stop := iter.Pull2(rows)
	defer stop()
	var total linkwork.ImportCounts
	b := &batch{seen: map[string]bool{}}
	for done := false; !done; {
		var part linkwork.ImportCounts
		err := db.tx(ctx, func(c conn) error {
			flush := func() error {
				counts, err := u.write(ctx, c, b)
				part.Add(counts)
				b.reset()
				return err
			}
			for n := 0; opts.AllOrNothing || n < commitEvery; n++ {
				r, err, ok := next()
				if !ok {
					done = true
					break
				}
				if err != nil {
					return err
				}
				key, values, err := row(r)
				if err != nil {
					return err
				}
				// A key twice in one INSERT would be an error on PostgreSQL: write the
				// first, so that the second updates it as a later row of the file would.
				if b.seen[key] {
					if err := flush(); err != nil {
						return err
					}
				}
				b.keys, b.values = append(b.keys, key), append(b.values, values...)
				b.seen[key] = true
				if len(b.keys) == importBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
			if part == (linkwork.ImportCounts{}) {
				return nil
			}
			// Postcodes place people in neighbourhoods, and LSOAs give them deciles: every
			// place's measures are counted again.
			if err := markAllMeasuresChanged(ctx, c, db.Now()); err != nil {
				return err
			}
			return db.audit(ctx, c, &linkwork.AuditEvent{Action: u.action, RecordType: u.table,
				Detail: fmt.Sprintf("added %d, updated %d, unchanged %d", part.Added, part.Updated, part.Unchanged)})
		})
		if err != nil {
			return total, err
		}
		total.Add(part)
	}
	return total, nil
}

// ImportPostcodes adds or updates postcodes by postcode. Their IMD is not stored: it comes
// from their LSOA.
func (s *GeographyService) ImportPostcodes(ctx context.Context, rows iter.Seq2[*linkwork.PostcodeInfo, error],
	opts linkwork.ImportOptions) (linkwork.ImportCounts, error) {
	return importRows(ctx, s.db, postcodeUpsert, rows, opts, func(p *linkwork.PostcodeInfo) (string, []any, error) {
		if err := p.Validate(); err != nil {
			return "", nil, fmt.Errorf("postcode %q: %w", p.Postcode, err)
		}
		var term any
		if p.Terminated != nil {
			term = *p.Terminated
		}
		return p.Postcode, []any{p.Postcode, p.Lat, p.Lng, p.LSOA, p.Ward, p.LocalAuthority, term}, nil
	})
}

// ImportLSOAs adds or updates LSOAs by code.
func (s *GeographyService) ImportLSOAs(ctx context.Context, rows iter.Seq2[*linkwork.LSOA, error],
	opts linkwork.ImportOptions) (linkwork.ImportCounts, error) {
	return importRows(ctx, s.db, lsoaUpsert, rows, opts, func(l *linkwork.LSOA) (string, []any, error) {
		if err := l.Validate(); err != nil {
			return "", nil, fmt.Errorf("LSOA %q: %w", l.Code, err)
		}
		return l.Code, []any{l.Code, l.Name, l.LocalAuthorityCode, l.LocalAuthorityName,
			nullInt(int64(l.IMDRank)), nullInt(int64(l.IMDDecile))}, nil
	})
}

// FindPostcode returns a postcode with the IMD of its LSOA.
func (s *GeographyService) FindPostcode(ctx context.Context, postcode string, terminated linkwork.TerminatedPostcodes) (*linkwork.PostcodeInfo, error) {
	pc, err := linkwork.NormalisePostcode(postcode)
	if err != nil {
		return nil, err
	}
	p := &linkwork.PostcodeInfo{}
	var term sql.NullTime
	err = s.db.read().queryRow(ctx, `SELECT p.postcode, p.lat, p.lng, p.lsoa, p.ward, p.local_authority, p.terminated_on,
		COALESCE(l.imd_rank, 0), COALESCE(l.imd_decile, 0)
		FROM postcodes p LEFT JOIN lsoas l ON l.code = p.lsoa WHERE p.postcode = ?`, []any{pc},
		&p.Postcode, &p.Lat, &p.Lng, &p.LSOA, &p.Ward, &p.LocalAuthority, &term, &p.IMDRank, &p.IMDDecile)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, linkwork.UnknownPostcodeError(pc)
	}
	if err != nil {
		return nil, err
	}
	if term.Valid {
		t := time.Date(term.Time.Year(), term.Time.Month(), 1, 0, 0, 0, 0, time.UTC)
		p.Terminated = &t
		if terminated != linkwork.AllowTerminated {
			return nil, linkwork.TerminatedError(p)
		}
	}
	return p, nil
}

// FindLSOA returns an LSOA by its code, in any case.
func (s *GeographyService) FindLSOA(ctx context.Context, code string) (*linkwork.LSOA, error) {
	l := &linkwork.LSOA{}
	err := s.db.read().queryRow(ctx, `SELECT code, name, local_authority_code, local_authority_name,
		COALESCE(imd_rank, 0), COALESCE(imd_decile, 0) FROM lsoas WHERE code = ?`,
		[]any{strings.ToUpper(strings.TrimSpace(code))},
		&l.Code, &l.Name, &l.LocalAuthorityCode, &l.LocalAuthorityName, &l.IMDRank, &l.IMDDecile)
	if err != nil {
		return nil, notFound(err, "LSOA")
	}
	return l, nil
}

// CountPostcodes returns how many postcodes are stored.
func (s *GeographyService) CountPostcodes(ctx context.Context) (int, error) {
	var n int
	err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM postcodes", nil, &n)
	return n, err
}

// CountLSOAs returns how many LSOAs are stored.
func (s *GeographyService) CountLSOAs(ctx context.Context) (int, error) {
	var n int
	err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM lsoas", nil, &n)
	return n, err
}
