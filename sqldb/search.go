package sqldb

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"linkwork"

	"github.com/jackc/pgx/v5"
)

// SearchService finds services in a place's directory: full text (FTS5 on SQLite, a tsvector
// with the 'english' configuration on PostgreSQL), corrected for typing mistakes against the
// place's vocabulary, filtered in SQL, and measured from a postcode or point in Go.
type SearchService struct{ db *DB }

// NewSearchService returns the directory search of db.
func NewSearchService(db *DB) *SearchService { return &SearchService{db: db} }

var _ linkwork.SearchService = (*SearchService)(nil)

// snippetLength is the length of a result's description snippet, in characters.
const snippetLength = 240

// searchable is the statuses search finds: a temporarily closed service is shown, so that
// people know it exists and will be back.
const searchable = "s.status IN ('active', 'temporarily closed')"

// Column weights of the ranking. A match in the name counts most, then in the taxonomy terms
// (a service's needs and the like), then elsewhere. PostgreSQL has four weights, A to D,
// with 1.0, 0.4, 0.2 and 0.1 by default: name A, terms B, organisation, description and
// areas C. FTS5's bm25 takes one weight per column, in the table's column order.
const (
	sqliteScore   = "-bm25(services_fts, 10.0, 2.0, 4.0, 1.0, 1.0)"
	postgresScore = "ts_rank_cd(d.document, tq.q, 1)"
)

// hit is a service found, before its details are loaded.
type hit struct {
	id       int64
	score    float64
	distance float64 // km, when searching near somewhere
	location int64   // the nearest location's id
}

// searchSQL is a search's FROM and WHERE clauses with their arguments, in the order they
// appear.
type searchSQL struct {
	from     string
	fromArgs []any
	where    []string
	args     []any
	score    string // an expression, higher is better; "0" without text
}

func (q *searchSQL) and(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
}

func (q *searchSQL) whereSQL() string { return " WHERE " + strings.Join(q.where, " AND ") }

func (q *searchSQL) allArgs(tail ...any) []any {
	out := append(append(append([]any{}, q.fromArgs...), q.args...), tail...)
	return out
}

// Search finds a page of services and counts them all. See linkwork.SearchQuery for what
// each condition means.
func (s *SearchService) Search(ctx context.Context, q linkwork.SearchQuery) ([]linkwork.SearchResult, int, error) {
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	db, c := s.db, s.db.read()
	origin, err := s.origin(ctx, &q)
	if err != nil {
		return nil, 0, err
	}
	groups, access, err := db.searchTerms(ctx, c, &q)
	if err != nil {
		return nil, 0, err
	}
	words, err := db.searchWords(ctx, c, q.PlaceID, q.Text)
	if err != nil {
		return nil, 0, err
	}

	sq := &searchSQL{from: "services s", score: "0"}
	if len(words) > 0 {
		db.textSQL(sq, words)
	}
	sq.and("s.place_id = ?", q.PlaceID)
	sq.and(searchable)
	if q.Kind != "" {
		sq.and("s.kind = ?", string(q.Kind))
	}
	if q.FreeOnly {
		sq.and("s.free = ?", true)
	}
	if q.Age != nil {
		sq.and("(s.min_age IS NULL OR s.min_age <= ?) AND (s.max_age IS NULL OR s.max_age >= ?)", *q.Age, *q.Age)
	}
	for _, g := range groups {
		sq.and("EXISTS (SELECT 1 FROM service_terms st WHERE st.service_id = s.id AND st.term_id IN "+placeholders(len(g))+")", anys(g)...)
	}
	for _, id := range access {
		sq.and("EXISTS (SELECT 1 FROM service_terms st WHERE st.service_id = s.id AND st.term_id = ?)", id)
	}
	if len(q.Days) > 0 || q.From != nil || q.To != nil {
		mask, from, to := 127, 0, 1440
		if len(q.Days) > 0 {
			mask = (&linkwork.Schedule{Days: q.Days}).DayMask()
		}
		if q.From != nil {
			from = *q.From
		}
		if q.To != nil {
			to = *q.To
		}
		sq.and("EXISTS (SELECT 1 FROM schedules sc WHERE sc.service_id = s.id AND (sc.days & ?) <> 0 AND sc.closes > ? AND sc.opens < ?)",
			mask, from, to)
	}

	var hits []hit
	var total int
	if origin != nil {
		hits, total, err = db.searchNear(ctx, c, sq, &q, *origin)
	} else {
		hits, total, err = db.searchPaged(ctx, c, sq, &q)
	}
	if err != nil {
		return nil, 0, err
	}
	results, err := db.searchResults(ctx, c, hits, words, origin != nil)
	return results, total, err
}

