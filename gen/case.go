package gen

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"linkwork"
	"linkwork/sqldb"
)

// A generated person's case: the record opened from their referral (or directly), the
// "what matters" conversation at the first contact, goals with small steps, contacts spread
// over the weeks of support, progress notes, onward referrals to community offers, and
// wellbeing questionnaires that improve, mostly, between the start and the end.

// caseOf makes the i-th person's case of the outline.
func (g *caseGen) caseOf(i int) *sqldb.BulkCase {
	p := &g.plan.people[i]
	w := g.plan.workers[p.worker]
	org := g.dir.Schemes[w.scheme].OrganisationID
	var d *details
	var codes []string
	refID := int64(0)
	if p.ref >= 0 {
		rp := &g.plan.refs[p.ref]
		d, codes, refID = g.details(tagDetails, rp.n, rp.nhs, rp.bump), g.needs(tagDetails, rp.n), g.refIDs[p.ref]
	} else {
		d, p.bump = g.uniqueDetails(tagDirect, p.n, p.nhs, org)
		codes = g.needs(tagDirect, p.n)
	}
	r := newRand(g.seed, tagCase, int64(p.n))
	rp := &d.person
	person := &linkwork.Person{UUID: g.uuid(r), OrganisationID: org, ReferralID: refID, GivenName: rp.GivenName,
		FamilyName: rp.FamilyName, PreferredName: d.preferred, DateOfBirth: rp.DateOfBirth, NHSNumber: rp.NHSNumber,
		Address1: rp.Address1, Address2: rp.Address2, Town: rp.Town, Postcode: rp.Postcode, Phone: rp.Phone, Email: rp.Email,
		ContactPreferences: rp.ContactPreferences, Language: rp.Language, Interpreter: rp.Interpreter, AccessNeeds: rp.AccessNeeds,
		GPPractice: rp.GPPractice, Demographics: d.demo, WorkerUserID: w.id, OpenedOn: g.day(p.opened),
		CreatedAt: g.at(p.opened, g.openMinute(p))}
	if p.class == classClosed {
		at := g.at(p.closed, g.closeMinute(p))
		person.Status, person.Outcome, person.ClosingNote, person.ClosedAt = linkwork.PersonClosed, p.outcome, g.closingNote(p), &at
	}
	b := &sqldb.BulkCase{Person: person}
	if p.contacts == 0 {
		return b
	}

	// Contacts: the first on the day of the first contact, the last (of a case that ended
	// well enough) on its closing day, the rest in between.
	days := make([]int32, p.contacts)
	days[0] = p.first
	span := int(p.end() - p.first)
	for k := 1; k < len(days); k++ {
		days[k] = p.first + int32(r.IntN(span+1))
	}
	if p.class == classClosed && p.engaged() && len(days) > 1 {
		days[len(days)-1] = p.closed
	}
	slices.Sort(days)
	for k, day := range days {
		mode := pick(r, linkwork.ContactModes, []float64{35, 35, 5, 10, 5, 10}) // face to face, phone, video, home, group, message
		minutes := 20 + 5*r.IntN(12)
		switch mode {
		case linkwork.ModeHomeVisit:
			minutes = 45 + 15*r.IntN(6)
		case linkwork.ModeMessage:
			minutes = 5 + 5*r.IntN(3)
		}
		ct := &linkwork.CaseContact{On: g.day(day), Mode: mode, Minutes: minutes, WorkerUserID: w.id,
			Note: contactNotes[r.IntN(len(contactNotes))], CreatedAt: g.at(day, g.contactMinute(p.n, k))}
		if chance(r, 0.08) {
			ct.With = withWhom[r.IntN(len(withWhom))]
		}
		switch {
		case k < len(days)-1:
			if chance(r, 0.6) {
				ct.FollowUpOn = g.day(days[k+1])
			}
		case p.class != classClosed && chance(r, 0.85):
			ct.FollowUpOn = g.day(day + 7 + int32(r.IntN(15)))
		}
		b.Contacts = append(b.Contacts, ct)
	}
	b.Responses = g.responses(p, w, r)
	if !p.engaged() {
		return b
	}
	firstAt := g.at(p.first, g.contactMinute(p.n, 0))
	words := wordsFor(codes[0])
	b.Conversation = &linkwork.Conversation{HeldOn: g.day(p.first), WhatMatters: words.matters[r.IntN(len(words.matters))],
		Strengths: strengths[r.IntN(len(strengths))], Interests: interests[r.IntN(len(interests))],
		Barriers: barriers[r.IntN(len(barriers))], Connect: "Would like to meet people with the same interests.",
		Control: "Wants to set the pace; small steps first.", UpdatedByUserID: w.id, UpdatedAt: firstAt}

	// Goals and steps from the words of their needs, due a week or two apart.
	var goalWords []goalWords
	for _, c := range codes {
		goalWords = append(goalWords, wordsFor(c).goals...)
	}
	nGoals := min(len(goalWords), pick(r, []int{1, 2, 3}, []float64{35, 45, 20}))
	var steps []*linkwork.Step
	stepOf := map[*linkwork.Step]*linkwork.Goal{}
	last := p.end()
	if p.class != classClosed {
		last = 28
	}
	for gi := range nGoals {
		gw := goalWords[gi]
		goal := &linkwork.Goal{Text: gw.text, CreatedAt: firstAt}
		for si := range 1 + r.IntN(len(gw.steps)) {
			due := min(p.first+7+7*int32(len(steps))+int32(r.IntN(7)), last)
			st := &linkwork.Step{Text: gw.steps[si], DueOn: g.day(due), Status: linkwork.StepToDo, CreatedAt: firstAt, UpdatedAt: firstAt}
			g.settle(st, due, p, r)
			goal.Steps = append(goal.Steps, st)
			steps = append(steps, st)
			stepOf[st] = goal
		}
		b.Goals = append(b.Goals, goal)
	}

	for range pick(r, []int{0, 1, 2}, []float64{55, 30, 15}) {
		day := days[r.IntN(len(days))]
		b.Notes = append(b.Notes, &linkwork.ProgressNote{Text: progressNotes[r.IntN(len(progressNotes))], AuthorUserID: w.id,
			At: g.at(day, g.contactMinute(p.n, 99))})
	}

	if len(g.dir.Offers) > 0 && (rp.Phone != "" || rp.Email != "") && chance(r, 0.35) {
		for range pick(r, []int{1, 2}, []float64{9, 1}) {
			b.Onward = append(b.Onward, g.onward(p, person, steps[r.IntN(len(steps))], w, r))
		}
	}
	// A goal is met when all its steps are done; at the end of a case, partly met when some
	// are, and stopped when none is.
	for _, goal := range b.Goals {
		done := 0
		for _, st := range goal.Steps {
			if st.Status == linkwork.StepDone {
				done++
			}
		}
		switch {
		case done == len(goal.Steps) && (p.class == classClosed || chance(r, 0.5)):
			goal.Status = linkwork.GoalMet
		case p.class != classClosed:
			goal.Status = linkwork.GoalActive
		case done > 0:
			goal.Status = linkwork.GoalPartlyMet
		default:
			goal.Status = linkwork.GoalStopped
		}
	}
	return b
}

