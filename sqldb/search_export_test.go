package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"linkwork"
)

// QueryText runs a query and returns its rows as text, one a line, the values separated by
// tabs; floating-point values are written in full.
func (db *DB) QueryText(ctx context.Context, query string) (string, error) {
	rows, err := db.db.QueryContext(ctx, query)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			switch v := v.(type) {
			case []byte:
				b.Write(v)
			case float64:
				fmt.Fprintf(&b, "%.17g", v)
			default:
				fmt.Fprint(&b, v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// Statement is a statement a search sent, with its arguments, as the driver received them.
type Statement struct {
	Query string
	Args  []any
}

// recorder passes statements to the database and keeps them.
type recorder struct {
	q     querier
	stmts []Statement
}

func (r *recorder) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r.stmts = append(r.stmts, Statement{query, args})
	return r.q.ExecContext(ctx, query, args...)
}

func (r *recorder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.stmts = append(r.stmts, Statement{query, args})
	return r.q.QueryContext(ctx, query, args...)
}

func (r *recorder) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.stmts = append(r.stmts, Statement{query, args})
	return r.q.QueryRowContext(ctx, query, args...)
}

// SearchStatements runs a search and returns the statements it sent, in order, starting
// with the postcode lookup (which GeographyService sends itself).
func (s *SearchService) SearchStatements(ctx context.Context, q linkwork.SearchQuery) ([]Statement, error) {
	rec := &recorder{q: s.db.db}
	if _, _, err := s.search(ctx, conn{q: rec, d: s.db.dialect}, q); err != nil {
		return nil, err
	}
	var out []Statement
	if q.Postcode != "" {
		pc, err := linkwork.NormalisePostcode(q.Postcode)
		if err != nil {
			return nil, err
		}
		out = append(out, Statement{s.db.dialect.rebind(`SELECT p.postcode, p.lat, p.lng, p.lsoa, p.ward, p.local_authority, p.terminated_on,
		COALESCE(l.imd_rank, 0), COALESCE(l.imd_decile, 0)
		FROM postcodes p LEFT JOIN lsoas l ON l.code = p.lsoa WHERE p.postcode = ?`), []any{pc}})
	}
	return append(out, rec.stmts...), nil
}