// origin returns where the search measures distance from, if anywhere.
func (s *SearchService) origin(ctx context.Context, q *linkwork.SearchQuery) (*linkwork.Point, error) {
	if q.Near != nil {
		return q.Near, nil
	}
	if q.Postcode == "" {
		return nil, nil
	}
	p, err := NewGeographyService(s.db).FindPostcode(ctx, q.Postcode, linkwork.RefuseTerminated)
	if err != nil {
		// The postcode is a parameter of the search, not what was asked for: not knowing it
		// makes the search invalid rather than not found.
		if e := linkwork.FieldErrors(err); len(e) == 1 && e[0].Code == linkwork.ENOTFOUND {
			return nil, &linkwork.Error{Code: linkwork.EINVALID, Field: "postcode", Message: e[0].Message}
		}
		return nil, err
	}
	return &linkwork.Point{Lat: p.Lat, Lng: p.Lng}, nil
}

// searchTerms checks that the query's terms are the place's and groups them by taxonomy:
// one group per taxonomy (any of its terms will do), and the accessibility terms, which a
// service must all have.
func (db *DB) searchTerms(ctx context.Context, c conn, q *linkwork.SearchQuery) ([][]int64, []int64, error) {
	ids := uniqueIDs(append(append([]int64{}, q.TermIDs...), q.AccessibilityIDs...))
	if len(ids) == 0 {
		return nil, nil, nil
	}
	type termInfo struct {
		taxonomy int64
		code     string
	}
	found := map[int64]termInfo{}
	rows, err := c.query(ctx, `SELECT tt.id, tt.taxonomy_id, t.code FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND tt.id IN `+placeholders(len(ids)), append([]any{q.PlaceID}, anys(ids)...)...)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		var ti termInfo
		if err := rows.Scan(&id, &ti.taxonomy, &ti.code); err != nil {
			rows.Close()
			return nil, nil, err
		}
		found[id] = ti
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var ps linkwork.Problems
	byTaxonomy := map[int64][]int64{}
	var taxonomies []int64
	for _, id := range uniqueIDs(q.TermIDs) {
		ti, ok := found[id]
		if !ok {
			ps.Add(linkwork.FieldError("term_ids", "There is no taxonomy term %d in this place.", id))
			continue
		}
		if byTaxonomy[ti.taxonomy] == nil {
			taxonomies = append(taxonomies, ti.taxonomy)
		}
		byTaxonomy[ti.taxonomy] = append(byTaxonomy[ti.taxonomy], id)
	}
	var access []int64
	for _, id := range uniqueIDs(q.AccessibilityIDs) {
		if ti, ok := found[id]; !ok || ti.code != linkwork.TaxonomyAccessibility {
			ps.Add(linkwork.FieldError("accessibility", "There is no accessibility term %d in this place.", id))
			continue
		}
		access = append(access, id)
	}
	if err := ps.Err(); err != nil {
		return nil, nil, err
	}
	sort.Slice(taxonomies, func(i, j int) bool { return taxonomies[i] < taxonomies[j] })
	groups := make([][]int64, len(taxonomies))
	for i, t := range taxonomies {
		groups[i] = byTaxonomy[t]
	}
	return groups, access, nil
}

