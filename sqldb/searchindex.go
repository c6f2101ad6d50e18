package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

// The search index is kept in step with the directory inside the transactions that write
// services (CreateService, UpdateService, BulkInsertServices, the Open Referral import), so
// that a search never sees a service as it was before a change that has committed. It has
// these parts:
//
//   - the full-text index: search_fts (FTS5) on SQLite, search_rows.document (a tsvector
//     of the 'english' configuration's stems, in a GIN index) on PostgreSQL, both fed the
//     same words (linkwork.SearchText) and the same facet tokens (searchFacets), so that
//     filters are an intersection inside the index;
//   - where each service is: on SQLite the blocks of search_blocks, read whole by a search
//     near somewhere; on PostgreSQL unit vectors in the service's search_rows row (and
//     search_points past the third location), for SQL to measure;
//   - search_documents.words: the words each service added to the vocabulary;
//   - search_words: each place's vocabulary with how many services use each word, which
//     misspelt search words are corrected against.
//
// An organisation's or a term's new name reaches the index when each of its services is next
// written, or at once through Reindex. Facets hold term IDs, not names, so a rename never
// changes what a filter finds.

// searchDoc is a service as search indexes it: each field as its words, its facets and its
// located points.
type searchDoc struct {
	serviceID, placeID                            int64
	name, organisation, terms, description, areas string
	words                                         []string // linkwork.VocabularyWords of them all
	rawName                                       string   // sorted on, as lower(name)
	live                                          bool     // found by search at all
	facets                                        []string // searchFacets
	points                                        []geoPoint
}

// newSearchDoc makes a service's search document; termNames are the names of its terms in
// the order of their IDs.
func newSearchDoc(svc *linkwork.Service, termNames []string) searchDoc {
	d := searchDoc{serviceID: svc.ID, placeID: svc.PlaceID, name: linkwork.SearchText(svc.Name),
		organisation: linkwork.SearchText(svc.OrganisationName), terms: linkwork.SearchText(strings.Join(termNames, " ")),
		description: linkwork.SearchText(svc.Description), areas: linkwork.SearchText(strings.Join(svc.Areas, " ")),
		rawName: svc.Name, live: searchableStatus(svc.Status)}
	d.words = linkwork.VocabularyWords(d.name, d.organisation, d.terms, d.description, d.areas)
	d.facets = searchFacets(svc.PlaceID, d.live, svc.Kind, svc.Free, svc.TermIDs)
	d.points = geoPoints(svc.Locations)
	return d
}

// searchableStatus reports whether search finds a service of a status (see searchable).
func searchableStatus(s linkwork.ServiceStatus) bool {
	return s == linkwork.StatusActive || s == linkwork.StatusTemporarilyClosed
}

// Facet tokens. Each is indexed with the service's words, so that a filter is one more term
// of the full-text query. They begin with "_", which linkwork.SearchTokens never leaves in a
// word, so that no word can match one (FTS5 is told to keep "_" inside tokens).
const (
	facetFree        = "_f"  // free of charge
	facetActivity    = "_ka" // kind activity
	facetScheme      = "_kc" // kind connector scheme
	facetPlacePrefix = "_p"  // _p<place ID>: a searchable (running or temporarily closed) service of the place
	facetTermPrefix  = "_t"  // _t<term ID>: has the taxonomy term
)

// Points and blocks.
const (
	coordinateScale   = 1e7 // points are indexed in units of 1e-7 degree (about a centimetre)
	blockShift        = 8   // a search_blocks block holds the services whose ID >> blockShift is its number
	blockHeaderLength = 12  // service ID (8 bytes) and number of points (4)
	blockPointLength  = 8   // latitude and longitude (4 bytes each)
)

func placeFacet(placeID int64) string { return facetPlacePrefix + strconv.FormatInt(placeID, 10) }
func termFacet(termID int64) string   { return facetTermPrefix + strconv.FormatInt(termID, 10) }

func kindFacet(k linkwork.ServiceKind) string {
	if k == linkwork.KindScheme {
		return facetScheme
	}
	return facetActivity
}

// searchFacets returns a service's facet tokens: its place (only while it is searchable),
// kind, cost and terms (by ascending ID).
func searchFacets(placeID int64, live bool, kind linkwork.ServiceKind, free bool, termIDs []int64) []string {
	var out []string
	if live {
		out = append(out, placeFacet(placeID))
	}
	out = append(out, kindFacet(kind))
	if free {
		out = append(out, facetFree)
	}
	for _, id := range slices.Sorted(slices.Values(uniqueIDs(termIDs))) {
		out = append(out, termFacet(id))
	}
	return out
}

