package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"linkwork"
)

// The outline of a generated place's casework, made before any of it is written: who the
// link workers are, each person's case (its status, worker, dates and how many contacts and
// questionnaires it has), and each referral (its scheme, what became of it, when it came).
// Everything else about a person or a referral is drawn from a random source of its own,
// seeded by the seed and its number, so that it is the same however the work is split up.

// Tags keep apart the random sources of different kinds of thing with the same number.
const (
	tagPlan uint64 = 0x706c616e << 32 >> iota
	tagPerson
	tagRefPlan
	tagDetails
	tagDirect
	tagReferral
	tagCase
)

// newRand returns the random source of thing n of a kind.
func newRand(seed, tag uint64, n int64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^tag, uint64(n)))
}

// historyDays is how far back the casework goes: three years.
const historyDays = 3 * 365

type personClass uint8

const (
	classWaiting personClass = iota // opened, no contact yet
	classActive                     // being supported
	classClosed
)

type refKind uint8

// What became of a referral: those of the first five kinds have no case.
const (
	refReceived refKind = iota
	refAccepted
	refWaiting
	refDeclined
	refClosed
	refCase // a case was opened from it, and its status follows the case
)

// personPlan is one person's case in outline. Days count from today: 0 is today, -1
// yesterday.
type personPlan struct {
	n         int32 // the person's number, which seeds their randomness
	class     personClass
	outcome   linkwork.CaseOutcome
	code      string // the questionnaire they answer
	worker    int32
	opened    int32
	first     int32 // the first contact, if any
	closed    int32
	ref       int32 // the referral the case came from (an index into plan.refs), or -1
	nhs       string
	contacts  int32
	responses int32
	bump      uint8 // set when opened directly and their names and birth date were taken
}

// engaged reports whether the person took part: everyone active, and everyone closed except
// those who never engaged.
func (p *personPlan) engaged() bool {
	return p.class == classActive || p.class == classClosed && p.outcome != linkwork.CaseNotEngaged
}

// end is the last day of the case so far: its closing day, or today.
func (p *personPlan) end() int32 {
	if p.class == classClosed {
		return p.closed
	}
	return 0
}

// refPlan is one referral in outline.
type refPlan struct {
	n        int32
	kind     refKind
	scheme   int32 // where it is now (an index into the directory's schemes)
	from     int32 // the scheme it arrived at, when it was redirected; -1 otherwise
	received int32 // day
	minute   int16 // of the working day it arrived
	waited   bool  // it was on the waiting list before allocation or closing
	person   int32 // the case opened from it (an index into plan.people), or -1
	nhs      string
	bump     uint8 // set when the person's names and birth date were taken in the scheme's organisation
}

// workerPlan is a generated link worker.
type workerPlan struct {
	email, name string
	scheme      int32 // the scheme they work in
	id          int64
}

// plan is the whole outline.
type plan struct {
	workers []workerPlan
	people  []personPlan // in the order the cases opened
	refs    []refPlan    // in the order the referrals came
	// known is how many active people the caseload benchmark's worker (workers[0]) has.
	known int
}

// pick returns an item of a list with the given weights.
func pick[T any](r *rand.Rand, items []T, weights []float64) T {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return items[i]
		}
		x -= w
	}
	return items[len(items)-1]
}

// Sizes of a caseload: a link worker holds about 50 people at once, and sees about one
// person for every 200 a scheme supports over the years of history.
const (
	peoplePerWorker = 200
	openPerWorker   = 50
	// KnownCaseload is how many active people the caseload benchmark's link worker has,
	// when there are at least twice as many people.
	KnownCaseload = 250
)

