package linkwork

import (
	"encoding/csv"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const outcomeMeasures = "../shared/reference/outcome-measures/"

// readCSV reads one of the reference tables, without its header row.
func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(outcomeMeasures + name)
	if err != nil {
		t.Fatalf("the reference table is needed to check the scoring: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s has no rows", name)
	}
	return rows[1:]
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// errFields lists the fields of every problem in err, in order.
func errFields(err error) []string {
	var fs []string
	for _, e := range FieldErrors(err) {
		fs = append(fs, e.Field)
	}
	return fs
}

func ints(vs ...int) []*int {
	out := make([]*int, len(vs))
	for i, v := range vs {
		out[i] = &v
	}
	return out
}

func builtIn(t *testing.T, code string, wording []string) *Questionnaire {
	t.Helper()
	for _, q := range BuiltInQuestionnaires(wording) {
		if q.Code == code {
			return q
		}
	}
	t.Fatalf("no built-in questionnaire %q", code)
	return nil
}

func TestQuestionnaireBuiltIns(t *testing.T) {
	qs := BuiltInQuestionnaires(nil)
	var codes []string
	for _, q := range qs {
		codes = append(codes, q.Code)
		if !q.BuiltIn || q.ID != 0 || q.Name == "" || q.Description == "" || q.Instructions == "" {
			t.Errorf("%s: built in %v, id %d, name %q, description %q, instructions %q", q.Code, q.BuiltIn, q.ID, q.Name, q.Description, q.Instructions)
		}
		if string(q.Scoring) != q.Code {
			t.Errorf("%s is scored by %q", q.Code, q.Scoring)
		}
		for i, it := range q.Items {
			if it.Text == "" || it.Min >= it.Max || it.Reversed {
				t.Errorf("%s item %d: %+v", q.Code, i+1, it)
			}
			for _, o := range it.Options {
				if o.Value < it.Min || o.Value > it.Max || o.Label == "" {
					t.Errorf("%s item %d option %+v", q.Code, i+1, o)
				}
			}
		}
		// A built-in questionnaire is not one a place can define: its rule is its own.
		c := *q
		if err := c.Validate(); !slices.Contains(errFields(err), "scoring") {
			t.Errorf("%s validated as a local questionnaire: %v", q.Code, err)
		}
	}
	if !slices.Equal(codes, []string{"ons4", "ucla3", "swemwbs"}) {
		t.Fatalf("codes %v", codes)
	}

	ons4 := qs[0]
	if len(ons4.Items) != 4 || !ons4.HigherIsBetter {
		t.Errorf("ONS4: %d items, higher is better %v", len(ons4.Items), ons4.HigherIsBetter)
	}
	for i, it := range ons4.Items {
		if it.Min != 0 || it.Max != 10 || !slices.Equal(it.Options, []ItemOption{{0, "Not at all"}, {10, "Completely"}}) {
			t.Errorf("ONS4 item %d: %+v", i+1, it)
		}
	}

	ucla := qs[1]
	want := []string{"How often do you feel that you lack companionship?", "How often do you feel left out?", "How often do you feel isolated from others?"}
	if len(ucla.Items) != 3 || ucla.HigherIsBetter {
		t.Errorf("UCLA3: %d items, higher is better %v", len(ucla.Items), ucla.HigherIsBetter)
	}
	for i, it := range ucla.Items {
		if it.Text != want[i] || it.Min != 1 || it.Max != 3 ||
			!slices.Equal(it.Options, []ItemOption{{1, "Hardly ever"}, {2, "Some of the time"}, {3, "Often"}}) {
			t.Errorf("UCLA3 item %d: %+v", i+1, it)
		}
	}
	if !slices.Equal(ucla.Bands, []ScoreBand{{3, 5, "Not often lonely"}, {6, 9, "Often lonely"}}) {
		t.Errorf("UCLA3 bands %+v", ucla.Bands)
	}

	sw := qs[2]
	if len(sw.Items) != 7 || !sw.HigherIsBetter || !sw.WordingMissing || len(sw.Bands) != 0 {
		t.Errorf("SWEMWBS: %d items, higher is better %v, wording missing %v, bands %v", len(sw.Items), sw.HigherIsBetter, sw.WordingMissing, sw.Bands)
	}
	for _, s := range []string{"University of Warwick", "NHS Health Scotland", "University of Edinburgh", "licence", "Warwick Medical School", "non-commercial", "settings"} {
		if !strings.Contains(sw.Licence, s) {
			t.Errorf("the SWEMWBS licence does not mention %q: %s", s, sw.Licence)
		}
	}
	for i, it := range sw.Items {
		if it.Text != "Item "+strconv.Itoa(i+1) || it.Min != 1 || it.Max != 5 || !slices.Equal(it.Options,
			[]ItemOption{{1, "None of the time"}, {2, "Rarely"}, {3, "Some of the time"}, {4, "Often"}, {5, "All of the time"}}) {
			t.Errorf("SWEMWBS item %d: %+v", i+1, it)
		}
	}

	// Each call returns new copies.
	qs[1].Items[0].Text = "changed"
	qs[1].Bands[0].Label = "changed"
	again := BuiltInQuestionnaires(nil)
	if again[1].Items[0].Text != want[0] || again[1].Bands[0].Label != "Not often lonely" {
		t.Error("changing one copy changed the built-in definition")
	}
}

func TestSWEMWBSWording(t *testing.T) {
	seven := []string{" One ", "Two", "Three", "Four", "Five", "Six", "Seven"}
	for _, c := range []struct {
		name    string
		wording []string
		missing bool
	}{
		{"none", nil, true},
		{"empty", []string{}, true},
		{"six", seven[:6], true},
		{"eight", append(slices.Clone(seven), "Eight"), true},
		{"one blank", []string{"One", "Two", "  ", "Four", "Five", "Six", "Seven"}, true},
		{"one empty", []string{"One", "Two", "Three", "Four", "Five", "Six", ""}, true},
		{"seven", seven, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := builtIn(t, "swemwbs", c.wording)
			if q.WordingMissing != c.missing || len(q.Items) != 7 {
				t.Fatalf("wording missing %v with %d items", q.WordingMissing, len(q.Items))
			}
			for i, it := range q.Items {
				want := "Item " + strconv.Itoa(i+1)
				if !c.missing {
					want = strings.TrimSpace(seven[i])
				}
				if it.Text != want {
					t.Errorf("item %d is %q, want %q", i+1, it.Text, want)
				}
			}
		})
	}
}

