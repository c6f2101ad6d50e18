package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linkwork"
)

// The demonstration casework: a case record for every referral allocated to a link worker
// or being supported, opened from the referral as the worker would. Those being supported
// have had their first conversation, a plan of goals and small steps, contacts over the
// past weeks, wellbeing questionnaires, and some onward referrals to community offers,
// among them the gardening club of the demonstration community organisation, whose answers
// show both sides of the closed loop.

// plan is a demonstration person's support: what matters and their goals with steps.
type plan struct {
	whatMatters, strengths, interests, barriers string
	goals                                       []demoGoal
	need                                        string // what they would like from a group
	offer                                       string // the start of the name of the offer to refer them to
}

// fromCommunityOrg is where the demonstration community user works.
const fromCommunityOrg = "Hebden Bridge Community Garden"

type demoGoal struct {
	text  string
	steps []string
}

var plans = []plan{
	{"Getting out of the house more since my wife died. I miss having people to talk to.", "Good with my hands; kept a allotment for 20 years.",
		"Gardening, brass bands, the rugby league", "Nervous on buses since my fall; my knees.",
		[]demoGoal{{"Meet people who like gardening", []string{"Visit the community garden with Lee", "Go to the garden on my own"}},
			{"Feel steadier on my feet", []string{"Ask the practice about the falls class"}}},
		"Would like to help in the garden a morning a week; used to keep an allotment.", "Gardening Club"},
	{"Sorting out my money so I can sleep at night.", "Determined; good with numbers once I get going.", "Cooking, crosswords",
		"Letters pile up and I can't face opening them.",
		[]demoGoal{{"Get on top of the bills", []string{"Open the letters with Lee", "Book an appointment with the money advice service"}},
			{"Cook proper meals again", []string{"Try the community kitchen lunch"}}},
		"Would like help with a debt that is worrying them; prefers appointments in the morning.", "Money Advice"},
	{"Being a good dad and getting back to work.", "Patient, reliable, good at fixing bikes.", "Cycling, football with my son",
		"Low mood; no confidence since I lost my job.",
		[]demoGoal{{"Feel better in myself", []string{"Try the walking group once", "Go to the walking group every week"}},
			{"Get some work experience", []string{"Ask about volunteering at the bike project"}}},
		"Would like to join the walks; a bit anxious in new groups so a friendly welcome would help.", "Walking Group"},
	{"Singing again. It was the one thing that made me happy.", "Warm, chatty, sang in a choir for 30 years.", "Music, knitting, her grandchildren",
		"Hearing is going; worries she will not keep up.",
		[]demoGoal{{"Sing with other people", []string{"Go to a choir session with my daughter", "Join the choir"}}},
		"Would love to sing again; uses hearing aids so a hearing loop matters.", "Community Choir"},
	{"Having something to get up for in the morning.", "Was a joiner; practical and kind.", "Woodwork, fishing",
		"Drinks more than he would like when he is on his own.",
		[]demoGoal{{"Have a reason to go out each day", []string{"Visit the men's shed", "Go twice a week"}},
			{"Cut down on drinking", []string{"Talk to the recovery service"}}},
		"Looking for something practical to do with his hands, with other people.", "Gardening Club"},
}

// casework opens the case records and fills them in.
func (b *builder) casework() error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	if b.opts.clock != nil {
		now = (*b.opts.clock)()
		real := *b.opts.clock
		defer func() { *b.opts.clock = real }()
	}
	workers := map[int64]demoUser{}
	for _, m := range b.staff {
		workers[m.worker.id] = m.worker
	}
	offers, _, err := b.svc.Directory.ListServices(b.ctx, linkwork.ServiceFilter{PlaceID: b.place.ID, Kind: linkwork.KindActivity,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		return err
	}
	supported := 0
	for _, r := range b.refs {
		if r.Status != linkwork.ReferralAllocated && r.Status != linkwork.ReferralInProgress {
			continue
		}
		worker, ok := workers[r.WorkerUserID]
		if !ok {
			continue
		}
		ctx := b.as(worker)
		p, err := b.svc.Cases.CreatePersonFromReferral(ctx, r.ID, 0)
		if err != nil {
			return fmt.Errorf("case record for referral %s: %w", r.Reference, err)
		}
		b.res.People++
		weeks := 0
		if r.Status == linkwork.ReferralInProgress {
			weeks = 3 + b.rng.IntN(8)
		}
		p.OpenedOn = now.AddDate(0, 0, -7*weeks-2).Format(time.DateOnly)
		p.Demographics = b.demographics()
		if err := b.svc.Cases.UpdatePerson(ctx, p); err != nil {
			return fmt.Errorf("case record for referral %s: %w", r.Reference, err)
		}
		if r.Status != linkwork.ReferralInProgress {
			continue
		}
		if err := b.support(ctx, p, plans[supported%len(plans)], weeks, now, offers); err != nil {
			return fmt.Errorf("support for referral %s: %w", r.Reference, err)
		}
		supported++
	}
	// What the referrals and the casework told people by email is in the past: it is
	// recorded as sent, so that none of it goes out when linkwork starts.
	return b.historicNotifications()
}

