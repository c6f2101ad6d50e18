package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"linkwork"

	"github.com/jackc/pgx/v5"
)

// SearchService finds services in a place's directory: full text with facets (FTS5 on
// SQLite, a tsvector of the 'english' configuration's stems in a GIN index on PostgreSQL),
// corrected for typing mistakes against the place's vocabulary, ranked by where the words
// are, and measured from a postcode or point. See docs/search.md.
type SearchService struct{ db *DB }

// NewSearchService returns the directory search of db.
func NewSearchService(db *DB) *SearchService { return &SearchService{db: db} }

var _ linkwork.SearchService = (*SearchService)(nil)

// snippetLength is the length of a result's description snippet, in characters.
const snippetLength = 240

// searchable is the statuses search finds: a temporarily closed service is shown, so that
// people know it exists and will be back. The index knows them as the place facet.
const searchable = "s.status IN ('active', 'temporarily closed')"

// Relevance tiers: a service whose name has every word ranks above one whose name and terms
// (its needs and the like) have them all, which ranks above the rest. Within a tier a search
// near somewhere puts the nearer first, one elsewhere the name in alphabetical order. The
// tier is the result's Score; both databases find the same tiers, so they give the same order.
const (
	tierName      = 3
	tierNameTerms = 2
	tierAnywhere  = 1
)

// hit is a service found, before its details are loaded.
type hit struct {
	id    int64
	score float64 // the tier, 0 without text
	near  float64 // the greatest dot product of its points with where the search is (see unitVector)
}

// searchPlan is a search ready to run: its words, filters and the SQL conditions that the
// index cannot answer (age, days and times).
type searchPlan struct {
	q      *linkwork.SearchQuery
	words  []string
	groups [][]int64 // one group of terms per taxonomy: any of them will do
	access []int64   // accessibility terms: all are needed
	conds  []string  // conditions on services s
	args   []any
}

func newSearchPlan(q *linkwork.SearchQuery, words []string, groups [][]int64, access []int64) *searchPlan {
	p := &searchPlan{q: q, words: words, groups: groups, access: access}
	if q.Age != nil {
		p.conds = append(p.conds, "(s.min_age IS NULL OR s.min_age <= ?) AND (s.max_age IS NULL OR s.max_age >= ?)")
		p.args = append(p.args, *q.Age, *q.Age)
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
		p.conds = append(p.conds, "EXISTS (SELECT 1 FROM schedules sc WHERE sc.service_id = s.id AND (sc.days & ?) <> 0 AND sc.closes > ? AND sc.opens < ?)")
		p.args = append(p.args, mask, from, to)
	}
	return p
}

// condSQL is " AND " and the conditions on services, or nothing.
func (p *searchPlan) condSQL() string {
	if len(p.conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(p.conds, " AND ")
}

// Search finds a page of services and counts them all. See linkwork.SearchQuery for what
// each condition means.
func (s *SearchService) Search(ctx context.Context, q linkwork.SearchQuery) ([]linkwork.SearchResult, int, error) {
	return s.search(ctx, s.db.read(), q)
}

func (s *SearchService) search(ctx context.Context, c conn, q linkwork.SearchQuery) ([]linkwork.SearchResult, int, error) {
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	db := s.db
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
	p := newSearchPlan(&q, words, groups, access)
	var hits []hit
	var total int
	switch {
	case origin != nil && db.dialect.name() == "postgres":
		hits, total, err = db.postgresNear(ctx, c, p, *origin)
	case origin != nil:
		hits, total, err = db.sqliteNear(ctx, c, p, *origin)
	case len(words) > 0 && db.dialect.name() == "postgres":
		hits, total, err = db.postgresText(ctx, c, p)
	case len(words) > 0:
		hits, total, err = db.sqliteText(ctx, c, p)
	default:
		hits, total, err = db.searchBrowse(ctx, c, p)
	}
	if err != nil {
		return nil, 0, err
	}
	results, err := db.searchResults(ctx, c, hits, words, origin)
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
// services, whatever their status.
func (db *DB) textMatches(ctx context.Context, c conn, placeID int64, word string) (bool, error) {
	var n int
	var err error
	if db.dialect.name() == "postgres" {
		err = c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_rows r
			WHERE r.document @@ plainto_tsquery('english', ?) AND r.place_id = ? LIMIT 1) m`, []any{word, placeID}, &n)
	} else {
		err = c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_fts JOIN search_documents d ON d.service_id = search_fts.rowid
			WHERE search_fts MATCH ? AND d.place_id = ? LIMIT 1) m`, []any{ftsWords([]string{word}), placeID}, &n)
	}
	return n > 0, err
}