// TestSWEMWBSMetricTable checks every raw score against the official table, read from the
// reference file itself.
func TestSWEMWBSMetricTable(t *testing.T) {
	rows := readCSV(t, "swemwbs_raw_to_metric.csv")
	if len(rows) != 29 {
		t.Fatalf("the table has %d rows, want 29 (raw 7 to 35)", len(rows))
	}
	for i, row := range rows {
		raw := atoi(t, row[0])
		want, err := strconv.ParseFloat(row[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		if raw != 7+i {
			t.Fatalf("row %d is raw %d", i+1, raw)
		}
		got, err := SWEMWBSMetric(raw)
		if err != nil || got != want {
			t.Errorf("SWEMWBSMetric(%d) = %v, %v; want %v", raw, got, err, want)
		}
		// Every raw score, from answers that add up to it.
		answers := []int{1, 1, 1, 1, 1, 1, 1}
		for j := 0; sumInts(answers) < raw; j = (j + 1) % 7 {
			answers[j]++
		}
		s, err := ScoreSWEMWBSAnswers(answers)
		if err != nil {
			t.Fatalf("%v: %v", answers, err)
		}
		if s.Raw != raw || s.Total != want || s.Band != "" || s.Items != nil {
			t.Errorf("%v scored %+v, want raw %d metric %v", answers, s, raw, want)
		}
	}
	for _, raw := range []int{-7, 0, 6, 36, 100} {
		if got, err := SWEMWBSMetric(raw); err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("SWEMWBSMetric(%d) = %v, %v; want an error", raw, got, err)
		}
	}
}

func sumInts(a []int) int {
	s := 0
	for _, v := range a {
		s += v
	}
	return s
}

// TestONS4Thresholds scores every value 0 to 10 of every item and checks its band against
// the ONS thresholds in the reference file.
func TestONS4Thresholds(t *testing.T) {
	rows := readCSV(t, "ons4_thresholds.csv")
	type band struct {
		question string
		min, max int
		label    string
	}
	table := map[string][]band{}
	for _, row := range rows {
		table[row[0]] = append(table[row[0]], band{row[1], atoi(t, row[2]), atoi(t, row[3]), row[4]})
	}
	keys := []string{"life_satisfaction", "worthwhile", "happiness", "anxiety"}
	labels := []string{"Life satisfaction", "Worthwhile", "Happiness", "Anxiety"}
	if len(table) != 4 {
		t.Fatalf("the table has measures %v", table)
	}
	q := builtIn(t, "ons4", nil)
	checked := 0
	for i, key := range keys {
		bands := table[key]
		if len(bands) == 0 {
			t.Fatalf("no thresholds for %s", key)
		}
		if q.Items[i].Text != bands[0].question {
			t.Errorf("item %d is %q, the ONS question is %q", i+1, q.Items[i].Text, bands[0].question)
		}
		for v := 0; v <= 10; v++ {
			want := ""
			for _, b := range bands {
				if v >= b.min && v <= b.max {
					if want != "" {
						t.Fatalf("%s %d is in two bands", key, v)
					}
					want = b.label
				}
			}
			if want == "" {
				t.Fatalf("the table has no band for %s %d", key, v)
			}
			answers := []int{5, 5, 5, 5}
			answers[i] = v
			s, err := ScoreONS4Answers(answers)
			if err != nil {
				t.Fatalf("%v: %v", answers, err)
			}
			if s.Total != 0 || s.Raw != 0 || s.Band != "" || len(s.Items) != 4 {
				t.Fatalf("%v scored %+v", answers, s)
			}
			got := s.Items[i]
			if got != (ItemScore{Key: key, Label: labels[i], Value: v, Band: want}) {
				t.Errorf("%s = %d scored %+v, want band %q", key, v, got, want)
			}
			// The dispatching Score agrees.
			s2, err := q.Score(ints(answers...))
			if err != nil || !slices.Equal(s2.Items, s.Items) {
				t.Errorf("Score(%v) = %+v, %v", answers, s2, err)
			}
			checked++
		}
	}
	if checked != 44 {
		t.Fatalf("checked %d values", checked)
	}
	// The others items keep their own bands: 5 is medium for all four.
	s, _ := ScoreONS4Answers([]int{5, 5, 5, 5})
	for _, it := range s.Items {
		if it.Band != "medium" {
			t.Errorf("%s 5 is %q", it.Key, it.Band)
		}
	}
}

// TestUCLA3Totals scores every one of the 27 ways to answer, so every total 3 to 9.
func TestUCLA3Totals(t *testing.T) {
	bands := map[int]string{3: "Not often lonely", 4: "Not often lonely", 5: "Not often lonely",
		6: "Often lonely", 7: "Often lonely", 8: "Often lonely", 9: "Often lonely"}
	q := builtIn(t, "ucla3", nil)
	seen := map[int]int{}
	for a := 1; a <= 3; a++ {
		for b := 1; b <= 3; b++ {
			for c := 1; c <= 3; c++ {
				s, err := ScoreUCLA3Answers([]int{a, b, c})
				if err != nil {
					t.Fatal(err)
				}
				total := a + b + c
				if s.Raw != total || s.Total != float64(total) || s.Band != bands[total] || s.Items != nil {
					t.Errorf("%d %d %d scored %+v, want %d %q", a, b, c, s, total, bands[total])
				}
				if s2, err := q.Score(ints(a, b, c)); err != nil || !reflect.DeepEqual(s2, s) {
					t.Errorf("Score(%d %d %d) = %+v, %v", a, b, c, s2, err)
				}
				seen[total]++
			}
		}
	}
	if len(seen) != 7 || seen[3] != 1 || seen[9] != 1 || seen[6] != 7 {
		t.Fatalf("totals seen %v", seen)
	}
}

func TestQuestionnaireBuiltInRefusesBadAnswers(t *testing.T) {
	score := map[string]func([]int) (*QuestionnaireScore, error){
		"ons4": ScoreONS4Answers, "ucla3": ScoreUCLA3Answers, "swemwbs": ScoreSWEMWBSAnswers}
	for _, c := range []struct {
		code    string
		answers []int
		fields  []string
		message string
	}{
		{"ons4", nil, []string{"answers"}, "ONS personal wellbeing (ONS4) has 4 questions: give one answer to each (0 answers were given)."},
		{"ons4", []int{1, 2, 3}, []string{"answers"}, ""},
		{"ons4", []int{1, 2, 3, 4, 5}, []string{"answers"}, ""},
		{"ons4", []int{-1, 0, 10, 11}, []string{"answers.1", "answers.4"},
			`Answer question 1 ("Overall, how satisfied are you with your life nowadays?") with a whole number from 0 to 10.`},
		{"ons4", []int{0, 0, 0, 11}, []string{"answers.4"}, `Answer question 4 ("Overall, how anxious did you feel yesterday?") with a whole number from 0 to 10.`},
		{"ucla3", []int{1, 2}, []string{"answers"}, "Loneliness (UCLA 3-item scale) has 3 questions: give one answer to each (2 answers were given)."},
		{"ucla3", []int{1, 2, 3, 1}, []string{"answers"}, ""},
		{"ucla3", []int{0, 1, 3}, []string{"answers.1"}, `Answer question 1 ("How often do you feel that you lack companionship?") with a whole number from 1 to 3.`},
		{"ucla3", []int{1, 4, 3}, []string{"answers.2"}, `Answer question 2 ("How often do you feel left out?") with a whole number from 1 to 3.`},
		{"ucla3", []int{4, 0, -3}, []string{"answers.1", "answers.2", "answers.3"}, ""},
		{"swemwbs", []int{1, 2, 3, 4, 5, 1}, []string{"answers"}, ""},
		{"swemwbs", []int{1, 2, 3, 4, 5, 1, 2, 3}, []string{"answers"}, ""},
		{"swemwbs", []int{1, 2, 0, 4, 5, 6, 1}, []string{"answers.3", "answers.6"}, `Answer question 3 ("Item 3") with a whole number from 1 to 5.`},
	} {
		s, err := score[c.code](c.answers)
		if err == nil {
			t.Errorf("%s %v scored %+v", c.code, c.answers, s)
			continue
		}
		if ErrorCode(err) != EINVALID || !slices.Equal(errFields(err), c.fields) {
			t.Errorf("%s %v: fields %v (%v), want %v", c.code, c.answers, errFields(err), err, c.fields)
		}
		if c.message != "" && ErrorMessage(err) != c.message {
			t.Errorf("%s %v: message %q, want %q", c.code, c.answers, ErrorMessage(err), c.message)
		}
	}
	// Every value just outside every built-in scale, on every item.
	for _, q := range BuiltInQuestionnaires(nil) {
		for i, it := range q.Items {
			for _, bad := range []int{it.Min - 1, it.Max + 1} {
				a := make([]int, len(q.Items))
				for j := range a {
					a[j] = q.Items[j].Min
				}
				a[i] = bad
				if _, err := score[q.Code](a); !slices.Equal(errFields(err), []string{"answers." + strconv.Itoa(i+1)}) {
					t.Errorf("%s %v: %v", q.Code, a, err)
				}
				if _, err := q.Score(ints(a...)); !slices.Equal(errFields(err), []string{"answers." + strconv.Itoa(i+1)}) {
					t.Errorf("Score %s %v: %v", q.Code, a, err)
				}
			}
		}
	}
}

func TestQuestionnaireCheckAnswers(t *testing.T) {
	ucla := builtIn(t, "ucla3", nil)
	sw := builtIn(t, "swemwbs", nil)
	for _, c := range []struct {
		name     string
		q        *Questionnaire
		answers  []*int
		complete bool
		fields   []string
		messages []string
	}{
		{"complete", ucla, ints(1, 2, 3), true, nil, nil},
		{"draft all answered", ucla, ints(1, 2, 3), false, nil, nil},
		{"draft none answered", ucla, []*int{nil, nil, nil}, false, nil, nil},
		{"draft partly answered", ucla, []*int{nil, ints(2)[0], nil}, false, nil, nil},
		{"partial as complete", ucla, []*int{ints(1)[0], nil, nil}, true, []string{"answers.2", "answers.3"}, []string{
			`Answer question 2 ("How often do you feel left out?"), or save the questionnaire as a draft to finish later.`,
			`Answer question 3 ("How often do you feel isolated from others?"), or save the questionnaire as a draft to finish later.`}},
		{"none answered as complete", ucla, []*int{nil, nil, nil}, true, []string{"answers.1", "answers.2", "answers.3"}, nil},
		{"draft out of range", ucla, []*int{nil, ints(4)[0], nil}, false, []string{"answers.2"}, []string{
			`Answer question 2 ("How often do you feel left out?") with a whole number from 1 to 3.`}},
		{"complete missing and out of range", ucla, []*int{ints(0)[0], nil, ints(3)[0]}, true, []string{"answers.1", "answers.2"}, nil},
		{"too few", ucla, ints(1, 2), false, []string{"answers"}, nil},
		{"too many", ucla, ints(1, 2, 3, 1), true, []string{"answers"}, nil},
		{"none at all", ucla, nil, false, []string{"answers"}, nil},
		{"item wording missing", sw, []*int{nil, nil, nil, nil, nil, nil, ints(9)[0]}, false, []string{"answers.7"}, []string{
			`Answer question 7 ("Item 7") with a whole number from 1 to 5.`}},
		{"item wording missing, partial", sw, []*int{nil, nil, nil, ints(1)[0], ints(1)[0], ints(1)[0], ints(1)[0]}, true,
			[]string{"answers.1", "answers.2", "answers.3"}, []string{
				`Answer question 1 ("Item 1"), or save the questionnaire as a draft to finish later.`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.q.CheckAnswers(c.answers, c.complete)
			if !slices.Equal(errFields(err), c.fields) {
				t.Fatalf("fields %v (%v), want %v", errFields(err), err, c.fields)
			}
			for i, m := range c.messages {
				if got := FieldErrors(err)[i].Message; got != m {
					t.Errorf("message %d: %q, want %q", i+1, got, m)
				}
			}
		})
	}
	// A question with no text is named by its number.
	q := &Questionnaire{Name: "Q", Items: []QuestionnaireItem{{Min: 1, Max: 2}}}
	if err := q.CheckAnswers(ints(3), true); ErrorMessage(err) != `Answer question 1 ("Item 1") with a whole number from 1 to 2.` {
		t.Errorf("%v", err)
	}
}

func TestQuestionnaireScore(t *testing.T) {
	ucla := builtIn(t, "ucla3", nil)
	if s, err := ucla.Score([]*int{ints(1)[0], nil, ints(3)[0]}); err == nil || !slices.Equal(errFields(err), []string{"answers.2"}) {
		t.Errorf("an unanswered question was scored: %+v, %v", s, err)
	}
	sw := builtIn(t, "swemwbs", []string{"a", "b", "c", "d", "e", "f", "g"})
	if s, err := sw.Score(ints(3, 3, 3, 3, 3, 3, 3)); err != nil || s.Raw != 21 || s.Total != 19.25 {
		t.Errorf("SWEMWBS 21 = %+v, %v", s, err)
	}
	local := &Questionnaire{Code: "local-1", Scoring: ScoreMean, Items: []QuestionnaireItem{{Text: "a", Min: 0, Max: 4}, {Text: "b", Min: 0, Max: 4, Reversed: true}}}
	if s, err := local.Score(ints(1, 0)); err != nil || s.Raw != 5 || s.Total != 2.5 {
		t.Errorf("local = %+v, %v", s, err)
	}
	local.Scoring = "median"
	if _, err := local.Score(ints(1, 0)); ErrorCode(err) != EINTERNAL {
		t.Errorf("an unknown rule scored: %v", err)
	}
	if _, err := ScoreLocalAnswers(ucla, []int{1, 1, 1}); ErrorCode(err) != EINTERNAL {
		t.Errorf("a built-in questionnaire scored as local: %v", err)
	}
	if _, err := ScoreLocalAnswers(&Questionnaire{Scoring: ScoreMean}, nil); ErrorCode(err) != EINTERNAL {
		t.Errorf("a questionnaire with no questions scored: %v", err)
	}
}

func TestQuestionnaireResponseValidate(t *testing.T) {
	today := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
	dob := "1950-06-01"
	ucla := builtIn(t, "ucla3", nil)
	for _, c := range []struct {
		name   string
		r      QuestionnaireResponse
		fields []string
		score  *QuestionnaireScore
	}{
		{"complete", QuestionnaireResponse{Timepoint: " baseline ", Status: " complete ", CompletedOn: " 2026-11-21 ", Answers: ints(2, 2, 3)},
			nil, &QuestionnaireScore{Total: 7, Raw: 7, Band: "Often lonely"}},
		{"complete low", QuestionnaireResponse{Timepoint: "final", Status: "complete", CompletedOn: "1950-06-01", Answers: ints(1, 1, 1)},
			nil, &QuestionnaireScore{Total: 3, Raw: 3, Band: "Not often lonely"}},
		{"draft without a date", QuestionnaireResponse{Timepoint: "review", Status: "draft", Answers: []*int{nil, ints(2)[0], nil}}, nil, nil},
		{"draft fully answered is not scored", QuestionnaireResponse{Timepoint: "review", Status: "draft", Answers: ints(3, 3, 3),
			Score: &QuestionnaireScore{Total: 9}}, nil, nil},
		{"draft with a date", QuestionnaireResponse{Timepoint: "review", Status: "draft", CompletedOn: "2026-11-01", Answers: []*int{nil, nil, nil}}, nil, nil},
		{"draft with a future date", QuestionnaireResponse{Timepoint: "review", Status: "draft", CompletedOn: "2026-11-22", Answers: []*int{nil, nil, nil}},
			[]string{"completed_on"}, nil},
		{"partial as complete", QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "2026-11-01", Answers: []*int{nil, ints(2)[0], nil}},
			[]string{"answers.1", "answers.3"}, nil},
		{"complete without a date", QuestionnaireResponse{Timepoint: "baseline", Status: "complete", Answers: ints(1, 2, 3)}, []string{"completed_on"}, nil},
		{"complete tomorrow", QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "2026-11-22", Answers: ints(1, 2, 3)}, []string{"completed_on"}, nil},
		{"complete before birth", QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "1950-05-31", Answers: ints(1, 2, 3)}, []string{"completed_on"}, nil},
		{"not a date", QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "2026-02-30", Answers: ints(1, 2, 3)}, []string{"completed_on"}, nil},
		{"no timepoint", QuestionnaireResponse{Status: "complete", CompletedOn: "2026-11-01", Answers: ints(1, 2, 3)}, []string{"timepoint"}, nil},
		{"unknown timepoint", QuestionnaireResponse{Timepoint: "midway", Status: "complete", CompletedOn: "2026-11-01", Answers: ints(1, 2, 3)}, []string{"timepoint"}, nil},
		{"unknown status", QuestionnaireResponse{Timepoint: "baseline", Status: "done", CompletedOn: "2026-11-01", Answers: ints(1, 2, 3)}, []string{"status"}, nil},
		{"out of range", QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "2026-11-01", Answers: ints(1, 4, 3)}, []string{"answers.2"}, nil},
		{"everything wrong", QuestionnaireResponse{Timepoint: "x", Status: "complete", CompletedOn: "tomorrow", Answers: []*int{nil, ints(0)[0], nil}},
			[]string{"timepoint", "answers.1", "answers.2", "answers.3", "completed_on"}, nil},
		{"wrong count", QuestionnaireResponse{Timepoint: "baseline", Status: "draft", Answers: ints(1)}, []string{"answers"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			err := r.Validate(ucla, dob, today)
			if !slices.Equal(errFields(err), c.fields) {
				t.Fatalf("fields %v (%v), want %v", errFields(err), err, c.fields)
			}
			if err != nil {
				return
			}
			if r.QuestionnaireCode != "ucla3" || r.QuestionnaireName != ucla.Name {
				t.Errorf("named %q %q", r.QuestionnaireCode, r.QuestionnaireName)
			}
			if strings.TrimSpace(string(r.Timepoint)) != string(r.Timepoint) || strings.TrimSpace(r.CompletedOn) != r.CompletedOn ||
				strings.TrimSpace(string(r.Status)) != string(r.Status) {
				t.Errorf("not trimmed: %+v", r)
			}
			switch {
			case c.score == nil && r.Score != nil:
				t.Errorf("a draft was scored: %+v", r.Score)
			case c.score != nil && !reflect.DeepEqual(r.Score, c.score):
				t.Errorf("scored %+v, want %+v", r.Score, c.score)
			}
		})
	}
	// The date's messages are about the date it was completed.
	r := QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "2026-11-22", Answers: ints(1, 2, 3)}
	if err := r.Validate(ucla, dob, today); ErrorMessage(err) != "The date it was completed must be today or in the past." {
		t.Errorf("%q", ErrorMessage(err))
	}
	r = QuestionnaireResponse{Timepoint: "baseline", Status: "complete", Answers: ints(1, 2, 3)}
	if err := r.Validate(ucla, dob, today); ErrorMessage(err) != "Enter the date the person answered the questionnaire." {
		t.Errorf("%q", ErrorMessage(err))
	}
	// A complete ONS4 response is scored item by item.
	r = QuestionnaireResponse{Timepoint: "baseline", Status: "complete", CompletedOn: "2026-11-21", Answers: ints(0, 10, 7, 6)}
	if err := r.Validate(builtIn(t, "ons4", nil), dob, today); err != nil || r.Score == nil || len(r.Score.Items) != 4 ||
		r.Score.Items[0].Band != "low" || r.Score.Items[1].Band != "very high" || r.Score.Items[2].Band != "high" || r.Score.Items[3].Band != "high" {
		t.Errorf("ONS4: %v %+v", err, r.Score)
	}
}

