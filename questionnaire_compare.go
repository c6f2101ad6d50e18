package linkwork

import (
	"cmp"
	"math"
	"slices"
)

// The directions of a change.
const (
	ChangeBetter = "better"
	ChangeWorse  = "worse"
	ChangeSame   = "same"
)

// ScoreChanges compares, for each of qs that a person has answered completely at least
// twice, a baseline with their latest answers. The baseline is the earliest complete
// response at the baseline timepoint or, when there is none, the earliest complete one; the
// latest is the latest complete response other than the baseline (ordered by the date
// completed, then when recorded). Drafts, and complete responses with no score, are left
// out. ONS4 is compared item by item (anxiety is better when lower) and has no overall
// change or direction. The changes are in the order of qs; the result is never nil.
func ScoreChanges(qs []*Questionnaire, responses []*QuestionnaireResponse) []*ScoreChange {
	out := []*ScoreChange{}
	done := map[string]bool{}
	for _, q := range qs {
		if done[q.Code] {
			continue
		}
		done[q.Code] = true
		var rs []*QuestionnaireResponse
		for _, r := range responses {
			if r.QuestionnaireCode == q.Code && r.Status == ResponseComplete && r.Score != nil {
				rs = append(rs, r)
			}
		}
		if len(rs) < 2 {
			continue
		}
		slices.SortStableFunc(rs, func(a, b *QuestionnaireResponse) int {
			return cmp.Or(cmp.Compare(a.CompletedOn, b.CompletedOn), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		baseline := rs[0]
		if i := slices.IndexFunc(rs, func(r *QuestionnaireResponse) bool { return r.Timepoint == TimepointBaseline }); i >= 0 {
			baseline = rs[i]
		}
		latest := rs[len(rs)-1]
		if latest == baseline {
			latest = rs[len(rs)-2]
		}
		c := &ScoreChange{QuestionnaireCode: q.Code, QuestionnaireName: q.Name, Baseline: baseline, Latest: latest}
		if q.Scoring == ScoreONS4 {
			c.Items = ons4Changes(baseline.Score.Items, latest.Score.Items)
		} else {
			cents := int64(math.Round(latest.Score.Total*100)) - int64(math.Round(baseline.Score.Total*100))
			c.Change = float64(cents) / 100
			c.Direction = direction(cents, q.HigherIsBetter)
		}
		out = append(out, c)
	}
	return out
}

// ons4Changes compares ONS4 item scores by key, in the order of the baseline's items.
func ons4Changes(baseline, latest []ItemScore) []ItemChange {
	var out []ItemChange
	for _, b := range baseline {
		i := slices.IndexFunc(latest, func(l ItemScore) bool { return l.Key == b.Key })
		if i < 0 {
			continue
		}
		higherIsBetter := true
		for _, it := range ons4Items {
			if it.key == b.Key {
				higherIsBetter = !it.lowerIsBetter
			}
		}
		change := latest[i].Value - b.Value
		out = append(out, ItemChange{Key: b.Key, Label: b.Label, Change: change, Direction: direction(int64(change), higherIsBetter)})
	}
	return out
}

// direction says whether a change is better, worse or the same.
func direction(change int64, higherIsBetter bool) string {
	switch {
	case change == 0:
		return ChangeSame
	case (change > 0) == higherIsBetter:
		return ChangeBetter
	}
	return ChangeWorse
}