// newPlan outlines the casework for a directory.
func newPlan(dir *Directory, o *PeopleOptions) (*plan, error) {
	P, R := o.People, o.Referrals
	if P < 0 || R < 0 || o.Contacts < 0 || o.Questionnaires < 0 {
		return nil, fmt.Errorf("the numbers of people, referrals, contacts and questionnaires cannot be negative")
	}
	nS := len(dir.Schemes)
	if (P > 0 || R > 0) && nS == 0 {
		return nil, fmt.Errorf("people and referrals need a running connector scheme, and the %d generated services have none: "+
			"generate more services (at least 100)", dir.Services)
	}
	pr := newRand(o.Seed, tagPlan, 0)
	pl := &plan{}

	// The link workers, spread over the schemes.
	W := 0
	if P > 0 {
		W = max(1, (P+peoplePerWorker-1)/peoplePerWorker)
	}
	for j := range W {
		s := int32(j % nS)
		if W <= nS {
			s = int32(j * nS / W)
		}
		given := pick(pr, [][]string{femaleNames, maleNames}, []float64{0.7, 0.3})
		w := workerPlan{name: given[pr.IntN(len(given))] + " " + familyNames[pr.IntN(len(familyNames))], scheme: s}
		pl.workers = append(pl.workers, w)
	}

	// Each person's class and worker: the known worker's active people, then about 50
	// open cases for each other worker (one in ten not yet contacted), then the closed.
	K := min(KnownCaseload, P/2)
	pl.known = K
	openOther := 0
	if W > 1 {
		openOther = min(openPerWorker*(W-1), (P-K)/4)
	}
	waiting := openOther / 10
	type slot struct {
		class  personClass
		worker int32
	}
	slots := make([]slot, 0, P)
	for range K {
		slots = append(slots, slot{classActive, 0})
	}
	for j := range openOther {
		c := classActive
		if j >= openOther-waiting {
			c = classWaiting
		}
		slots = append(slots, slot{c, int32(1 + j%(W-1))})
	}
	for len(slots) < P {
		slots = append(slots, slot{classClosed, int32(pr.IntN(W))})
	}
	pr.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })

	outcomes := linkwork.CaseOutcomes // goals met, partly, not engaged, moved, declined, died, other
	outcomeWeights := []float64{40, 25, 12, 5, 8, 2, 8}
	codes := []string{linkwork.QuestionnaireONS4, linkwork.QuestionnaireSWEMWBS, linkwork.QuestionnaireUCLA3}
	codeWeights := []float64{50, 30, 20}
	direct := max(0, P-R) // people whose case was opened without a referral
	pl.people = make([]personPlan, P)
	for n, s := range slots {
		r := newRand(o.Seed, tagPerson, int64(n))
		p := personPlan{n: int32(n), class: s.class, worker: s.worker, ref: -1, code: pick(r, codes, codeWeights)}
		switch s.class {
		case classWaiting:
			p.opened = -int32(r.IntN(21))
		case classActive:
			p.opened = -int32(7 + r.IntN(106))
			p.first = p.opened + 1 + int32(r.IntN(int(min(10, -p.opened-1))))
		case classClosed:
			dur := int32(42 + r.IntN(141))
			p.closed = -1 - int32(r.IntN(historyDays-200))
			p.opened = p.closed - dur
			p.first = p.opened + 1 + int32(r.IntN(10))
			p.outcome = pick(r, outcomes, outcomeWeights)
		}
		if n >= direct {
			// The referral the case came from.
			waited := r.Float64() < 0.25
			received := p.opened - 1 - int32(r.IntN(20))
			if waited {
				received = p.opened - 14 - int32(r.IntN(90))
			}
			p.ref = int32(len(pl.refs))
			pl.refs = append(pl.refs, refPlan{n: int32(n), kind: refCase, scheme: pl.workers[s.worker].scheme, from: -1,
				received: received, minute: int16(r.IntN(600)), waited: waited, person: int32(n)})
		}
		pl.people[n] = p
	}

	// The referrals that did not lead to a case here.
	kinds := []refKind{refReceived, refAccepted, refWaiting, refDeclined, refClosed}
	kindWeights := []float64{10, 4, 14, 37, 35}
	for k := range R - (P - direct) {
		n := int32(P + k)
		r := newRand(o.Seed, tagRefPlan, int64(n))
		rp := refPlan{n: n, kind: pick(r, kinds, kindWeights), from: -1, person: -1, minute: int16(r.IntN(600))}
		if W > 0 && r.Float64() < 0.7 {
			rp.scheme = pl.workers[r.IntN(W)].scheme
		} else {
			rp.scheme = int32(r.IntN(nS))
		}
		switch rp.kind {
		case refReceived:
			rp.received = -int32(r.IntN(10))
		case refAccepted:
			rp.received = -int32(r.IntN(14))
		case refWaiting:
			rp.received = -7 - int32(r.IntN(120))
		default:
			rp.received = -70 - int32(r.IntN(historyDays-70))
			rp.waited = rp.kind == refClosed && r.Float64() < 0.4
		}
		pl.refs = append(pl.refs, rp)
	}
	// Some referrals were sent to one scheme and passed on to another.
	for i := range pl.refs {
		if nS > 1 && pr.Float64() < 0.04 {
			pl.refs[i].from = int32((int(pl.refs[i].scheme) + 1 + pr.IntN(nS-1)) % nS)
		}
	}

	// In time order, with the cross references renumbered.
	slices.SortStableFunc(pl.people, func(a, b personPlan) int {
		if a.opened != b.opened {
			return int(a.opened - b.opened)
		}
		return int(a.n - b.n)
	})
	slices.SortStableFunc(pl.refs, func(a, b refPlan) int {
		if a.received != b.received {
			return int(a.received - b.received)
		}
		if a.minute != b.minute {
			return int(a.minute - b.minute)
		}
		return int(a.n - b.n)
	})
	personAt := make(map[int32]int32, P) // number → index
	for i := range pl.people {
		personAt[pl.people[i].n] = int32(i)
	}
	nhs := newNHSNumbers(o.Seed)
	for i := range pl.refs {
		rp := &pl.refs[i]
		if rp.person >= 0 {
			rp.person = personAt[rp.person]
			pl.people[rp.person].ref = int32(i)
		}
		if pr.Float64() < 0.6 {
			rp.nhs = nhs.take()
		}
	}
	for i := range pl.people {
		if p := &pl.people[i]; p.ref < 0 && pr.Float64() < 0.6 {
			p.nhs = nhs.take()
		}
	}
	if err := pl.share(o); err != nil {
		return nil, err
	}
	return pl, nil
}