// localQ is a valid local questionnaire for the tests to change.
func localQ() *Questionnaire {
	return &Questionnaire{
		Name:        "Confidence",
		Description: "How confident the person feels.",
		Items: []QuestionnaireItem{
			{Text: "I feel confident meeting new people.", Min: 0, Max: 4, Options: []ItemOption{{0, "Not at all"}, {4, "Very"}}},
			{Text: "I worry about going out.", Min: 0, Max: 4, Reversed: true},
			{Text: "I know where to find help.", Min: 1, Max: 5},
		},
		Scoring:        ScoreSum,
		Bands:          []ScoreBand{{1, 5, "Low"}, {6, 9, "Medium"}, {10, 13, "High"}},
		HigherIsBetter: true,
	}
}

func TestQuestionnaireLocalScoring(t *testing.T) {
	sum := localQ()
	mean := localQ()
	mean.Scoring = ScoreMean
	mean.Bands = []ScoreBand{{0.33, 1.99, "Low"}, {2, 2.99, "Medium"}, {3, 4.33, "High"}}
	gaps := localQ()
	gaps.Bands = []ScoreBand{{1, 3, "Low"}, {11, 13, "High"}}
	for _, q := range []*Questionnaire{sum, mean, gaps} {
		if err := q.Validate(); err != nil {
			t.Fatalf("%s: %v", q.Scoring, err)
		}
	}
	for _, c := range []struct {
		q       *Questionnaire
		answers []int
		total   float64
		raw     int
		band    string
	}{
		// Item 2 is reversed: 0 scores 4, 4 scores 0; the lowest total is 0+0+1.
		{sum, []int{0, 4, 1}, 1, 1, "Low"},
		{sum, []int{0, 0, 1}, 5, 5, "Low"},
		{sum, []int{1, 0, 1}, 6, 6, "Medium"},
		{sum, []int{4, 0, 1}, 9, 9, "Medium"},
		{sum, []int{4, 0, 2}, 10, 10, "High"},
		{sum, []int{4, 0, 5}, 13, 13, "High"},
		{sum, []int{2, 2, 3}, 7, 7, "Medium"},
		{gaps, []int{0, 1, 1}, 4, 4, ""},
		{gaps, []int{0, 2, 1}, 3, 3, "Low"},
		{gaps, []int{4, 0, 3}, 11, 11, "High"},
		{gaps, []int{4, 1, 3}, 10, 10, ""},
		{mean, []int{0, 4, 1}, 0.33, 1, "Low"}, // 1/3
		{mean, []int{1, 4, 1}, 0.67, 2, "Low"}, // 2/3, rounded up
		{mean, []int{0, 0, 1}, 1.67, 5, "Low"}, // 5/3
		{mean, []int{1, 0, 1}, 2, 6, "Medium"}, // the bottom of Medium
		{mean, []int{3, 1, 2}, 2.67, 8, "Medium"},
		{mean, []int{4, 4, 5}, 3, 9, "High"},     // the bottom of High
		{mean, []int{4, 0, 5}, 4.33, 13, "High"}, // the top of High
	} {
		s, err := ScoreLocalAnswers(c.q, c.answers)
		if err != nil {
			t.Fatalf("%s %v: %v", c.q.Scoring, c.answers, err)
		}
		if s.Total != c.total || s.Raw != c.raw || s.Band != c.band || s.Items != nil {
			t.Errorf("%s %v scored %+v, want %v (raw %d) %q", c.q.Scoring, c.answers, s, c.total, c.raw, c.band)
		}
	}

	// Every way to answer, against a reference worked out with exact fractions.
	for a := 0; a <= 4; a++ {
		for b := 0; b <= 4; b++ {
			for c := 1; c <= 5; c++ {
				raw := a + (4 - b) + c
				s, err := ScoreLocalAnswers(sum, []int{a, b, c})
				if err != nil || s.Raw != raw || s.Total != float64(raw) {
					t.Errorf("sum %d %d %d = %+v, %v; want %d", a, b, c, s, err, raw)
				}
				s, err = ScoreLocalAnswers(mean, []int{a, b, c})
				if want := referenceMean(raw, 3); err != nil || s.Raw != raw || s.Total != want {
					t.Errorf("mean %d %d %d = %+v, %v; want %v", a, b, c, s, err, want)
				}
				if s.Band == "" {
					t.Errorf("mean %d %d %d = %v is in no band", a, b, c, s.Total)
				}
			}
		}
	}

	// A band's Min and Max are both included, and the first band that holds the total wins.
	q := &Questionnaire{Scoring: ScoreSum, Items: []QuestionnaireItem{{Text: "a", Min: 0, Max: 10}},
		Bands: []ScoreBand{{2, 4, "first"}, {4, 6, "second"}}}
	for v, want := range []string{"", "", "first", "first", "first", "second", "second", "", "", "", ""} {
		if s, err := ScoreLocalAnswers(q, []int{v}); err != nil || s.Band != want {
			t.Errorf("%d is in band %+v, %v; want %q", v, s, err, want)
		}
	}

	// Answers outside the scale, and the wrong number of answers, are refused.
	for _, c := range []struct {
		answers []int
		fields  []string
	}{
		{[]int{-1, 0, 1}, []string{"answers.1"}},
		{[]int{0, 5, 1}, []string{"answers.2"}},
		{[]int{0, 0, 0}, []string{"answers.3"}},
		{[]int{5, -1, 6}, []string{"answers.1", "answers.2", "answers.3"}},
		{[]int{0, 0}, []string{"answers"}},
		{[]int{0, 0, 1, 1}, []string{"answers"}},
		{nil, []string{"answers"}},
	} {
		if s, err := ScoreLocalAnswers(sum, c.answers); !slices.Equal(errFields(err), c.fields) {
			t.Errorf("%v scored %+v, %v; want problems with %v", c.answers, s, err, c.fields)
		}
	}
}

