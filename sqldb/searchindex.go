package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"linkwork"
)

// The search index is kept in step with the directory inside the transactions that write
// services (CreateService, UpdateService, BulkInsertServices), so that a search never sees a
// service as it was before a change that has committed. It has three parts:
//
//   - the full-text index: services_fts (FTS5) on SQLite, search_documents.document (a
//     tsvector) on PostgreSQL, both fed the same words (linkwork.SearchText);
//   - search_documents.words: the words each service added to the vocabulary;
//   - search_words: each place's vocabulary with how many services use each word, which
//     misspelt search words are corrected against.
//
// An organisation's or a term's new name reaches the index when each of its services is next
// written, or at once through Reindex.

// searchDoc is a service as search indexes it: each field as its words.
type searchDoc struct {
	serviceID, placeID                            int64
	name, organisation, terms, description, areas string
	words                                         []string // linkwork.VocabularyWords of them all
}

func newSearchDoc(serviceID, placeID int64, name, organisation string, terms []string, description string, areas []string) searchDoc {
	d := searchDoc{serviceID: serviceID, placeID: placeID, name: linkwork.SearchText(name),
		organisation: linkwork.SearchText(organisation), terms: linkwork.SearchText(strings.Join(terms, " ")),
		description: linkwork.SearchText(description), areas: linkwork.SearchText(strings.Join(areas, " "))}
	d.words = linkwork.VocabularyWords(d.name, d.organisation, d.terms, d.description, d.areas)
	return d
}

// indexService brings the index up to date with a service just written, in its transaction.
func (db *DB) indexService(ctx context.Context, c conn, svc *linkwork.Service) error {
	names := []string{}
	if len(svc.TermIDs) > 0 {
		rows, err := c.query(ctx, "SELECT name FROM taxonomy_terms WHERE id IN "+placeholders(len(svc.TermIDs))+" ORDER BY id",
			anys(svc.TermIDs)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	doc := newSearchDoc(svc.ID, svc.PlaceID, svc.Name, svc.OrganisationName, names, svc.Description, svc.Areas)

	var oldPlace int64
	var oldWords string
	err := c.queryRow(ctx, "SELECT place_id, words FROM search_documents WHERE service_id = ?", []any{svc.ID}, &oldPlace, &oldWords)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := addVocabulary(ctx, c, doc.placeID, countWords(doc.words)); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		old := strings.Fields(oldWords)
		removed, added := old, doc.words
		if oldPlace == doc.placeID {
			removed, added = without(old, doc.words), without(doc.words, old)
		}
		if err := removeVocabulary(ctx, c, oldPlace, removed); err != nil {
			return err
		}
		if err := addVocabulary(ctx, c, doc.placeID, countWords(added)); err != nil {
			return err
		}
		if db.dialect.name() == "sqlite" {
			if _, err := c.exec(ctx, "DELETE FROM services_fts WHERE rowid = ?", svc.ID); err != nil {
				return err
			}
		}
	}
	return db.writeSearchDocs(ctx, c, []searchDoc{doc})
}

// without returns the words of a that are not in b.
func without(a, b []string) []string {
	var out []string
	for _, w := range a {
		if !slices.Contains(b, w) {
			out = append(out, w)
		}
	}
	return out
}

func countWords(words []string) map[string]int {
	m := make(map[string]int, len(words))
	for _, w := range words {
		m[w]++
	}
	return m
}

// postgresDocument builds a service's tsvector from its name (weight A), terms (B) and the
// rest (C).
const postgresDocument = "setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B') || " +
	"setweight(to_tsvector('english', ?), 'C')"

// writeSearchDocs stores documents of services whose old full-text rows are gone (or never
// were). It does not touch the vocabulary.
func (db *DB) writeSearchDocs(ctx context.Context, c conn, docs []searchDoc) error {
	if db.dialect.name() == "postgres" {
		rows := make([][]any, len(docs))
		for i, d := range docs {
			rows[i] = []any{d.serviceID, d.placeID, strings.Join(d.words, " "), d.name, d.terms,
				d.organisation + " " + d.description + " " + d.areas}
		}
		return insertRows(ctx, c, "INSERT INTO search_documents (service_id, place_id, words, document) VALUES ",
			"(?, ?, ?, "+postgresDocument+")", rows, ` ON CONFLICT (service_id) DO UPDATE SET place_id = excluded.place_id,
			words = excluded.words, document = excluded.document`)
	}
	fts := make([][]any, len(docs))
	plain := make([][]any, len(docs))
	for i, d := range docs {
		fts[i] = []any{d.serviceID, d.name, d.organisation, d.terms, d.description, d.areas}
		plain[i] = []any{d.serviceID, d.placeID, strings.Join(d.words, " ")}
	}
	if err := insertRows(ctx, c, "INSERT INTO services_fts (rowid, name, organisation, terms, description, areas) VALUES ",
		"(?, ?, ?, ?, ?, ?)", fts, ""); err != nil {
		return err
	}
	return insertRows(ctx, c, "INSERT INTO search_documents (service_id, place_id, words) VALUES ", "(?, ?, ?)", plain,
		" ON CONFLICT (service_id) DO UPDATE SET place_id = excluded.place_id, words = excluded.words")
}

// addVocabulary adds to the number of services of a place that use each word. Words are
// written in order, so that concurrent writers on PostgreSQL lock the rows they share in the
// same order and cannot deadlock.
func addVocabulary(ctx context.Context, c conn, placeID int64, counts map[string]int) error {
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.Sort(words)
	rows := make([][]any, len(words))
	for i, w := range words {
		rows[i] = []any{placeID, w, len([]rune(w)), counts[w]}
	}
	return insertRows(ctx, c, "INSERT INTO search_words (place_id, word, length, docs) VALUES ", "(?, ?, ?, ?)", rows,
		" ON CONFLICT (place_id, word) DO UPDATE SET docs = search_words.docs + excluded.docs")
}

// removeVocabulary takes one service from the count of each word, forgetting words that no
// service uses any more.
func removeVocabulary(ctx context.Context, c conn, placeID int64, words []string) error {
	words = slices.Sorted(slices.Values(words))
	for len(words) > 0 {
		n := min(len(words), 500)
		part := append([]any{placeID}, anys(words[:n])...)
		if _, err := c.exec(ctx, "DELETE FROM search_words WHERE place_id = ? AND docs = 1 AND word IN "+placeholders(n), part...); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE search_words SET docs = docs - 1 WHERE place_id = ? AND word IN "+placeholders(n), part...); err != nil {
			return err
		}
		words = words[n:]
	}
	return nil
}

