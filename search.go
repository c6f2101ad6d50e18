package linkwork

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Point is a place on the map, in WGS84 degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// SearchSort is the order of search results.
type SearchSort string

// The orders search offers. Relevance without words to search for is alphabetical.
const (
	SortRelevance SearchSort = "relevance"
	SortDistance  SearchSort = "distance"
)

// The limits of a search, which Validate states in its messages.
const (
	MinRadiusKm     = 0.1
	MaxRadiusKm     = 100
	DefaultRadiusKm = 5
	MaxSearchText   = 200  // characters
	MaxSearchPage   = 1000 // pages
	MaxSearchTerms  = 50
	MaxSearchAge    = 120
)

// SearchQuery asks for the community offers and schemes that might help someone. Every
// condition given must hold; an empty one does not narrow the search.
type SearchQuery struct {
	PlaceID int64
	// Text is free text, matched against a service's name, description, organisation,
	// taxonomy terms and areas: every word must match (after stemming, so "walks" finds
	// "walking"); a word the place's directory does not use is corrected to the nearest one
	// that it does (so "gardning" finds "gardening"); common words such as "the" are ignored.
	Text string
	// TermIDs are taxonomy terms (needs, building blocks, five ways, client groups). Terms
	// of one taxonomy are alternatives and taxonomies must all match: needs "loneliness" and
	// "mental wellbeing" with building block "connect" finds services that connect people
	// and help with either need. This is how people narrow a list by facets.
	TermIDs []int64
	// Age is the age of the person: it must fall within a service's age range.
	Age *int
	// Days, From and To (minutes after midnight) ask for a service that runs on one of
	// the days, at a time that overlaps From to To. Either part may be given alone.
	Days     []time.Weekday
	From, To *int
	FreeOnly bool
	// AccessibilityIDs are terms of the accessibility taxonomy that a service must all have:
	// someone who needs step-free access and a hearing loop needs both.
	AccessibilityIDs []int64
	// Near or Postcode (resolved through the postcode lookup) is where the person is;
	// services with a location within RadiusKm of it are found, with their distance.
	// RadiusKm is DefaultRadiusKm when a place is given without it, and is ignored without one.
	Near     *Point
	Postcode string
	RadiusKm float64
	Kind     ServiceKind
	// Sort is relevance (the default when there is text) or distance (the default when there
	// is a place to measure from and no text).
	Sort SearchSort
	Page Page
}

// HasLocation reports whether the query searches around a point or a postcode.
func (q *SearchQuery) HasLocation() bool { return q.Near != nil || q.Postcode != "" }