// referenceMean is sum/n rounded half away from zero to two places, with exact fractions.
func referenceMean(sum, n int) float64 {
	r := big.NewRat(int64(sum)*100, int64(n))
	neg := r.Sign() < 0
	r.Abs(r)
	// floor(r + 1/2)
	r.Add(r, big.NewRat(1, 2))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if neg {
		q.Neg(q)
	}
	return float64(q.Int64()) / 100
}

// TestMeanRounding checks the mean of every possible sum of every possible number of items
// against exact fractions, halves included (1/8 = 0.125 rounds to 0.13, -1/8 to -0.13).
func TestQuestionnaireMeanRounding(t *testing.T) {
	for _, c := range []struct {
		sum, n int
		want   float64
	}{
		{1, 8, 0.13}, {-1, 8, -0.13}, {5, 8, 0.63}, {-5, 8, -0.63}, {1, 40, 0.03}, {-1, 40, -0.03},
		{3, 8, 0.38}, {1, 3, 0.33}, {2, 3, 0.67}, {-2, 3, -0.67}, {0, 7, 0}, {7, 7, 1}, {1, 16, 0.06}, {3, 16, 0.19},
	} {
		if got := meanOf(c.sum, c.n); got != c.want {
			t.Errorf("meanOf(%d, %d) = %v, want %v", c.sum, c.n, got, c.want)
		}
	}
	for n := 1; n <= MaxQuestionnaireItems; n++ {
		for sum := n * MinQuestionnaireAnswer; sum <= n*MaxQuestionnaireAnswer; sum++ {
			if got, want := meanOf(sum, n), referenceMean(sum, n); got != want {
				t.Fatalf("meanOf(%d, %d) = %v, want %v", sum, n, got, want)
			}
		}
	}
}
