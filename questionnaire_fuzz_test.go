package linkwork

import (
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"testing"
)

// FuzzQuestionnaireDefinition feeds questionnaire definitions, as the API receives them, to
// Validate. Validation must never panic and must name the field of every problem; a
// definition it accepts must be accepted again, and every set of answers on its scales must
// score without error, within the possible range, in the band that holds the total.
func FuzzQuestionnaireDefinition(f *testing.F) {
	for _, q := range append(BuiltInQuestionnaires(nil), localQ()) {
		b, err := json.Marshal(q)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name":"Mood","scoring":"mean","items":[{"text":"a","min":-100,"max":0,"reversed":true},{"text":"b","min":0,"max":100}],"bands":[{"min":-100,"max":-0.01,"label":"Low"},{"min":0,"max":100,"label":"High"}]}`))
	f.Add([]byte(`{"name":"x","scoring":"sum","items":[{"text":"a","min":1,"max":2,"options":[{"value":1,"label":"one"},{"value":1,"label":"again"}]}],"bands":[{"min":1,"max":2,"label":"b"},{"min":2,"max":2,"label":"c"}]}`))
	f.Add([]byte(`{"name":" ","scoring":"median","items":[],"bands":[{"min":5,"max":1}]}`))
	f.Add([]byte(`{"name":"n","scoring":"mean","items":[{"text":"t","min":0,"max":1},{"text":"t","min":0,"max":1},{"text":"t","min":0,"max":1}],"bands":[{"min":0.33,"max":0.33,"label":"third"}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q Questionnaire
		if json.Unmarshal(data, &q) != nil {
			return
		}
		if err := q.Validate(); err != nil {
			for _, e := range FieldErrors(err) {
				if e.Code != EINVALID || e.Field == "" || e.Message == "" {
					t.Fatalf("a problem without a code, field or message: %#v", e)
				}
			}
			return
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("accepted once, refused after normalising: %v", err)
		}
		if q.Scoring != ScoreSum && q.Scoring != ScoreMean || len(q.Items) == 0 || len(q.Items) > MaxQuestionnaireItems || q.BuiltIn {
			t.Fatalf("accepted %+v", q)
		}

		// The lowest and highest totals, answering each item at the end that scores least
		// or most.
		n := len(q.Items)
		lowest, highest := make([]int, n), make([]int, n)
		sumMin, sumMax := 0, 0
		for i, it := range q.Items {
			if it.Min >= it.Max || it.Min < MinQuestionnaireAnswer || it.Max > MaxQuestionnaireAnswer || it.Max-it.Min > MaxQuestionnaireSpan {
				t.Fatalf("accepted item %d: %+v", i+1, it)
			}
			lowest[i], highest[i] = it.Min, it.Max
			if it.Reversed {
				lowest[i], highest[i] = it.Max, it.Min
			}
			sumMin += it.Min
			sumMax += it.Max
		}
		lo, hi := float64(sumMin), float64(sumMax)
		if q.Scoring == ScoreMean {
			lo, hi = referenceMean(sumMin, n), referenceMean(sumMax, n)
		}

		h := fnv.New64a()
		h.Write(data)
		rng := rand.New(rand.NewPCG(h.Sum64(), 1))
		sets := [][]int{lowest, highest}
		for range 20 {
			a := make([]int, n)
			for i, it := range q.Items {
				a[i] = it.Min + rng.IntN(it.Max-it.Min+1)
			}
			sets = append(sets, a)
		}
		for k, a := range sets {
			s, err := q.Score(ints(a...))
			if err != nil {
				t.Fatalf("answers %v: %v", a, err)
			}
			if s.Raw < sumMin || s.Raw > sumMax || s.Total < lo || s.Total > hi {
				t.Fatalf("answers %v scored %+v, outside %v to %v (raw %d to %d)", a, s, lo, hi, sumMin, sumMax)
			}
			if k == 0 && s.Total != lo || k == 1 && s.Total != hi {
				t.Fatalf("answers %v scored %v, want %v", a, s.Total, []float64{lo, hi}[k])
			}
			want := float64(s.Raw)
			if q.Scoring == ScoreMean {
				want = referenceMean(s.Raw, n)
			}
			if s.Total != want {
				t.Fatalf("answers %v: total %v, want %v", a, s.Total, want)
			}
			band, holding := "", 0
			for _, b := range q.Bands {
				if s.Total >= b.Min && s.Total <= b.Max {
					band = b.Label
					holding++
				}
			}
			if holding > 1 || s.Band != band {
				t.Fatalf("total %v is in band %q; %d bands hold it, want %q", s.Total, s.Band, holding, band)
			}
		}

		// An answer off the scale is refused, naming the question; an unanswered one is
		// refused unless the response is a draft.
		i := rng.IntN(n)
		off := append([]int(nil), sets[2]...)
		off[i] = q.Items[i].Max + 1 + rng.IntN(5)
		if _, err := q.Score(ints(off...)); ErrorField(err) != "answers."+strconv.Itoa(i+1) {
			t.Fatalf("off the scale %v: %v", off, err)
		}
		partial := ints(sets[2]...)
		partial[i] = nil
		if _, err := q.Score(partial); ErrorField(err) != "answers."+strconv.Itoa(i+1) {
			t.Fatalf("unanswered %d: %v", i+1, err)
		}
		if err := q.CheckAnswers(partial, false); err != nil {
			t.Fatalf("a draft was refused: %v", err)
		}
	})
}