// Validate trims and normalises the query, fills in defaults and reports every parameter out
// of range, each message saying what range is allowed.
func (q *SearchQuery) Validate() error {
	var ps Problems
	q.Text = strings.TrimSpace(q.Text)
	if n := utf8.RuneCountInString(q.Text); n > MaxSearchText {
		ps.Add(FieldError("text", "Search for at most %d characters (you entered %d).", MaxSearchText, n))
	} else if strings.ContainsRune(q.Text, 0) || !utf8.ValidString(q.Text) {
		ps.Add(FieldError("text", "The search contains a character that is not allowed."))
	}
	if q.Age != nil && (*q.Age < 0 || *q.Age > MaxSearchAge) {
		ps.Add(FieldError("age", "Enter an age from 0 to %d.", MaxSearchAge))
	}
	for _, d := range q.Days {
		if d < time.Sunday || d > time.Saturday {
			ps.Add(FieldError("days", "Days are 0 (Sunday) to 6 (Saturday)."))
			break
		}
	}
	if q.From != nil && (*q.From < 0 || *q.From > 1439) {
		ps.Add(FieldError("from", "Enter a start time from 00:00 to 23:59."))
	}
	if q.To != nil && (*q.To < 1 || *q.To > 1440) {
		ps.Add(FieldError("to", "Enter an end time from 00:01 to 24:00."))
	}
	if q.From != nil && q.To != nil && *q.To <= *q.From {
		ps.Add(FieldError("to", "The end time must be after the start time."))
	}
	ps.Add(validateIDs("term_ids", q.TermIDs))
	ps.Add(validateIDs("accessibility", q.AccessibilityIDs))
	if q.Kind != "" && q.Kind != KindActivity && q.Kind != KindScheme {
		ps.Add(FieldError("kind", "Choose the kind: activity or connector_scheme."))
	}
	q.Postcode = strings.TrimSpace(q.Postcode)
	if q.Postcode != "" {
		pc, err := NormalisePostcode(q.Postcode)
		ps.Add(err)
		q.Postcode = pc
	}
	if q.Near != nil {
		if math.IsNaN(q.Near.Lat) || q.Near.Lat < minLat || q.Near.Lat > maxLat ||
			math.IsNaN(q.Near.Lng) || q.Near.Lng < minLng || q.Near.Lng > maxLng {
			ps.Add(FieldError("near", "The point to search near must be in the UK: latitude %g to %g, longitude %g to %g.",
				minLat, maxLat, minLng, maxLng))
		}
		if q.Postcode != "" {
			ps.Add(FieldError("postcode", "Give a postcode or a point to search near, not both."))
		}
	}
	switch {
	case math.IsNaN(q.RadiusKm) || (q.RadiusKm != 0 && (q.RadiusKm < MinRadiusKm || q.RadiusKm > MaxRadiusKm)):
		ps.Add(FieldError("radius_km", "Choose a distance from %g to %g km.", MinRadiusKm, float64(MaxRadiusKm)))
	case q.RadiusKm == 0 && q.HasLocation():
		q.RadiusKm = DefaultRadiusKm
	}
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
		if q.Text == "" && q.HasLocation() {
			q.Sort = SortDistance
		}
	case SortRelevance:
	case SortDistance:
		if !q.HasLocation() {
			ps.Add(FieldError("sort", "Give a postcode to sort by distance."))
		}
	default:
		ps.Add(FieldError("sort", "Sort by relevance or distance."))
	}
	if q.Page.Number < 0 || q.Page.Number > MaxSearchPage {
		ps.Add(FieldError("page", "Choose a page from 1 to %d.", MaxSearchPage))
	}
	if q.Page.Size < 0 || q.Page.Size > MaxPageSize {
		ps.Add(FieldError("per_page", "Choose from 1 to %d results a page.", MaxPageSize))
	}
	q.Page = q.Page.Normal()
	return ps.Err()
}

func validateIDs(field string, ids []int64) error {
	if len(ids) > MaxSearchTerms {
		return FieldError(field, "Choose at most %d terms.", MaxSearchTerms)
	}
	for _, id := range ids {
		if id <= 0 {
			return FieldError(field, "Term IDs are whole numbers from 1.")
		}
	}
	return nil
}

// SearchResult is one service found, with what a result list shows about it.
type SearchResult struct {
	// Service has every field and list of the service.
	Service *Service `json:"service"`
	// Snippet is a short part of the description, around the first word searched for.
	Snippet string `json:"snippet"`
	// DistanceKm is how far the nearest location is from where the person is, when the
	// search was near somewhere; NearestLocation is that location.
	DistanceKm      *float64  `json:"distance_km,omitempty"`
	NearestLocation *Location `json:"nearest_location,omitempty"`
	// Next is when the service next runs, nil when it has no schedule.
	Next *Occurrence `json:"next,omitempty"`
	// Score is the relevance to the text, higher is better, 0 without text. Each database
	// measures it in its own way, so only its order means anything.
	Score float64 `json:"-"`
}

