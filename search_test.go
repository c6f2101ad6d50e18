package linkwork_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"linkwork"
)

func TestDamerauLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"walking", "walking", 0},
		{"walkng", "walking", 1},     // a letter left out
		{"gardning", "gardening", 1}, // a letter left out
		{"knittnig", "knitting", 1},  // two letters swapped
		{"walkign", "walking", 1},    // two letters swapped at the end
		{"talks", "walks", 1},        // one changed
		{"gxrdxnxng", "gardening", 3},
		{"ca", "abc", 3}, // the restricted form: no letter is edited twice
		{"café", "cafe", 1},
		{"naïve", "naive", 1}, // letters, not bytes
		{"kitten", "sitting", 3},
	} {
		if got := linkwork.DamerauLevenshtein(c.a, c.b); got != c.want {
			t.Errorf("DamerauLevenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := linkwork.DamerauLevenshtein(c.b, c.a); got != c.want {
			t.Errorf("DamerauLevenshtein(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}

func TestCorrectWord(t *testing.T) {
	vocab := []linkwork.VocabularyWord{{"gardening", 3}, {"garden", 10}, {"walking", 40}, {"talks", 2}, {"walks", 1},
		{"balking", 1}, {"stalking", 1}, {"choir", 5}, {"chair", 9}, {"choirs", 5}}
	for _, c := range []struct {
		word, want string
		ok         bool
	}{
		{"gardning", "gardening", true},
		{"walkng", "walking", true},
		{"gardenng", "gardening", true}, // 8 letters: up to two edits; gardening is one away
		{"walking", "", false},          // in the vocabulary
		{"wlking", "walking", true},
		{"xalking", "walking", true},   // balking is as near, walking is used more
		{"chiir", "chair", true},       // choir and chair are both one away: chair is used more
		{"chors", "choirs", true},      // choirs (1) is nearer than choir or chair (2)
		{"wak", "", false},             // three letters are never corrected
		{"walk2ng", "", false},         // nor words with digits
		{"zzzzzzzz", "", false},        // nothing within two edits
		{"gardxxxxg", "", false},       // three edits from gardening
		{"walkingss", "walking", true}, // nine letters: two edits
	} {
		got, ok := linkwork.CorrectWord(c.word, vocab)
		if got != c.want || ok != c.ok {
			t.Errorf("CorrectWord(%q) = %q, %v; want %q, %v", c.word, got, ok, c.want, c.ok)
		}
	}
	// Ties in distance and use go to the first alphabetically, whatever the order given.
	a := []linkwork.VocabularyWord{{"bake", 1}, {"cake", 1}}
	b := []linkwork.VocabularyWord{{"cake", 1}, {"bake", 1}}
	if x, _ := linkwork.CorrectWord("dake", a); x != "bake" {
		t.Errorf("tie: %q", x)
	}
	if x, _ := linkwork.CorrectWord("dake", b); x != "bake" {
		t.Errorf("tie, reversed: %q", x)
	}
}

func TestTypoDistance(t *testing.T) {
	for w, want := range map[string]int{"": 0, "tea": 0, "walk": 1, "walking": 1, "gardenin": 2, "gardening": 2, "café": 1} {
		if got := linkwork.TypoDistance(w); got != want {
			t.Errorf("TypoDistance(%q) = %d, want %d", w, got, want)
		}
	}
}

func TestSearchTokens(t *testing.T) {
	for text, want := range map[string][]string{
		"Men's Shed: woodwork & chat!": {"men", "s", "shed", "woodwork", "chat"},
		"Café  CRÈME, Łódź, straße":    {"cafe", "creme", "lodz", "strasse"},
		"Cafe\u0301 (decomposed)":      {"cafe", "decomposed"},
		"Over-50s walking-group":       {"over", "50s", "walking", "group"},
		"":                             nil,
		"  ...  ":                      nil,
		"ДОМ дом":                      {"дом", "дом"},
	} {
		if got := linkwork.SearchTokens(text); !slices.Equal(got, want) {
			t.Errorf("SearchTokens(%q) = %q, want %q", text, got, want)
		}
	}
	if got := linkwork.SearchQueryWords("The walking group for the over-50s, walking"); !slices.Equal(got, []string{"walking", "group", "50s"}) {
		t.Errorf("SearchQueryWords: %q", got)
	}
	if got := linkwork.VocabularyWords("The Walking Group", "walking in the park, 2024 and 50s"); !slices.Equal(got, []string{"group", "park", "walking"}) {
		t.Errorf("VocabularyWords: %q", got)
	}
}

func TestSearchQueryValidate(t *testing.T) {
	q := linkwork.SearchQuery{Text: "  walking  ", Postcode: "hx11aa"}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	if q.Text != "walking" || q.Postcode != "HX1 1AA" || q.RadiusKm != linkwork.DefaultRadiusKm || q.Sort != linkwork.SortRelevance ||
		q.Page.Number != 1 || q.Page.Size != linkwork.DefaultPageSize {
		t.Fatalf("normalised: %+v", q)
	}
	q = linkwork.SearchQuery{Near: &linkwork.Point{Lat: 53.72, Lng: -1.86}, RadiusKm: 0.1}
	if err := q.Validate(); err != nil || q.Sort != linkwork.SortDistance || q.RadiusKm != 0.1 {
		t.Fatalf("near: %+v, %v", q, err)
	}
	// A radius without a place is ignored, not refused: a form may always send one.
	q = linkwork.SearchQuery{RadiusKm: 10}
	if err := q.Validate(); err != nil || q.Sort != linkwork.SortRelevance {
		t.Fatalf("radius alone: %+v, %v", q, err)
	}
	for _, c := range []struct {
		q     linkwork.SearchQuery
		field string
	}{
		{linkwork.SearchQuery{Text: strings.Repeat("é", 201)}, "text"},
		{linkwork.SearchQuery{Text: "a\x00b"}, "text"},
		{linkwork.SearchQuery{Postcode: "HX1 1AA", RadiusKm: 100.5}, "radius_km"},
		{linkwork.SearchQuery{Postcode: "HX1 1AA", RadiusKm: -1}, "radius_km"},
		{linkwork.SearchQuery{Postcode: "HX1 1AA", Near: &linkwork.Point{Lat: 53.7, Lng: -1.8}}, "postcode"},
		{linkwork.SearchQuery{To: searchPtr(0)}, "to"},
		{linkwork.SearchQuery{To: searchPtr(1441)}, "to"},
		{linkwork.SearchQuery{TermIDs: []int64{0}}, "term_ids"},
		{linkwork.SearchQuery{TermIDs: make([]int64, 51)}, "term_ids"},
		{linkwork.SearchQuery{AccessibilityIDs: []int64{-3}}, "accessibility"},
		{linkwork.SearchQuery{Page: linkwork.Page{Number: -1}}, "page"},
	} {
		err := c.q.Validate()
		if linkwork.ErrorCode(err) != linkwork.EINVALID || linkwork.ErrorField(err) != c.field {
			t.Errorf("%+v: got %v, want an error about %s", c.q, err, c.field)
		}
	}
	// 200 characters of any script are allowed.
	q = linkwork.SearchQuery{Text: strings.Repeat("é", 200), To: searchPtr(1440), From: searchPtr(0)}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
}

func searchPtr[T any](v T) *T { return &v }

func TestSnippet(t *testing.T) {
	short := "A gentle walk."
	if got := linkwork.Snippet(short, []string{"walk"}, 100); got != short {
		t.Fatalf("short: %q", got)
	}
	long := strings.Repeat("Lorem ipsum dolor sit amet. ", 20) + "We go gardening on Tuesdays in the allotments behind the church. " +
		strings.Repeat("Consectetur adipiscing elit. ", 20)
	got := linkwork.Snippet(long, []string{"gardening"}, 120)
	if !strings.Contains(got, "gardening on Tuesdays") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") ||
		utf8.RuneCountInString(got) > 122 {
		t.Fatalf("around the match: %q", got)
	}
	got = linkwork.Snippet(long, []string{"nothing"}, 60)
	if !strings.HasPrefix(got, "Lorem ipsum") || !strings.HasSuffix(got, "…") {
		t.Fatalf("without a match: %q", got)
	}
	// A word matches by its first five letters, so "garden" shows "gardening".
	if got := linkwork.Snippet(long, []string{"gardens"}, 120); !strings.Contains(got, "gardening") {
		t.Fatalf("stem: %q", got)
	}
}

func TestNextOccurrence(t *testing.T) {
	London, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, London) }
	weekly := linkwork.Schedule{Freq: linkwork.Weekly, Days: []time.Weekday{time.Tuesday, time.Thursday}, Opens: "10:00", Closes: "12:00"}
	firstMonday := linkwork.Schedule{Freq: linkwork.Monthly, Ordinal: 1, Days: []time.Weekday{time.Monday}, Opens: "18:30", Closes: "20:00"}
	lastFriday := linkwork.Schedule{Freq: linkwork.Monthly, Ordinal: -1, Days: []time.Weekday{time.Friday}, Opens: "09:00", Closes: "10:00"}
	for _, c := range []struct {
		schedules []linkwork.Schedule
		now       time.Time
		want      time.Time
	}{
		// Monday 4 March 2030: next Tuesday.
		{[]linkwork.Schedule{weekly}, at(2030, time.March, 4, 9, 30), at(2030, time.March, 5, 10, 0)},
		// During a session: that session.
		{[]linkwork.Schedule{weekly}, at(2030, time.March, 5, 11, 0), at(2030, time.March, 5, 10, 0)},
		// Just after: Thursday.
		{[]linkwork.Schedule{weekly}, at(2030, time.March, 5, 12, 0), at(2030, time.March, 7, 10, 0)},
		// The first Monday of April 2030 is the 1st; in British Summer Time.
		{[]linkwork.Schedule{firstMonday}, at(2030, time.March, 5, 9, 0), at(2030, time.April, 1, 18, 30)},
		// The last Friday of March 2030 is the 29th.
		{[]linkwork.Schedule{lastFriday}, at(2030, time.March, 5, 9, 0), at(2030, time.March, 29, 9, 0)},
		// The soonest of several.
		{[]linkwork.Schedule{firstMonday, lastFriday, weekly}, at(2030, time.March, 27, 12, 30), at(2030, time.March, 28, 10, 0)},
	} {
		got := linkwork.NextOccurrence(c.schedules, c.now.UTC())
		if got == nil || !got.Start.Equal(c.want) {
			t.Errorf("next after %v: got %+v, want %v", c.now, got, c.want)
		}
	}
	if got := linkwork.NextOccurrence(nil, time.Now()); got != nil {
		t.Errorf("no schedule: %+v", got)
	}
}

// FuzzSearchWords checks the tokeniser and the corrector on any text: tokens are lower case
// letters and digits, tokenising is stable, and a correction is a vocabulary word within the
// allowed distance.
func FuzzSearchWords(f *testing.F) {
	f.Add("Men's Shed: woodwork & chat!", "gardning")
	f.Add("Café CRÈME straße Łódź", "walkng")
	f.Add("ДОМ \u0301\u0301 x", "knittnig")
	f.Add("", "")
	f.Add("\xff\xfe", "\xff")
	vocab := []linkwork.VocabularyWord{{"gardening", 3}, {"walking", 9}, {"knitting", 2}, {"choir", 1}, {"café", 1}, {"дом", 1}}
	f.Fuzz(func(t *testing.T, text, word string) {
		tokens := linkwork.SearchTokens(text)
		for _, tok := range tokens {
			if tok == "" {
				t.Fatalf("empty token from %q", text)
			}
			for _, r := range tok {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.ToLower(r) != r {
					t.Fatalf("token %q of %q has %q", tok, text, r)
				}
			}
		}
		if again := linkwork.SearchTokens(strings.Join(tokens, " ")); !slices.Equal(again, tokens) {
			t.Fatalf("tokenising %q is not stable: %q then %q", text, tokens, again)
		}
		for _, w := range linkwork.SearchQueryWords(text) {
			if !slices.Contains(tokens, w) {
				t.Fatalf("query word %q is not a token of %q", w, text)
			}
		}
		if got, ok := linkwork.CorrectWord(word, vocab); ok {
			d := linkwork.DamerauLevenshtein(word, got)
			if d == 0 || d > linkwork.TypoDistance(word) {
				t.Fatalf("corrected %q to %q, %d edits away", word, got, d)
			}
			if !slices.ContainsFunc(vocab, func(v linkwork.VocabularyWord) bool { return v.Word == got }) {
				t.Fatalf("corrected %q to %q, not in the vocabulary", word, got)
			}
		}
		if d := linkwork.DamerauLevenshtein(text, word); d != linkwork.DamerauLevenshtein(word, text) ||
			d > max(utf8.RuneCountInString(text), utf8.RuneCountInString(word)) {
			t.Fatalf("distance of %q and %q: %d", text, word, d)
		}
	})
}