// demographics draws a person's equity monitoring answers, roughly as Calderdale's
// population would give them.
func (b *builder) demographics() linkwork.Demographics {
	d := linkwork.Demographics{Sex: []linkwork.Sex{linkwork.SexFemale, linkwork.SexMale}[b.rng.IntN(2)],
		GenderSameAsSex: linkwork.AnswerYes, Disability: linkwork.AnswerNo, Carer: linkwork.AnswerNo, FirstLanguage: "English"}
	switch n := b.rng.IntN(20); {
	case n < 15:
		d.Ethnicity = "A"
	case n < 18:
		d.Ethnicity, d.FirstLanguage = "J", []string{"Urdu", "Punjabi", "English"}[b.rng.IntN(3)]
	case n < 19:
		d.Ethnicity = "D"
	default:
		d.Ethnicity = "Z"
	}
	if b.rng.IntN(3) == 0 {
		d.Disability = linkwork.AnswerYes
	}
	if b.rng.IntN(6) == 0 {
		d.Carer = linkwork.AnswerYes
	}
	if b.rng.IntN(15) == 0 {
		d.GenderSameAsSex = linkwork.AnswerNotStated
	}
	return d
}

// support records weeks of a person's support up to now: the first conversation, the plan,
// a contact most weeks, baseline (and for longer cases review) questionnaires, and an
// onward referral to a community offer.
func (b *builder) support(ctx context.Context, p *linkwork.Person, pl plan, weeks int, now time.Time, offers []*linkwork.Service) error {
	day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
	start := 7 * weeks
	conv := &linkwork.Conversation{PersonID: p.ID, HeldOn: day(start), WhatMatters: pl.whatMatters, Strengths: pl.strengths,
		Interests: pl.interests, Barriers: pl.barriers,
		Connect: "Would like to meet people with the same interests, close to home.",
		Space:   "Somewhere quiet and step-free; a café is fine.",
		Skills:  pl.strengths, Control: "Wants to go at their own pace and decide each step."}
	if err := b.svc.Cases.SaveConversation(ctx, conv); err != nil {
		return err
	}
	var firstStep *linkwork.Step
	for gi, g := range pl.goals {
		goal := &linkwork.Goal{PersonID: p.ID, Text: g.text}
		if err := b.svc.Cases.AddGoal(ctx, goal); err != nil {
			return err
		}
		for si, text := range g.steps {
			// Early steps fell due in the past weeks and most were done; later ones are ahead.
			due := now.AddDate(0, 0, -start+7*(1+si+2*gi))
			s := &linkwork.Step{PersonID: p.ID, GoalID: goal.ID, Text: text, DueOn: due.Format(time.DateOnly)}
			if due.Before(now) && b.rng.IntN(4) > 0 {
				s.Status, s.DoneOn = linkwork.StepDone, due.Format(time.DateOnly)
			}
			if err := b.svc.Cases.AddStep(ctx, s); err != nil {
				return err
			}
			if firstStep == nil {
				firstStep = s
			}
		}
	}
	modes := []linkwork.ContactMode{linkwork.ModeFaceToFace, linkwork.ModePhone, linkwork.ModePhone, linkwork.ModeHomeVisit, linkwork.ModeVideo}
	for w := weeks; w >= 0; w-- {
		if w != weeks && b.rng.IntN(4) == 0 {
			continue // a week without contact
		}
		c := &linkwork.CaseContact{PersonID: p.ID, On: day(7*w + b.rng.IntN(3)), Mode: modes[b.rng.IntN(len(modes))],
			Minutes: 15 + 5*b.rng.IntN(10), Note: "Talked through how the week went and the next step."}
		if w == weeks {
			c.Mode, c.Minutes, c.Note = linkwork.ModeFaceToFace, 45+5*b.rng.IntN(4), "First conversation: what matters, and a first plan."
		}
		if w == 0 {
			// The next follow-up: a few are overdue, to show on the caseload.
			c.FollowUpOn = now.AddDate(0, 0, 7-b.rng.IntN(10)).Format(time.DateOnly)
			if c.FollowUpOn < c.On {
				c.FollowUpOn = c.On
			}
		}
		if err := b.svc.Cases.AddContact(ctx, c); err != nil {
			return err
		}
	}
	if err := b.questionnaires(ctx, p, weeks, day); err != nil {
		return err
	}
	return b.referOn(ctx, p, pl, firstStep, weeks, now, offers)
}