// maxParams bounds the parameters of one statement, well under both databases' limits
// (32,766 on SQLite, 65,535 on PostgreSQL).
const maxParams = 10000

// insertRows inserts rows with multi-row INSERTs of up to maxParams parameters: head is the
// statement up to VALUES, row one row's SQL with a ? for each value, tail what follows the
// values (an ON CONFLICT clause).
func insertRows(ctx context.Context, c conn, head, row string, rows [][]any, tail string) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(rows[0]))
	for len(rows) > 0 {
		n := min(len(rows), per)
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, n*len(rows[0]))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			args = append(args, r...)
		}
		b.WriteString(tail)
		if _, err := c.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// Reindex rebuilds a place's part of the search index from its services, for after an
// organisation or a taxonomy term is renamed, or data is loaded around the services' writes.
func (s *SearchService) Reindex(ctx context.Context, placeID int64) error {
	return s.db.tx(ctx, func(c conn) error {
		if s.db.dialect.name() == "sqlite" {
			if _, err := c.exec(ctx, "DELETE FROM services_fts WHERE rowid IN (SELECT service_id FROM search_documents WHERE place_id = ?)",
				placeID); err != nil {
				return err
			}
		}
		for _, q := range []string{"DELETE FROM search_documents WHERE place_id = ?", "DELETE FROM search_words WHERE place_id = ?"} {
			if _, err := c.exec(ctx, q, placeID); err != nil {
				return err
			}
		}
		docs, err := s.db.loadSearchDocs(ctx, c, placeID)
		if err != nil {
			return err
		}
		return s.db.indexNew(ctx, c, placeID, docs)
	})
}

// indexNew indexes services of a place that are not in the index.
func (db *DB) indexNew(ctx context.Context, c conn, placeID int64, docs []searchDoc) error {
	counts := map[string]int{}
	for _, d := range docs {
		for _, w := range d.words {
			counts[w]++
		}
	}
	if err := db.writeSearchDocs(ctx, c, docs); err != nil {
		return err
	}
	return addVocabulary(ctx, c, placeID, counts)
}

// loadSearchDocs reads every service of a place as search indexes it.
func (db *DB) loadSearchDocs(ctx context.Context, c conn, placeID int64) ([]searchDoc, error) {
	type text struct {
		name, organisation, description string
		terms, areas                    []string
	}
	var ids []int64
	byID := map[int64]*text{}
	each := func(q string, scan func(rows *sql.Rows) error) error {
		rows, err := c.query(ctx, q, placeID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := each(`SELECT s.id, s.name, s.description, o.name FROM services s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.place_id = ? ORDER BY s.id`, func(rows *sql.Rows) error {
		var id int64
		t := &text{}
		if err := rows.Scan(&id, &t.name, &t.description, &t.organisation); err != nil {
			return err
		}
		ids = append(ids, id)
		byID[id] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT st.service_id, tt.name FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id
		JOIN services s ON s.id = st.service_id WHERE s.place_id = ? ORDER BY st.service_id, tt.id`, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		byID[id].terms = append(byID[id].terms, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT a.service_id, a.name FROM service_areas a JOIN services s ON s.id = a.service_id
		WHERE s.place_id = ? ORDER BY a.service_id, a.position`, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		byID[id].areas = append(byID[id].areas, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	docs := make([]searchDoc, len(ids))
	for i, id := range ids {
		t := byID[id]
		docs[i] = newSearchDoc(id, placeID, t.name, t.organisation, t.terms, t.description, t.areas)
	}
	return docs, nil
}

// OptimizeSearch prepares the database for fast searches after a large load: on SQLite it
// merges the full-text index into one segment and gathers the statistics the query planner
// uses; on PostgreSQL it vacuums and analyses the tables search reads, as autovacuum would
// later, so that the planner has statistics and index-only scans need not visit the heap.
func (s *SearchService) OptimizeSearch(ctx context.Context) error {
	tables := []string{"services", "service_terms", "locations", "schedules", "search_documents", "search_words"}
	var stmts []string
	if s.db.dialect.name() == "sqlite" {
		stmts = append(stmts, "INSERT INTO services_fts (services_fts) VALUES ('optimize')")
	}
	for _, t := range tables {
		if s.db.dialect.name() == "postgres" {
			stmts = append(stmts, "VACUUM (ANALYZE) "+t)
		} else {
			stmts = append(stmts, "ANALYZE "+t)
		}
	}
	for _, q := range stmts {
		if _, err := s.db.read().exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