// The FTS5 queries of a search. Every word is quoted, so that none is read as an operator;
// words hold only letters and digits, facets also "_".

// ftsWords matches documents with every word, in any field.
func ftsWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(q, " AND ")
}

// ftsFacets matches the documents that pass the filters the index holds: the place (and a
// searchable status) when withPlace, each taxonomy's terms, each accessibility term, the kind
// and cost. It is "" when there are none.
func ftsFacets(p *searchPlan, withPlace bool) string {
	return facetQuery(p, withPlace, func(f string) string { return `"` + f + `"` }, " AND ", " OR ")
}

// facetQuery writes the facets a search requires in a query language: quote makes a facet a
// term, and and or join terms.
func facetQuery(p *searchPlan, withPlace bool, quote func(string) string, and, or string) string {
	var parts []string
	if withPlace {
		parts = append(parts, quote(placeFacet(p.q.PlaceID)))
	}
	for _, g := range p.groups {
		alts := make([]string, len(g))
		for i, id := range g {
			alts[i] = quote(termFacet(id))
		}
		parts = append(parts, "("+strings.Join(alts, or)+")")
	}
	for _, id := range p.access {
		parts = append(parts, quote(termFacet(id)))
	}
	if p.q.Kind != "" {
		parts = append(parts, quote(kindFacet(p.q.Kind)))
	}
	if p.q.FreeOnly {
		parts = append(parts, quote(facetFree))
	}
	return strings.Join(parts, and)
}

// ftsAnd joins FTS5 expressions with AND, leaving out empty ones.
func ftsAnd(exprs ...string) string {
	var parts []string
	for _, e := range exprs {
		if e != "" {
			parts = append(parts, "("+e+")")
		}
	}
	return strings.Join(parts, " AND ")
}

// ftsIn restricts an FTS5 expression to some of the columns.
func ftsIn(columns, expr string) string { return "{" + columns + "} : (" + expr + ")" }

// The PostgreSQL conditions of a search, on search_rows r. w.q is the words as
// plainto_tsquery('english', …) makes them (every stem must match); facets are lexemes as
// they are.

// pgFacets is the tsquery of the filters the index holds, with the place (and a searchable
// status) always.
func pgFacets(p *searchPlan) string {
	return facetQuery(p, true, func(f string) string { return "'" + f + "'" }, " & ", " | ")
}

// pgMatch is a search's condition on search_rows r, and its arguments.
func pgMatch(p *searchPlan) (string, []any) {
	if len(p.words) == 0 {
		return "r.document @@ ?::tsquery", []any{pgFacets(p)}
	}
	return "r.document @@ (w.q && ?::tsquery)", []any{pgFacets(p)}
}

// pgTier is the relevance tier of a search row r.
func pgTier(p *searchPlan) string {
	if len(p.words) == 0 {
		return "0"
	}
	return "CASE WHEN r.name_stems @@ w.q THEN 3 WHEN r.tier_stems @@ w.q THEN 2 ELSE 1 END"
}

// pgFrom is search_rows r with the words' tsquery (w.q), joined to services s when the plan
// has conditions on them, and its arguments.
func pgFrom(p *searchPlan) (string, []any) {
	from, args := "search_rows r", []any(nil)
	if len(p.words) > 0 {
		from += " CROSS JOIN (SELECT plainto_tsquery('english', ?) AS q) w"
		args = append(args, strings.Join(p.words, " "))
	}
	if len(p.conds) > 0 {
		from += " JOIN services s ON s.id = r.service_id"
	}
	return from, args
}