// geoPoint is a location as search measures it, in units of 1e-7 degree. Postcode
// coordinates have six decimals, so they are indexed exactly.
type geoPoint struct{ lat, lng int32 }

func quantize(deg float64) int32 { return int32(math.Round(deg * coordinateScale)) }

// geoPoints returns the points of the locations that have coordinates, in their order.
func geoPoints(locs []linkwork.Location) []geoPoint {
	var out []geoPoint
	for _, l := range locs {
		if l.Lat != nil && l.Lng != nil {
			out = append(out, geoPoint{quantize(*l.Lat), quantize(*l.Lng)})
		}
	}
	return out
}

// unitVector is a point on the unit sphere. The dot product of two is the cosine of the
// angle between them, which falls as the great-circle distance grows: search keeps the
// points whose dot product with where the search is reaches the cosine of the radius, and
// the greatest is the nearest. That is three products and two sums a point, with no sine or
// arc-sine; it is exact to well under a millimetre beyond a metre or so (the cosine of a
// small angle loses its last digits), and points at the same place tie exactly. Both
// databases see the vectors that vector computes, bit for bit: PostgreSQL stores them, and
// SQLite's search computes them from the same indexed points, so the two find the same
// services at the edge of a circle and order ties alike.
type unitVector struct{ x, y, z float64 }

func (p geoPoint) vector() unitVector {
	const toRadians = math.Pi / 180 / coordinateScale
	return sphereVector(float64(p.lat)*toRadians, float64(p.lng)*toRadians)
}

// degreesVector is the unit vector of a point given in degrees, such as where a search is.
func degreesVector(lat, lng float64) unitVector {
	return sphereVector(lat*(math.Pi/180), lng*(math.Pi/180))
}

func sphereVector(lat, lng float64) unitVector {
	sinLat, cosLat := math.Sincos(lat)
	sinLng, cosLng := math.Sincos(lng)
	return unitVector{cosLat * cosLng, cosLat * sinLng, sinLat}
}

// dot is the dot product of two unit vectors, summed in the order PostgreSQL sums
// x1 * ox + y1 * oy + z1 * oz; the conversions stop Go from fusing a product and a sum into
// one instruction, which would round differently.
func dot(a, b unitVector) float64 {
	return float64(float64(float64(a.x*b.x)+float64(a.y*b.y)) + float64(a.z*b.z))
}

// searchEarthRadiusKm is the radius linkwork.DistanceKm measures with.
const searchEarthRadiusKm = 6371.0088

// radiusCos is the least dot product of two points within a great-circle distance in km.
func radiusCos(km float64) float64 { return math.Cos(km / searchEarthRadiusKm) }