// settle decides how a step due on a day has gone: at the end of a case, mostly done the
// better it went; while support goes on, steps due in the past mostly done, some overdue.
func (g *caseGen) settle(st *linkwork.Step, due int32, p *personPlan, r *rand.Rand) {
	var done float64
	switch {
	case p.class == classClosed && p.outcome == linkwork.CaseGoalsMet:
		done = 0.9
	case p.class == classClosed && p.outcome == linkwork.CasePartlyMet:
		done = 0.6
	case p.class == classClosed:
		done = 0.35
	case due < 0:
		done = 0.7
	default:
		done = 0.1
	}
	x := r.Float64()
	switch {
	case x < done:
		day := min(max(p.first, due-int32(r.IntN(8))), p.end())
		st.Status, st.DoneOn, st.UpdatedAt = linkwork.StepDone, g.day(day), g.at(day, 600)
	case p.class == classClosed && x < 0.95 || p.class != classClosed && due < 0 && x < done+0.08:
		st.Status = linkwork.StepNotDone
	}
}

// onward refers the person on to a community offer from a step of their plan, sent some
// days after their first contact; the group's answer depends on how long ago that was.
func (g *caseGen) onward(p *personPlan, person *linkwork.Person, st *linkwork.Step, w workerPlan, r *rand.Rand) sqldb.BulkOnward {
	offer := g.dir.Offers[r.IntN(len(g.dir.Offers))]
	sent := min(p.first+int32(r.IntN(15)), p.end())
	o := &linkwork.OnwardReferral{ServiceID: offer.ID, FirstName: person.KnownAs(), ContactPhone: person.Phone,
		ContactEmail: person.Email, Needs: onwardNeeds[r.IntN(len(onwardNeeds))], AccessRequirements: person.AccessNeeds,
		Consent: true, ConsentMethod: linkwork.ConsentVerbal, SentByUserID: w.id, SentAt: g.at(sent, g.contactMinute(p.n, 50))}
	statuses := []linkwork.OnwardStatus{linkwork.OnwardSent, linkwork.OnwardAccepted, linkwork.OnwardDeclined,
		linkwork.OnwardAttended, linkwork.OnwardDidNotAttend, linkwork.OnwardWithdrawn}
	switch {
	case p.class == classClosed:
		o.Status = pick(r, statuses, []float64{5, 10, 15, 45, 15, 10})
	case sent > -10:
		o.Status = pick(r, statuses, []float64{70, 30, 0, 0, 0, 0})
	default:
		o.Status = pick(r, statuses, []float64{20, 20, 10, 40, 10, 0})
	}
	if o.Status == linkwork.OnwardSent {
		return sqldb.BulkOnward{Referral: o, Step: st}
	}
	answered := min(sent+1+int32(r.IntN(10)), 0)
	if o.Status == linkwork.OnwardAttended {
		answered = min(answered, p.end())
		st.Status, st.DoneOn, st.UpdatedAt = linkwork.StepDone, g.day(answered), g.at(answered, 560)
	}
	at := g.at(answered, 570)
	if at.Before(o.SentAt) {
		at = o.SentAt
	}
	o.AnsweredAt = &at
	o.AnsweredBy = femaleNames[r.IntN(len(femaleNames))] + " " + familyNames[r.IntN(len(familyNames))]
	if o.Status == linkwork.OnwardDeclined {
		o.Reason = onwardDeclines[r.IntN(len(onwardDeclines))]
	}
	return sqldb.BulkOnward{Referral: o, Step: st}
}