// Occurrence is one time a schedule runs.
type Occurrence struct {
	Schedule Schedule  `json:"schedule"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// SearchService finds services in a place's directory. Only services that are running
// (active) or temporarily closed are found.
type SearchService interface {
	// Search returns a page of results and how many there are in all. A query out of range
	// is EINVALID with every problem, each message giving the allowed range; so are an
	// unknown or ended postcode and a term that is not the place's, about their fields.
	Search(ctx context.Context, q SearchQuery) ([]SearchResult, int, error)
}

// SearchTokens splits text into the words search sees: lower case, accents removed, split at
// anything that is not a letter or a digit. Both databases index and search these words, so
// that they see the same ones whatever their own tokenisers would make of the raw text.
func SearchTokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if f, ok := foldRune(r); ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		case unicode.Is(unicode.Mn, r):
			// combining accents after a letter (decomposed text) are dropped
		default:
			flush()
		}
	}
	flush()
	return out
}

// SearchText is text as both databases index it: its tokens joined by spaces.
func SearchText(text string) string { return strings.Join(SearchTokens(text), " ") }

// maxQueryWords bounds the words of one search; 200 characters hold few more.
const maxQueryWords = 32

// SearchQueryWords returns the distinct words of a search to look for: its tokens without
// stop words and single characters, which every document has or which carry no meaning.
func SearchQueryWords(text string) []string {
	var out []string
	for _, w := range SearchTokens(text) {
		if utf8.RuneCountInString(w) < 2 || stopWords[w] || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
		if len(out) == maxQueryWords {
			break
		}
	}
	return out
}

// VocabularyWords returns the distinct words of some texts that search may correct a
// misspelt word to: those of four or more letters (shorter ones are never corrected) that
// are not stop words or numbers, sorted.
func VocabularyWords(texts ...string) []string {
	seen := map[string]bool{}
	for _, t := range texts {
		for _, w := range SearchTokens(t) {
			if correctable(w) && !stopWords[w] {
				seen[w] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// correctable reports whether a word is long enough to correct and has no digits.
func correctable(w string) bool {
	if TypoDistance(w) == 0 {
		return false
	}
	for _, r := range w {
		if unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// TypoDistance is how many edits a misspelt word may be from the word it is corrected to:
// none for words of up to three letters (too many words are that close), one for four to
// seven, two for longer words.
func TypoDistance(word string) int {
	switch n := utf8.RuneCountInString(word); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// VocabularyWord is a word that a place's directory uses, with how many services use it.
type VocabularyWord struct {
	Word string
	Docs int
}

// CorrectWord returns the vocabulary word nearest to word by Damerau-Levenshtein distance,
// within TypoDistance(word): the nearest, then the one most services use, then the first
// alphabetically. It reports false when word is in the vocabulary, may not be corrected, or
// has no word near enough.
func CorrectWord(word string, vocabulary []VocabularyWord) (string, bool) {
	limit := TypoDistance(word)
	if limit == 0 || !correctable(word) {
		return "", false
	}
	best, bestDist, bestDocs := "", limit+1, 0
	n := utf8.RuneCountInString(word)
	for _, v := range vocabulary {
		if v.Word == word {
			return "", false
		}
		if m := utf8.RuneCountInString(v.Word); m < n-limit || m > n+limit {
			continue
		}
		d := DamerauLevenshtein(word, v.Word)
		if d > limit {
			continue
		}
		if d < bestDist || d == bestDist && (v.Docs > bestDocs || v.Docs == bestDocs && v.Word < best) {
			best, bestDist, bestDocs = v.Word, d, v.Docs
		}
	}
	return best, best != ""
}

// DamerauLevenshtein returns the number of insertions, deletions, substitutions and swaps of
// two adjacent letters that turn a into b, counting in letters (runes), not bytes. It is the
// restricted form (optimal string alignment): no letter is edited twice, which is what
// typing mistakes need.
func DamerauLevenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n, m := len(ra), len(rb)
	// Three rows of the table: the one before last, the last and the current one.
	prev2, prev, cur := make([]int, m+1), make([]int, m+1), make([]int, m+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for j := 1; j <= m; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}

// Snippet returns about limit characters of a description: all of it when it is short
// enough, otherwise a window starting shortly before the first word that begins like one of
// words (or the start), cut at spaces, with an ellipsis where text was left out.
func Snippet(description string, words []string, limit int) string {
	description = strings.Join(strings.Fields(description), " ")
	runes := []rune(description)
	if len(runes) <= limit {
		return description
	}
	start := 0
	if at := firstMatch(description, words); at > 0 {
		start = utf8.RuneCountInString(description[:at])
		// Begin a few words before the match, at a space.
		start = max(0, start-limit/4)
		for start > 0 && runes[start-1] != ' ' {
			start--
		}
	}
	end := min(len(runes), start+limit)
	if end < len(runes) {
		for e := end; e > start+limit/2; e-- {
			if runes[e] == ' ' {
				end = e
				break
			}
		}
	}
	out := strings.TrimSpace(string(runes[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(runes) {
		out = strings.TrimRight(out, ",;:.") + "…"
	}
	return out
}

// firstMatch returns the byte offset in text of the first word that begins like one of
// words (its first five letters, a rough stem), or -1.
func firstMatch(text string, words []string) int {
	var stems []string
	for _, w := range words {
		r := []rune(w)
		stems = append(stems, string(r[:min(len(r), 5)]))
	}
	if len(stems) == 0 {
		return -1
	}
	inWord := false
	for i, r := range text {
		isWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		if isWord && !inWord {
			end := strings.IndexFunc(text[i:], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			word := text[i:]
			if end >= 0 {
				word = text[i : i+end]
			}
			folded := SearchText(word)
			for _, s := range stems {
				if strings.HasPrefix(folded, s) {
					return i
				}
			}
		}
		inWord = isWord
	}
	return -1
}

// NextOccurrence returns the first time one of the schedules runs that has not ended at now,
// in UK time, or nil when there is none in the next two months (there is always one when a
// schedule is valid).
func NextOccurrence(schedules []Schedule, now time.Time) *Occurrence {
	now = now.In(London)
	var best *Occurrence
	for _, sc := range schedules {
		opens, err1 := ParseClock(sc.Opens)
		closes, err2 := ParseClock(sc.Closes)
		if err1 != nil || err2 != nil {
			continue
		}
		mask := sc.DayMask()
		for d := 0; d <= 62; d++ {
			day := time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, London)
			if mask&(1<<day.Weekday()) == 0 || !onOrdinal(sc, day) {
				continue
			}
			start := time.Date(day.Year(), day.Month(), day.Day(), opens/60, opens%60, 0, 0, London)
			end := time.Date(day.Year(), day.Month(), day.Day(), closes/60, closes%60, 0, 0, London)
			if !end.After(now) {
				continue
			}
			if best == nil || start.Before(best.Start) {
				best = &Occurrence{Schedule: sc, Start: start, End: end}
			}
			break
		}
	}
	return best
}

// onOrdinal reports whether a day is in the week of the month a monthly schedule names.
func onOrdinal(sc Schedule, day time.Time) bool {
	if sc.Freq != Monthly {
		return true
	}
	if sc.Ordinal == -1 {
		return day.AddDate(0, 0, 7).Month() != day.Month()
	}
	return (day.Day()-1)/7+1 == sc.Ordinal
}

// foldRune returns a lower-case letter without its accent, for the letters of the languages
// written in the Latin alphabet that directories in the UK meet.
func foldRune(r rune) (string, bool) {
	if r < 0xdf || r > 0x17f {
		return "", false
	}
	s, ok := latinFold[r]
	return s, ok
}

var latinFold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ð': "d", 'ø': "o", 'ł': "l", 'đ': "d", 'ħ': "h", 'ı': "i"}
	groups := map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ď", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥ", "i": "ìíîïĩīĭį",
		"j": "ĵ", "k": "ķ", "l": "ĺļľŀ", "n": "ñńņňŉ", "o": "òóôõöōŏő", "r": "ŕŗř", "s": "śŝşš", "t": "ţťŧ",
		"u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	}
	for to, from := range groups {
		for _, r := range from {
			m[r] = to
		}
	}
	return m
}()

// stopWords are words too common to search for: PostgreSQL's English list (Snowball's),
// which its full-text search drops. SQLite's FTS5 drops none, so linkwork drops these from
// every search itself, and both databases then look for the same words.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself yourselves he him
		his himself she her hers herself it its itself they them their theirs themselves what which who whom this that
		these those am is are was were be been being have has had having do does did doing a an the and but if or
		because as until while of at by for with about against between into through during before after above below
		to from up down in out on off over under again further then once here there when where why how all any both
		each few more most other some such no nor not only own same so than too very s t can will just don should now`) {
		m[w] = true
	}
	return m
}()