// pgNearness is the greatest dot product of a search row's points with o (ox, oy, oz): of
// its inline points and, when it has more, of its search_points.
func pgNearness() string {
	point := func(x, y, z string) string { return x + " * o.ox + " + y + " * o.oy + " + z + " * o.oz" }
	return "GREATEST(" + point("r.x1", "r.y1", "r.z1") + ", " + point("r.x2", "r.y2", "r.z2") + ", " + point("r.x3", "r.y3", "r.z3") +
		", CASE WHEN r.more_points THEN (SELECT max(" + point("sp.x", "sp.y", "sp.z") +
		") FROM search_points sp WHERE sp.service_id = r.service_id) END)"
}

// postgresNear runs a search around a point on PostgreSQL: the index finds the matches, and
// SQL ranks each, measures its points, keeps those within the radius, counts them and
// returns the page.
func (db *DB) postgresNear(ctx context.Context, c conn, p *searchPlan, origin linkwork.Point) ([]hit, int, error) {
	o := degreesVector(origin.Lat, origin.Lng)
	from, fromArgs := pgFrom(p)
	match, matchArgs := pgMatch(p)
	// OFFSET 0 keeps the subquery whole, so that each row is measured once.
	inner := "SELECT r.service_id AS id, " + pgTier(p) + " AS tier, " + pgNearness() + " AS near FROM " + from +
		" CROSS JOIN (SELECT ?::double precision AS ox, ?::double precision AS oy, ?::double precision AS oz) o WHERE " +
		match + p.condSQL() + " OFFSET 0"
	args := append(append(append(append([]any{}, fromArgs...), o.x, o.y, o.z), matchArgs...), p.args...)
	order := " ORDER BY tier DESC, near DESC, id"
	if p.q.Sort == linkwork.SortDistance {
		order = " ORDER BY near DESC, tier DESC, id"
	}
	args = append(args, radiusCos(p.q.RadiusKm))
	return db.pagedHits(ctx, c, "SELECT id, tier, near, COUNT(*) OVER () FROM ("+inner+") m WHERE near >= ?"+order,
		"SELECT COUNT(*) FROM ("+inner+") m WHERE near >= ?", args, p.q.Page)
}

// postgresText runs a search for words, not near anywhere, on PostgreSQL.
func (db *DB) postgresText(ctx context.Context, c conn, p *searchPlan) ([]hit, int, error) {
	from, fromArgs := pgFrom(p)
	match, matchArgs := pgMatch(p)
	inner := "SELECT r.service_id AS id, " + pgTier(p) + " AS tier, r.name_key FROM " + from + " WHERE " + match + p.condSQL() + " OFFSET 0"
	args := append(append(append([]any{}, fromArgs...), matchArgs...), p.args...)
	return db.pagedHits(ctx, c, "SELECT id, tier, 0, COUNT(*) OVER () FROM ("+inner+") m ORDER BY tier DESC, name_key, id",
		"SELECT COUNT(*) FROM ("+inner+") m", args, p.q.Page)
}