// responses are the person's questionnaires: a baseline at the first contact, a final one
// on the closing day of a case that ended well enough, and reviews between.
func (g *caseGen) responses(p *personPlan, w workerPlan, r *rand.Rand) []*linkwork.QuestionnaireResponse {
	k := int(p.responses)
	if k == 0 {
		return nil
	}
	final := p.class == classClosed && k >= 2
	reviews := k - 1
	if final {
		reviews--
	}
	end := p.end()
	// How much better the person gets over their support: mostly better, some worse.
	gain := max(-0.5, min(1.5, 0.6+0.5*r.NormFloat64()))
	var out []*linkwork.QuestionnaireResponse
	add := func(tp linkwork.Timepoint, day int32) {
		f := 0.0
		if end > p.first {
			f = float64(day-p.first) / float64(end-p.first)
		}
		lift := gain * f // 0 at the start, the person's gain at the end
		var answers []int
		switch p.code {
		case linkwork.QuestionnaireONS4:
			for item := range 4 {
				v := 3.5 + 3*lift + 1.2*r.NormFloat64()
				if item == 3 { // anxiety runs the other way
					v = 6.5 - 3*lift + 1.2*r.NormFloat64()
				}
				answers = append(answers, clampRound(v, 0, 10))
			}
		case linkwork.QuestionnaireUCLA3:
			for range 3 {
				answers = append(answers, clampRound(2.5-1.2*lift+0.5*r.NormFloat64(), 1, 3))
			}
		default:
			for range 7 {
				answers = append(answers, clampRound(2.4+1.2*lift+0.6*r.NormFloat64(), 1, 5))
			}
		}
		ptrs := make([]*int, len(answers))
		for i := range answers {
			ptrs[i] = &answers[i]
		}
		at := g.at(day, g.contactMinute(p.n, 7+len(out)))
		out = append(out, &linkwork.QuestionnaireResponse{QuestionnaireCode: p.code, Timepoint: tp, Answers: ptrs,
			Status: linkwork.ResponseComplete, CompletedOn: g.day(day), RecordedByUserID: w.id, CreatedAt: at, UpdatedAt: at})
	}
	add(linkwork.TimepointBaseline, p.first)
	for j := 1; j <= reviews; j++ {
		add(linkwork.TimepointReview, p.first+int32(int(end-p.first)*j/(reviews+1)))
	}
	if final {
		add(linkwork.TimepointFinal, p.closed)
	}
	return out
}

// clampRound rounds v to a whole number from lo to hi.
func clampRound(v float64, lo, hi int) int {
	return max(lo, min(hi, int(math.Round(v))))
}

// at is a time on a day counted from today, minute minutes into the working day (from
// 08:00 UTC), and never after now.
func (g *caseGen) at(day int32, minute int) time.Time {
	t := g.midnight.AddDate(0, 0, int(day)).Add(time.Duration(8*60+minute) * time.Minute)
	if t.After(g.now) {
		return g.now
	}
	return t
}