// questionnaires records a baseline ONS4 and UCLA3 at the first conversation and, for
// cases over six weeks old, a review showing some change.
func (b *builder) questionnaires(ctx context.Context, p *linkwork.Person, weeks int, day func(int) string) error {
	answers := func(vals ...int) []*int {
		out := make([]*int, len(vals))
		for i := range vals {
			out[i] = &vals[i]
		}
		return out
	}
	base := []int{3 + b.rng.IntN(3), 4 + b.rng.IntN(3), 3 + b.rng.IntN(3), 5 + b.rng.IntN(4)}
	lonely := []int{2 + b.rng.IntN(2), 2 + b.rng.IntN(2), 2 + b.rng.IntN(2)}
	rs := []*linkwork.QuestionnaireResponse{
		{QuestionnaireCode: linkwork.QuestionnaireONS4, Timepoint: linkwork.TimepointBaseline, Answers: answers(base...), CompletedOn: day(7 * weeks)},
		{QuestionnaireCode: linkwork.QuestionnaireUCLA3, Timepoint: linkwork.TimepointBaseline, Answers: answers(lonely...), CompletedOn: day(7 * weeks)},
	}
	if weeks > 6 {
		rs = append(rs,
			&linkwork.QuestionnaireResponse{QuestionnaireCode: linkwork.QuestionnaireONS4, Timepoint: linkwork.TimepointReview,
				Answers: answers(base[0]+2, base[1]+1, base[2]+2, base[3]-2), CompletedOn: day(3)},
			&linkwork.QuestionnaireResponse{QuestionnaireCode: linkwork.QuestionnaireUCLA3, Timepoint: linkwork.TimepointReview,
				Answers: answers(max(1, lonely[0]-1), lonely[1], max(1, lonely[2]-1)), CompletedOn: day(3)})
	}
	for _, r := range rs {
		r.PersonID, r.Status = p.ID, linkwork.ResponseComplete
		if err := b.svc.Questionnaires.SaveResponse(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// referOn refers the person to an active offer whose name starts with the plan's offer,
// from the plan's first step. Referrals sent more than two weeks ago have been answered,
// except the oldest to the community garden, left unanswered so that the link worker is
// prompted to chase it.
func (b *builder) referOn(ctx context.Context, p *linkwork.Person, pl plan, step *linkwork.Step, weeks int, now time.Time, offers []*linkwork.Service) error {
	// The demonstration community organisation's own offers come first, so that its
	// member has referrals to answer.
	garden := b.orgs[org(fromCommunityOrg)].ID
	var offer *linkwork.Service
	for _, s := range offers {
		if s.Status == linkwork.StatusActive && strings.HasPrefix(s.Name, pl.offer) && (offer == nil || s.OrganisationID == garden && offer.OrganisationID != garden) {
			offer = s
		}
	}
	if offer == nil {
		return nil // no such offer in this place: the person has no onward referral
	}
	sentDaysAgo := 7 * max(weeks-2, 0)
	if b.opts.clock != nil {
		at := now.AddDate(0, 0, -sentDaysAgo)
		*b.opts.clock = func() time.Time { return at }
		defer func() { *b.opts.clock = func() time.Time { return now } }()
	}
	o := &linkwork.OnwardReferral{PlaceID: p.PlaceID, PersonID: p.ID, ServiceID: offer.ID, FirstName: p.KnownAs(), ContactPhone: p.Phone,
		ContactEmail: p.Email, Needs: pl.need, AccessRequirements: p.AccessNeeds, Consent: true, ConsentMethod: linkwork.ConsentVerbal}
	if step != nil && step.Status == linkwork.StepToDo {
		o.StepID = step.ID
	}
	if err := b.svc.Onward.SendOnward(ctx, o); err != nil {
		return err
	}
	b.res.Onward++
	if sentDaysAgo < 14 || offer.OrganisationID == garden && !b.leftUnanswered {
		b.leftUnanswered = b.leftUnanswered || offer.OrganisationID == garden && sentDaysAgo >= 14
		return nil
	}
	answerer, answererID := b.ctx, int64(0)
	if offer.OrganisationID == garden {
		answererID = b.userIDs[fromCommunity]
		answerer = b.as(demoUser{id: answererID, email: fromCommunity})
	}
	answer := linkwork.OnwardAnswer{ID: o.ID, Version: o.Version, Status: linkwork.OnwardAccepted,
		Note: "Welcome! We have called to arrange a first visit."}
	if b.rng.IntN(4) == 0 {
		answer.Status, answer.Note = linkwork.OnwardAttended, "Came along and enjoyed it."
	}
	_, err := b.svc.Onward.AnswerOnward(answerer, answer, answererID, offer.Name)
	return err
}
