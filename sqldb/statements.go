package sqldb

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache. linkwork's reads are a few hundred fixed
// statements (those with IN lists vary with the list's length); beyond the bound, statements
// are prepared for each use as before.
const maxCachedStatements = 512

// preparedReader runs reads outside transactions through statements prepared once and kept:
// database/sql prepares each on a connection the first time it runs there and reuses it
// after. Parsing and planning a statement costs SQLite, through modernc's pure-Go build,
// about as much as running a small one; PostgreSQL's driver (pgx) keeps its own cache per
// connection, so there the reader is not used.
type preparedReader struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newPreparedReader(db *sql.DB) *preparedReader {
	return &preparedReader{db: db, stmts: map[string]*sql.Stmt{}}
}

// statement returns the prepared statement for a query, or nil when the cache is full or the
// statement does not prepare (the caller then runs the query directly, which reports the
// error as it would have).
func (p *preparedReader) statement(ctx context.Context, query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.stmts[query]; ok {
		return s
	}
	if len(p.stmts) >= maxCachedStatements {
		return nil
	}
	s, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.stmts[query] = s
	return s
}

func (p *preparedReader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, args...)
}

func (p *preparedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := p.statement(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *preparedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := p.statement(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// close closes the kept statements.
func (p *preparedReader) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, s := range p.stmts {
		s.Close()
		delete(p.stmts, q)
	}
}