// pagedHits runs a query for (id, score, near, total) rows, adding its LIMIT and OFFSET, and
// counts with another past the last page, where no row carries the total.
func (db *DB) pagedHits(ctx context.Context, c conn, query, count string, args []any, page linkwork.Page) ([]hit, int, error) {
	rows, err := db.searchQuery(ctx, c, query+" LIMIT ? OFFSET ?", append(args, page.Size, page.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	var hits []hit
	total := 0
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.score, &h.near, &total); err != nil {
			rows.Close()
			return nil, 0, err
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(hits) == 0 && page.Offset() > 0 {
		err = c.queryRow(ctx, count, db.planEachTime(args), &total)
	}
	return hits, total, err
}

// sqliteText runs a search for words, not near anywhere, on SQLite: FTS5 counts the matches
// of each tier (in the name; in the name and terms; anywhere), then SQL sorts the tier or
// two that the page falls in by name.
func (db *DB) sqliteText(ctx context.Context, c conn, p *searchPlan) ([]hit, int, error) {
	words, facets := ftsWords(p.words), ftsFacets(p, true)
	tiers := []struct {
		score float64
		match string
	}{
		{tierName, ftsAnd(ftsIn("name", words), facets)},
		{tierNameTerms, "(" + ftsAnd(ftsIn("name terms", words), facets) + ") NOT (" + ftsIn("name", words) + ")"},
		{tierAnywhere, "(" + ftsAnd(words, facets) + ") NOT (" + ftsIn("name terms", words) + ")"},
	}
	from := "search_fts"
	if len(p.conds) > 0 {
		from = "search_fts CROSS JOIN services s ON s.id = search_fts.rowid"
	}
	counts := make([]int, len(tiers))
	total := 0
	for i, t := range tiers {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+from+" WHERE search_fts MATCH ?"+p.condSQL(),
			append([]any{t.match}, p.args...), &counts[i]); err != nil {
			return nil, 0, err
		}
		total += counts[i]
	}
	var hits []hit
	offset, size := p.q.Page.Offset(), p.q.Page.Size
	for i, t := range tiers {
		if size == 0 {
			break
		}
		if offset >= counts[i] {
			offset -= counts[i]
			continue
		}
		rows, err := c.query(ctx, "SELECT s.id FROM search_fts CROSS JOIN services s ON s.id = search_fts.rowid WHERE search_fts MATCH ?"+
			p.condSQL()+" ORDER BY lower(s.name), s.id LIMIT ? OFFSET ?", append(append([]any{t.match}, p.args...), size, offset)...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			h := hit{score: t.score}
			if err := rows.Scan(&h.id); err != nil {
				rows.Close()
				return nil, 0, err
			}
			hits = append(hits, h)
			size--
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
		offset = 0
	}
	return hits, total, nil
}

// sqliteNear runs a search around a point on SQLite. FTS5 finds the matching services' IDs
// (with the filters as facets); Go reads where the place's services are from search_blocks,
// keeps the matches with a point within the radius, ranks them and cuts the page. Only the
// IDs, the blocks and the page cross from SQLite into Go: SQL that visited each match's rows
// would cost more than the whole search may.
func (db *DB) sqliteNear(ctx context.Context, c conn, p *searchPlan, origin linkwork.Point) ([]hit, int, error) {
	match := ftsAnd(ftsWords(p.words), ftsFacets(p, false))
	var cands []int64
	all := false
	var err error
	switch {
	case match != "" && len(p.conds) == 0:
		cands, err = queryIDs(ctx, c, "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?", match)
	case match != "":
		cands, err = queryIDs(ctx, c, "SELECT group_concat(search_fts.rowid) FROM search_fts CROSS JOIN services s ON s.id = search_fts.rowid"+
			" WHERE search_fts MATCH ?"+p.condSQL(), append([]any{match}, p.args...)...)
	case len(p.conds) > 0:
		cands, err = queryIDs(ctx, c, "SELECT group_concat(s.id) FROM services s WHERE s.place_id = ? AND "+searchable+p.condSQL(),
			append([]any{p.q.PlaceID}, p.args...)...)
	default:
		all = true // every searchable service of the place with a point
	}
	if err != nil {
		return nil, 0, err
	}
	hits, err := measureBlocks(ctx, c, p.q.PlaceID, cands, all, degreesVector(origin.Lat, origin.Lng), radiusCos(p.q.RadiusKm))
	if err != nil {
		return nil, 0, err
	}
	byRelevance := func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.near, a.near), cmp.Compare(a.id, b.id))
	}
	byDistance := func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.near, a.near), cmp.Compare(b.score, a.score), cmp.Compare(a.id, b.id))
	}
	order := byRelevance
	if p.q.Sort == linkwork.SortDistance {
		order = byDistance
	}
	total, pool := len(hits), hits
	if len(p.words) > 0 {
		// The tiers, from the words alone: hits are in ID order, as the lists are.
		words := ftsWords(p.words)
		inName, err := queryIDs(ctx, c, "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?", ftsIn("name", words))
		if err != nil {
			return nil, 0, err
		}
		named := markTier(hits, inName, tierName)
		if p.q.Sort == linkwork.SortRelevance && named >= p.q.Page.Offset()+p.q.Page.Size {
			// The page is among the services named for the words: the rest need no tier.
			pool = slices.DeleteFunc(slices.Clone(hits), func(h hit) bool { return h.score != tierName })
		} else {
			inTerms, err := queryIDs(ctx, c, "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?",
				"("+ftsIn("name terms", words)+") NOT ("+ftsIn("name", words)+")")
			if err != nil {
				return nil, 0, err
			}
			markTier(hits, inTerms, tierNameTerms)
			for i := range hits {
				if hits[i].score == 0 {
					hits[i].score = tierAnywhere
				}
			}
		}
	}
	return pageOf(pool, p.q.Page, order), total, nil
}