// indexService brings the index up to date with a service just written, in its transaction.
func (db *DB) indexService(ctx context.Context, c conn, svc *linkwork.Service) error {
	names := []string{}
	if len(svc.TermIDs) > 0 {
		var err error
		names, err = c.queryStrings(ctx, "SELECT name FROM taxonomy_terms WHERE id IN "+placeholders(len(svc.TermIDs))+" ORDER BY id",
			anys(svc.TermIDs)...)
		if err != nil {
			return err
		}
	}
	doc := newSearchDoc(svc, names)

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
			if _, err := c.exec(ctx, "DELETE FROM search_fts WHERE rowid = ?", svc.ID); err != nil {
				return err
			}
			if oldPlace != doc.placeID {
				// Take the service out of its old place's block.
				if err := writeSearchBlocks(ctx, c, []searchDoc{{serviceID: svc.ID, placeID: oldPlace}}); err != nil {
					return err
				}
			}
		} else if _, err := c.exec(ctx, "DELETE FROM search_points WHERE service_id = ?", svc.ID); err != nil {
			return err
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

// postgresInlinePoints is how many of a service's points its search_rows row holds;
// search_points holds the rest.
const postgresInlinePoints = 3

// postgresStems is a text's stems as PostgreSQL's 'english' configuration makes them, as a
// tsvector without positions.
const postgresStems = "strip(to_tsvector('english', ?))"

// writeSearchDocs stores documents of services whose old full-text rows (and on PostgreSQL
// extra points) are gone, or never were. It does not touch the vocabulary.
func (db *DB) writeSearchDocs(ctx context.Context, c conn, docs []searchDoc) error {
	plain := make([][]any, len(docs))
	for i, d := range docs {
		plain[i] = []any{d.serviceID, d.placeID, strings.Join(d.words, " ")}
	}
	if err := insertRows(ctx, c, "INSERT INTO search_documents (service_id, place_id, words) VALUES ", "(?, ?, ?)", plain,
		" ON CONFLICT (service_id) DO UPDATE SET place_id = excluded.place_id, words = excluded.words"); err != nil {
		return err
	}
	if db.dialect.name() == "postgres" {
		rows := make([][]any, len(docs))
		var extra [][]any
		for i, d := range docs {
			row := []any{d.serviceID, d.placeID, len(d.points) > postgresInlinePoints}
			for k := range postgresInlinePoints {
				if k < len(d.points) {
					v := d.points[k].vector()
					row = append(row, v.x, v.y, v.z)
				} else {
					row = append(row, nil, nil, nil)
				}
			}
			rows[i] = append(row, d.rawName, d.name, d.name+" "+d.terms,
				strings.Join([]string{d.name, d.terms, d.organisation, d.description, d.areas}, " "), strings.Join(d.facets, " "))
			for k := postgresInlinePoints; k < len(d.points); k++ {
				v := d.points[k].vector()
				extra = append(extra, []any{d.serviceID, k, v.x, v.y, v.z})
			}
		}
		if err := insertRows(ctx, c, `INSERT INTO search_rows (service_id, place_id, more_points, x1, y1, z1, x2, y2, z2, x3, y3, z3,
			name_key, name_stems, tier_stems, document) VALUES `,
			"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, lower(?), "+postgresStems+", "+postgresStems+", "+postgresStems+
				" || array_to_tsvector(string_to_array(?, ' ')))", rows, ` ON CONFLICT (service_id) DO UPDATE SET place_id = excluded.place_id,
			more_points = excluded.more_points, x1 = excluded.x1, y1 = excluded.y1, z1 = excluded.z1, x2 = excluded.x2,
			y2 = excluded.y2, z2 = excluded.z2, x3 = excluded.x3, y3 = excluded.y3, z3 = excluded.z3, name_key = excluded.name_key,
			name_stems = excluded.name_stems, tier_stems = excluded.tier_stems, document = excluded.document`); err != nil {
			return err
		}
		return insertRows(ctx, c, "INSERT INTO search_points (service_id, position, x, y, z) VALUES ", "(?, ?, ?, ?, ?)", extra, "")
	}
	fts := make([][]any, len(docs))
	for i, d := range docs {
		fts[i] = []any{d.serviceID, d.name, d.organisation, d.terms, d.description, d.areas, strings.Join(d.facets, " ")}
	}
	if err := insertRows(ctx, c, "INSERT INTO search_fts (rowid, name, organisation, terms, description, areas, facets) VALUES ",
		"(?, ?, ?, ?, ?, ?, ?)", fts, ""); err != nil {
		return err
	}
	return writeSearchBlocks(ctx, c, docs)
}

// SQLite keeps where services are in search_blocks: one row per place and range of 256
// service IDs, holding each searchable service with a located point, in ID order, as
//
//	service ID (8 bytes) | number of points n (4) | n × (latitude, longitude) (4 + 4)
//
// big-endian, the coordinates in units of 1e-7 degree. A search near somewhere reads the
// place's blocks whole (about 2.9 MB for 100,000 services with 250,000 locations) rather
// than a row per candidate: SQLite, compiled to Go, spends about a microsecond on each row
// it visits, which for the 8,000 candidates of a common word is most of the budget.

// blockRecord is a service's entry in a block.
type blockRecord struct {
	id     int64
	points []geoPoint
}

func decodeBlock(data []byte) []blockRecord {
	var out []blockRecord
	for p := 0; p+blockHeaderLength <= len(data); {
		id := int64(binary.BigEndian.Uint64(data[p:]))
		n := int(binary.BigEndian.Uint32(data[p+8:]))
		p += blockHeaderLength
		r := blockRecord{id: id, points: make([]geoPoint, n)}
		for k := range n {
			r.points[k] = geoPoint{int32(binary.BigEndian.Uint32(data[p:])), int32(binary.BigEndian.Uint32(data[p+4:]))}
			p += blockPointLength
		}
		out = append(out, r)
	}
	return out
}

func encodeBlock(recs []blockRecord) []byte {
	n := 0
	for _, r := range recs {
		n += blockHeaderLength + blockPointLength*len(r.points)
	}
	out := make([]byte, 0, n)
	for _, r := range recs {
		out = binary.BigEndian.AppendUint64(out, uint64(r.id))
		out = binary.BigEndian.AppendUint32(out, uint32(len(r.points)))
		for _, p := range r.points {
			out = binary.BigEndian.AppendUint32(out, uint32(p.lat))
			out = binary.BigEndian.AppendUint32(out, uint32(p.lng))
		}
	}
	return out
}

// writeSearchBlocks brings the blocks of the documents' services up to date: a service is
// taken out of its block, then put back if it is searchable and has a point. Blocks are
// rewritten in key order.
func writeSearchBlocks(ctx context.Context, c conn, docs []searchDoc) error {
	type key struct{ place, block int64 }
	byBlock := map[key][]searchDoc{}
	var keys []key
	for _, d := range docs {
		k := key{d.placeID, d.serviceID >> blockShift}
		if byBlock[k] == nil {
			keys = append(keys, k)
		}
		byBlock[k] = append(byBlock[k], d)
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.place, b.place), cmp.Compare(a.block, b.block)) })
	for _, k := range keys {
		var data []byte
		err := c.queryRow(ctx, "SELECT data FROM search_blocks WHERE place_id = ? AND block = ?", []any{k.place, k.block}, &data)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		group := byBlock[k]
		recs := slices.DeleteFunc(decodeBlock(data), func(r blockRecord) bool {
			return slices.ContainsFunc(group, func(d searchDoc) bool { return d.serviceID == r.id })
		})
		for _, d := range group {
			if d.live && len(d.points) > 0 {
				recs = append(recs, blockRecord{id: d.serviceID, points: d.points})
			}
		}
		slices.SortFunc(recs, func(a, b blockRecord) int { return cmp.Compare(a.id, b.id) })
		if len(recs) == 0 {
			_, err = c.exec(ctx, "DELETE FROM search_blocks WHERE place_id = ? AND block = ?", k.place, k.block)
		} else {
			_, err = c.exec(ctx, `INSERT INTO search_blocks (place_id, block, data) VALUES (?, ?, ?)
				ON CONFLICT (place_id, block) DO UPDATE SET data = excluded.data`, k.place, k.block, encodeBlock(recs))
		}
		if err != nil {
			return err
		}
	}
	return nil
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
		var stmts []string
		if s.db.dialect.name() == "sqlite" {
			stmts = []string{"DELETE FROM search_fts WHERE rowid IN (SELECT service_id FROM search_documents WHERE place_id = ?)",
				"DELETE FROM search_blocks WHERE place_id = ?"}
		} else {
			stmts = []string{"DELETE FROM search_points WHERE service_id IN (SELECT service_id FROM search_rows WHERE place_id = ?)",
				"DELETE FROM search_rows WHERE place_id = ?"}
		}
		stmts = append(stmts, "DELETE FROM search_documents WHERE place_id = ?", "DELETE FROM search_words WHERE place_id = ?")
		for _, q := range stmts {
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
	type service struct {
		svc   linkwork.Service
		terms []string
	}
	var ids []int64
	byID := map[int64]*service{}
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
	err := each(`SELECT s.id, s.name, s.description, o.name, s.status, s.kind, s.free FROM services s
		JOIN organisations o ON o.id = s.organisation_id WHERE s.place_id = ? ORDER BY s.id`, func(rows *sql.Rows) error {
		t := &service{svc: linkwork.Service{PlaceID: placeID}}
		var status, kind string
		if err := rows.Scan(&t.svc.ID, &t.svc.Name, &t.svc.Description, &t.svc.OrganisationName, &status, &kind, &t.svc.Free); err != nil {
			return err
		}
		t.svc.Status, t.svc.Kind = linkwork.ServiceStatus(status), linkwork.ServiceKind(kind)
		ids = append(ids, t.svc.ID)
		byID[t.svc.ID] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT st.service_id, tt.id, tt.name FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id
		JOIN services s ON s.id = st.service_id WHERE s.place_id = ? ORDER BY st.service_id, tt.id`, func(rows *sql.Rows) error {
		var id, term int64
		var name string
		if err := rows.Scan(&id, &term, &name); err != nil {
			return err
		}
		byID[id].svc.TermIDs = append(byID[id].svc.TermIDs, term)
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
		byID[id].svc.Areas = append(byID[id].svc.Areas, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT l.service_id, l.lat, l.lng FROM locations l JOIN services s ON s.id = l.service_id
		WHERE s.place_id = ? AND l.lat IS NOT NULL AND l.lng IS NOT NULL ORDER BY l.service_id, l.position`, func(rows *sql.Rows) error {
		var id int64
		var lat, lng float64
		if err := rows.Scan(&id, &lat, &lng); err != nil {
			return err
		}
		byID[id].svc.Locations = append(byID[id].svc.Locations, linkwork.Location{Lat: &lat, Lng: &lng})
		return nil
	})
	if err != nil {
		return nil, err
	}
	docs := make([]searchDoc, len(ids))
	for i, id := range ids {
		t := byID[id]
		docs[i] = newSearchDoc(&t.svc, t.terms)
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
		stmts = append(stmts, "INSERT INTO search_fts (search_fts) VALUES ('optimize')")
		tables = append(tables, "search_blocks")
	} else {
		tables = append(tables, "search_rows", "search_points")
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