// share gives each person their number of contacts and questionnaires, so that they add up
// to the totals asked for: in proportion to the weeks of their case, with at least one
// contact for everyone who took part and at least one questionnaire each for those with a
// contact (when there are enough to go round).
func (pl *plan) share(o *PeopleOptions) error {
	n := len(pl.people)
	weights, mins := make([]float64, n), make([]int, n)
	need := 0
	for i := range pl.people {
		p := &pl.people[i]
		switch {
		case p.engaged():
			weights[i], mins[i] = float64(p.end()-p.first)/7+1, 1
			need++
		case p.class == classClosed:
			weights[i] = 0.5
		}
	}
	contacts, err := allocate(o.Contacts, weights, mins)
	if err != nil {
		return fmt.Errorf("%d people are being or were supported, so they need at least %d contacts, not %d", need, need, o.Contacts)
	}
	eligible := 0
	for i := range pl.people {
		p := &pl.people[i]
		p.contacts = int32(contacts[i])
		weights[i], mins[i] = 0, 0
		if p.contacts > 0 {
			eligible++
			weights[i] = 1
			if p.class == classClosed && p.engaged() {
				weights[i]++
			}
			if p.end()-p.first > 70 {
				weights[i]++
			}
		}
	}
	if o.Questionnaires >= eligible {
		for i := range pl.people {
			if pl.people[i].contacts > 0 {
				mins[i] = 1
			}
		}
	}
	responses, err := allocate(o.Questionnaires, weights, mins)
	if err != nil {
		return fmt.Errorf("questionnaires are answered at contacts, and there are none to answer %d questionnaires at", o.Questionnaires)
	}
	for i := range pl.people {
		pl.people[i].responses = int32(responses[i])
	}
	return nil
}

// day is the date of a day counted from today.
func (g *caseGen) day(d int32) string {
	if i := int(d) + dayOffset; i >= 0 && i < len(g.days) {
		return g.days[i]
	}
	return g.today.AddDate(0, 0, int(d)).Format(time.DateOnly)
}