// markTier sets the score of the hits whose IDs are in ids (both in ascending order) and
// returns how many it set.
func markTier(hits []hit, ids []int64, score float64) int {
	n, k := 0, 0
	for i := range hits {
		for k < len(ids) && ids[k] < hits[i].id {
			k++
		}
		if k < len(ids) && ids[k] == hits[i].id {
			hits[i].score = score
			n++
		}
	}
	return n
}

// pageOf returns a page of hits in an order, sorting only as many as the page needs.
func pageOf(hits []hit, page linkwork.Page, order func(a, b hit) int) []hit {
	from := min(page.Offset(), len(hits))
	to := min(from+page.Size, len(hits))
	if to == 0 {
		return nil
	}
	if to*8 < len(hits) {
		// Keep the best `to` in a sorted buffer: each hit costs a comparison with the worst.
		best := make([]hit, 0, to)
		for _, h := range hits {
			if len(best) == to && order(h, best[to-1]) >= 0 {
				continue
			}
			i, _ := slices.BinarySearchFunc(best, h, order)
			if len(best) == to {
				best = best[:to-1]
			}
			best = slices.Insert(best, i, h)
		}
		return best[from:to]
	}
	slices.SortFunc(hits, order)
	return hits[from:to]
}

// queryIDs runs a query for one group_concat of IDs and returns them in ascending order.
func queryIDs(ctx context.Context, c conn, query string, args ...any) ([]int64, error) {
	var list sql.NullString
	if err := c.queryRow(ctx, query, args, &list); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, strings.Count(list.String, ",")+1)
	for s := list.String; s != ""; {
		part, rest, _ := strings.Cut(s, ",")
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
		s = rest
	}
	if !slices.IsSorted(ids) {
		slices.Sort(ids)
	}
	return ids, nil
}