// searchWords returns the words to search for, each misspelt one corrected to the nearest
// word the place's directory uses. A word is taken as misspelt when the vocabulary does not
// have it, a vocabulary word is near enough (linkwork.CorrectWord), and the word itself
// matches nothing: "walks" is not in a vocabulary that has "walking" and "talks", but the
// stemmer makes it match "walking", so it is kept. The database's own stemmer decides that,
// so Go needs none.
func (db *DB) searchWords(ctx context.Context, c conn, placeID int64, text string) ([]string, error) {
	words := linkwork.SearchQueryWords(text)
	var check []string
	for _, w := range words {
		if linkwork.TypoDistance(w) > 0 {
			check = append(check, w)
		}
	}
	if len(check) == 0 {
		return words, nil
	}
	known := map[string]bool{}
	rows, err := c.query(ctx, "SELECT word FROM search_words WHERE place_id = ? AND word IN "+placeholders(len(check)),
		append([]any{placeID}, anys(check)...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return nil, err
		}
		known[w] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, w := range words {
		if known[w] || linkwork.TypoDistance(w) == 0 {
			continue
		}
		d, n := linkwork.TypoDistance(w), utf8.RuneCountInString(w)
		vocab, err := db.vocabulary(ctx, c, placeID, n-d, n+d)
		if err != nil {
			return nil, err
		}
		best, ok := linkwork.CorrectWord(w, vocab)
		if !ok {
			continue
		}
		matches, err := db.textMatches(ctx, c, placeID, w)
		if err != nil {
			return nil, err
		}
		if !matches {
			words[i] = best
		}
	}
	// A correction may repeat a word already there.
	out := words[:0]
	seen := map[string]bool{}
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out, nil
}

// vocabulary returns the place's words with lengths in a range.
func (db *DB) vocabulary(ctx context.Context, c conn, placeID int64, minLen, maxLen int) ([]linkwork.VocabularyWord, error) {
	rows, err := c.query(ctx, "SELECT word, docs FROM search_words WHERE place_id = ? AND length BETWEEN ? AND ?", placeID, minLen, maxLen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []linkwork.VocabularyWord
	for rows.Next() {
		var v linkwork.VocabularyWord
		if err := rows.Scan(&v.Word, &v.Docs); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// textMatches reports whether a word, stemmed by the database, matches any of the place's
// services.
func (db *DB) textMatches(ctx context.Context, c conn, placeID int64, word string) (bool, error) {
	var n int
	var err error
	if db.dialect.name() == "postgres" {
		err = c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_documents d
			WHERE d.document @@ plainto_tsquery('english', ?) AND d.place_id = ? LIMIT 1) m`, []any{word, placeID}, &n)
	} else {
		err = c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM services_fts JOIN search_documents d ON d.service_id = services_fts.rowid
			WHERE services_fts MATCH ? AND d.place_id = ? LIMIT 1) m`, []any{ftsQuery([]string{word}), placeID}, &n)
	}
	return n > 0, err
}

// textSQL adds the full-text match of every word to a search.
func (db *DB) textSQL(sq *searchSQL, words []string) {
	if db.dialect.name() == "postgres" {
		sq.from = "search_documents d JOIN services s ON s.id = d.service_id CROSS JOIN plainto_tsquery('english', ?) AS tq (q)"
		sq.fromArgs = []any{strings.Join(words, " ")}
		sq.and("d.document @@ tq.q")
		sq.score = postgresScore
		return
	}
	// CROSS JOIN makes SQLite read the full-text matches first, which bm25 needs and which
	// narrow the search most.
	sq.from = "services_fts CROSS JOIN services s ON s.id = services_fts.rowid"
	sq.and("services_fts MATCH ?", ftsQuery(words))
	sq.score = sqliteScore
}

// ftsQuery is an FTS5 query for documents with every word. Each is quoted, so that no word
// is read as an operator; the words hold only letters and digits.
func ftsQuery(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(q, " AND ")
}

// searchPaged runs a search with nothing to measure from: SQL sorts and pages it.
func (db *DB) searchPaged(ctx context.Context, c conn, sq *searchSQL, q *linkwork.SearchQuery) ([]hit, int, error) {
	query := "SELECT s.id, 0, COUNT(*) OVER () FROM " + sq.from + sq.whereSQL() + " ORDER BY lower(s.name), s.id LIMIT ? OFFSET ?"
	if sq.score != "0" {
		// The score is taken in a subquery of its own: SQLite cannot run bm25 where a window
		// function is.
		query = "WITH m AS MATERIALIZED (SELECT s.id AS id, " + sq.score + " AS score, lower(s.name) AS name FROM " + sq.from + sq.whereSQL() +
			") SELECT id, score, COUNT(*) OVER () FROM m ORDER BY score DESC, name, id LIMIT ? OFFSET ?"
	}
	rows, err := db.searchQuery(ctx, c, query, sq.allArgs(q.Page.Size, q.Page.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	var hits []hit
	total := 0
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.score, &total); err != nil {
			rows.Close()
			return nil, 0, err
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(hits) == 0 && q.Page.Number > 1 {
		// Past the last page the window has no row to count on.
		err = c.queryRow(ctx, "SELECT COUNT(*) FROM "+sq.from+sq.whereSQL(), db.planEachTime(sq.allArgs()), &total)
	}
	return hits, total, err
}

// searchNear runs a search around a point. SQL finds the candidates' locations in a box
// around the circle (with the index on locations); Go measures each exactly, keeps each
// service's nearest location within the radius, then sorts, counts and pages.
func (db *DB) searchNear(ctx context.Context, c conn, sq *searchSQL, q *linkwork.SearchQuery, p linkwork.Point) ([]hit, int, error) {
	// A degree of latitude is 111.2 km everywhere; one of longitude shrinks with the cosine
	// of the latitude, taken at the box's edge nearer the pole. The margin covers rounding.
	dLat := q.RadiusKm / 111.19 * 1.01
	dLng := dLat / math.Cos((math.Abs(p.Lat)+dLat)*math.Pi/180)
	box := []any{p.Lat - dLat, p.Lat + dLat, p.Lng - dLng, p.Lng + dLng}
	var query string
	var args []any
	if sq.score != "0" {
		// The text match narrows most: find the matching services first, score each once,
		// then read their locations.
		// The box around a town holds most of its locations, so each service's are read
		// through the index on (service_id, lat, lng): on PostgreSQL a LATERAL subquery
		// with OFFSET 0 keeps the planner from scanning every location instead, which it
		// prefers when it underestimates the matches. SQLite reads them so already.
		locs := " JOIN locations l ON l.service_id = m.id WHERE l.lat BETWEEN ? AND ? AND l.lng BETWEEN ? AND ?"
		if db.dialect.name() == "postgres" {
			locs = ` CROSS JOIN LATERAL (SELECT l.id, l.lat, l.lng FROM locations l WHERE l.service_id = m.id
				AND l.lat BETWEEN ? AND ? AND l.lng BETWEEN ? AND ? OFFSET 0) l`
		}
		query = "WITH m AS MATERIALIZED (SELECT s.id AS id, " + sq.score + " AS score FROM " + sq.from + sq.whereSQL() +
			") SELECT m.id, m.score, l.id, l.lat, l.lng FROM m" + locs
		args = sq.allArgs(box...)
	} else {
		query = "SELECT s.id, 0, l.id, l.lat, l.lng FROM " + sq.from + " JOIN locations l ON l.service_id = s.id" + sq.whereSQL() +
			" AND l.lat BETWEEN ? AND ? AND l.lng BETWEEN ? AND ?"
		args = sq.allArgs(box...)
	}
	rows, err := db.searchQuery(ctx, c, query, args...)
	if err != nil {
		return nil, 0, err
	}
	best := map[int64]*hit{}
	for rows.Next() {
		var h hit
		var lat, lng float64
		if err := rows.Scan(&h.id, &h.score, &h.location, &lat, &lng); err != nil {
			rows.Close()
			return nil, 0, err
		}
		h.distance = linkwork.DistanceKm(p.Lat, p.Lng, lat, lng)
		if h.distance > q.RadiusKm {
			continue
		}
		if b, ok := best[h.id]; !ok || h.distance < b.distance || h.distance == b.distance && h.location < b.location {
			best[h.id] = &h
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	hits := make([]hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, *h)
	}
	byDistance := func(a, b hit) bool {
		if a.distance != b.distance {
			return a.distance < b.distance
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return a.id < b.id
	}
	less := byDistance
	if q.Sort == linkwork.SortRelevance {
		less = func(a, b hit) bool {
			if a.score != b.score {
				return a.score > b.score
			}
			return byDistance(a, b)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return less(hits[i], hits[j]) })
	total := len(hits)
	from := min(q.Page.Offset(), total)
	to := min(from+q.Page.Size, total)
	return hits[from:to], total, nil
}

// searchResults loads the services of a page of hits, in the hits' order.
func (db *DB) searchResults(ctx context.Context, c conn, hits []hit, words []string, near bool) ([]linkwork.SearchResult, error) {
	out := []linkwork.SearchResult{}
	if len(hits) == 0 {
		return out, nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	rows, err := c.query(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN "+
		placeholders(len(ids)), anys(ids)...)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*linkwork.Service{}
	var svcs []*linkwork.Service
	for rows.Next() {
		svc, err := scanService(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[svc.ID] = svc
		svcs = append(svcs, svc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := db.loadServiceLists(ctx, c, svcs); err != nil {
		return nil, err
	}
	now := db.Now()
	for _, h := range hits {
		svc := byID[h.id]
		if svc == nil {
			continue // removed since the search ran
		}
		r := linkwork.SearchResult{Service: svc, Snippet: linkwork.Snippet(svc.Description, words, snippetLength),
			Next: linkwork.NextOccurrence(svc.Schedules, now), Score: h.score}
		if near {
			d := h.distance
			r.DistanceKm = &d
			for i := range svc.Locations {
				if svc.Locations[i].ID == h.location {
					r.NearestLocation = &svc.Locations[i]
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// searchQuery runs a search's SQL, planned for its own values every time (planEachTime).
func (db *DB) searchQuery(ctx context.Context, c conn, query string, args ...any) (*sql.Rows, error) {
	return c.query(ctx, query, db.planEachTime(args)...)
}

// planEachTime makes PostgreSQL plan a query for the values it is run with. pgx otherwise
// prepares each statement once per connection, and after five runs PostgreSQL may switch a
// prepared statement to a generic plan that cannot see the words or the box searched for:
// for a search that plan is many times slower (0.7 s instead of 30 ms at 5,000 services). An
// unnamed statement, as QueryExecModeExec sends, is planned anew each time, in one round trip.
func (db *DB) planEachTime(args []any) []any {
	if db.dialect.name() != "postgres" {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// placeholders returns "(?, ?, …)" for n values.
func placeholders(n int) string {
	return "(?" + strings.Repeat(", ?", n-1) + ")"
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