// measureBlocks reads the place's search_blocks and returns, in ID order, each candidate
// (or every service, when all) that has a point whose dot product with o reaches least, with
// the greatest of them. Only the blocks that hold candidates are read when they are few.
func measureBlocks(ctx context.Context, c conn, placeID int64, cands []int64, all bool, o unitVector, least float64) ([]hit, error) {
	if !all && len(cands) == 0 {
		return nil, nil
	}
	query, args := "SELECT data FROM search_blocks WHERE place_id = ? ORDER BY block", []any{placeID}
	if !all {
		var blocks []int64
		for _, id := range cands {
			if b := id >> blockShift; len(blocks) == 0 || blocks[len(blocks)-1] != b {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) <= 64 {
			query = "SELECT data FROM search_blocks WHERE place_id = ? AND block IN " + placeholders(len(blocks)) + " ORDER BY block"
			args = append(args, anys(blocks)...)
		}
	}
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []hit
	k := 0
	for rows.Next() {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		for p := 0; p+blockHeaderLength <= len(data); {
			id := int64(binary.BigEndian.Uint64(data[p:]))
			n := int(binary.BigEndian.Uint32(data[p+8:]))
			pts := data[p+blockHeaderLength : p+blockHeaderLength+n*blockPointLength]
			p += blockHeaderLength + n*blockPointLength
			if !all {
				for k < len(cands) && cands[k] < id {
					k++
				}
				if k == len(cands) {
					return hits, nil
				}
				if cands[k] != id {
					continue
				}
			}
			best := math.Inf(-1)
			for q := 0; q < len(pts); q += blockPointLength {
				pt := geoPoint{int32(binary.BigEndian.Uint32(pts[q:])), int32(binary.BigEndian.Uint32(pts[q+4:]))}
				best = max(best, dot(pt.vector(), o))
			}
			if best >= least {
				hits = append(hits, hit{id: id, near: best})
			}
		}
	}
	return hits, rows.Err()
}

// searchBrowse lists services without words or a place to measure from: SQL filters them on
// the normalised tables, sorts them by name, counts them (COUNT(*) OVER ()) and pages.
func (db *DB) searchBrowse(ctx context.Context, c conn, p *searchPlan) ([]hit, int, error) {
	where := []string{"s.place_id = ?", searchable}
	args := []any{p.q.PlaceID}
	if p.q.Kind != "" {
		where, args = append(where, "s.kind = ?"), append(args, string(p.q.Kind))
	}
	if p.q.FreeOnly {
		where, args = append(where, "s.free = ?"), append(args, true)
	}
	for _, g := range p.groups {
		where = append(where, "EXISTS (SELECT 1 FROM service_terms st WHERE st.service_id = s.id AND st.term_id IN "+placeholders(len(g))+")")
		args = append(args, anys(g)...)
	}
	for _, id := range p.access {
		where, args = append(where, "EXISTS (SELECT 1 FROM service_terms st WHERE st.service_id = s.id AND st.term_id = ?)"), append(args, id)
	}
	where, args = append(where, p.conds...), append(args, p.args...)
	from := " FROM services s WHERE " + strings.Join(where, " AND ")
	return db.pagedHits(ctx, c, "SELECT s.id, 0, 0, COUNT(*) OVER ()"+from+" ORDER BY lower(s.name), s.id", "SELECT COUNT(*)"+from,
		args, p.q.Page)
}

// searchResults loads the services of a page of hits, in the hits' order. Near a point, each
// gets its nearest location, measured again from the service's own coordinates.
func (db *DB) searchResults(ctx context.Context, c conn, hits []hit, words []string, origin *linkwork.Point) ([]linkwork.SearchResult, error) {
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
		if origin != nil {
			if l := nearestLocation(svc.Locations, *origin); l != nil {
				d := linkwork.DistanceKm(origin.Lat, origin.Lng, *l.Lat, *l.Lng)
				r.DistanceKm, r.NearestLocation = &d, l
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// nearestLocation returns the location nearest to a point, as search measures (from its
// indexed point), the one with the lower ID of two as near.
func nearestLocation(locs []linkwork.Location, origin linkwork.Point) *linkwork.Location {
	o := degreesVector(origin.Lat, origin.Lng)
	var best *linkwork.Location
	bestNear := math.Inf(-1)
	for i := range locs {
		l := &locs[i]
		if l.Lat == nil || l.Lng == nil {
			continue
		}
		near := dot(geoPoint{quantize(*l.Lat), quantize(*l.Lng)}.vector(), o)
		if best == nil || near > bestNear || near == bestNear && l.ID < best.ID {
			best, bestNear = l, near
		}
	}
	return best
}

// searchQuery runs a search's SQL, planned for its own values every time (planEachTime).
func (db *DB) searchQuery(ctx context.Context, c conn, query string, args ...any) (*sql.Rows, error) {
	return c.query(ctx, query, db.planEachTime(args)...)
}

// planEachTime makes PostgreSQL plan a query for the values it is run with. pgx otherwise
// prepares each statement once per connection, and after five runs PostgreSQL may switch a
// prepared statement to a generic plan that cannot see the words searched for: for a search
// that plan can be many times slower (0.7 s instead of 30 ms at 5,000 services). An
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
