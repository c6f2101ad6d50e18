package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"linkwork"
	"linkwork/sqldb"
)

// A generated referral, with its history: sent by a GP practice or another professional, or
// by the person themselves, to one of the place's connector schemes, and moved through the
// lifecycle to where its outline says it ended up.

var referrerTypes = []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf, linkwork.ReferrerHospital,
	linkwork.ReferrerHousing, linkwork.ReferrerCouncil, linkwork.ReferrerVCSE, linkwork.ReferrerPolice, linkwork.ReferrerOther}
var referrerWeights = []float64{55, 15, 7, 6, 6, 8, 2, 1}

// referrerSectors are the sectors whose organisations send each type of referral.
var referrerSectors = map[linkwork.ReferrerType]linkwork.Sector{linkwork.ReferrerGP: linkwork.SectorNHS,
	linkwork.ReferrerHospital: linkwork.SectorNHS, linkwork.ReferrerHousing: linkwork.SectorHousing,
	linkwork.ReferrerCouncil: linkwork.SectorCouncil, linkwork.ReferrerVCSE: linkwork.SectorVCSE}

// clock hands out the times of a history in order: each at least a minute after the last,
// and none after now.
type clock struct {
	g    *caseGen
	last time.Time
}

func (c *clock) at(day int32, minute int) time.Time {
	t := c.g.at(min(day, 0), minute)
	if !c.last.IsZero() && !t.After(c.last) {
		t = c.last.Add(time.Minute)
	}
	if t.After(c.g.now) {
		t = c.g.now
	}
	c.last = t
	return t
}

// after is a time a little after the last.
func (c *clock) after(d time.Duration) time.Time {
	c.last = c.last.Add(d)
	if c.last.After(c.g.now) {
		c.last = c.g.now
	}
	return c.last
}

// referral makes the i-th referral of the outline, with its history. For a referral a case
// came from, the person is made unique in the scheme's organisation first (see
// uniqueDetails), and the history follows the case.
func (g *caseGen) referral(i int) *sqldb.BulkReferral {
	rp := &g.plan.refs[i]
	scheme := g.dir.Schemes[rp.scheme]
	var d *details
	if rp.kind == refCase {
		d, rp.bump = g.uniqueDetails(tagDetails, rp.n, rp.nhs, scheme.OrganisationID)
	} else {
		d = g.details(tagDetails, rp.n, rp.nhs, 0)
	}
	r := newRand(g.seed, tagReferral, int64(rp.n))
	ref := &linkwork.Referral{Reference: reference(g.seed, int(rp.n)), UUID: g.uuid(r), Person: d.person, SchemeID: scheme.ID}
	codes := g.needs(tagDetails, rp.n)
	for _, code := range codes {
		if id, ok := g.dir.Terms["need/"+code]; ok {
			ref.NeedIDs = append(ref.NeedIDs, id)
		}
	}
	if len(ref.NeedIDs) == 0 {
		ref.NeedIDs = append(ref.NeedIDs, g.anyNeed)
	}
	words := wordsFor(codes[0])
	ref.Reason = words.reasons[r.IntN(len(words.reasons))]
	if len(codes) > 1 {
		ref.Reason += " " + wordsFor(codes[1]).reasons[0]
	}
	if chance(r, 0.3) {
		group := pick(r, []string{"carers", "long_term_conditions", "mental_health", "disabled_people"}, []float64{1, 2, 2, 1})
		if d.age >= 65 {
			group = "older_people"
		}
		if id, ok := g.dir.Terms["client_group/"+group]; ok {
			ref.ClientGroupIDs = []int64{id}
		}
	}
	if chance(r, 0.08) {
		ref.Risk = risks[r.IntN(len(risks))]
	}
	ref.Urgency = pick(r, []linkwork.Urgency{linkwork.UrgencyRoutine, linkwork.UrgencySoon, linkwork.UrgencyUrgent}, []float64{80, 15, 5})
	src := &ref.Referrer
	src.Type = pick(r, referrerTypes, referrerWeights)
	if src.Type == linkwork.ReferrerSelf {
		src.Name, src.Phone, src.Email = d.person.Name(), d.person.Phone, d.person.Email
		ref.Consent.Method = linkwork.ConsentOnlineForm
	} else {
		given := femaleNames
		if chance(r, 0.4) {
			given = maleNames
		}
		first, last := given[r.IntN(len(given))], familyNames[r.IntN(len(familyNames))]
		roles := referrerRoles[string(src.Type)]
		if roles == nil {
			roles = referrerRoles["other"]
		}
		src.Role = roles[r.IntN(len(roles))]
		src.Name = first + " " + last
		if src.Role == "GP" {
			src.Name = "Dr " + src.Name
		}
		src.Phone = fmt.Sprintf("01632 960%03d", r.IntN(1000))
		src.Email = fmt.Sprintf("%s.%s@referrers.example.org", letters(first), letters(last))
		if orgs := g.bySector[referrerSectors[src.Type]]; len(orgs) > 0 {
			src.OrganisationID = orgs[r.IntN(len(orgs))].ID
		}
		ref.Consent.Method = pick(r, []linkwork.ConsentMethod{linkwork.ConsentVerbal, linkwork.ConsentWritten}, []float64{7, 3})
	}
	ref.Consent.ToReferral, ref.Consent.RecordedBy = true, src.Name
	if chance(r, 0.06) {
		ref.Consent.ShareWith = []int64{g.dir.Orgs[r.IntN(len(g.dir.Orgs))].ID}
	}
	ref.RoutedBy = pick(r, []string{"referrer", "linkwork"}, []float64{7, 3})
	if rp.from >= 0 {
		ref.SchemeID = g.dir.Schemes[rp.from].ID
	}
	return &sqldb.BulkReferral{Referral: ref, History: g.history(rp, r, src.Name)}
}

// history is a referral's events, from its arrival to where it ended up.
func (g *caseGen) history(rp *refPlan, r *rand.Rand, referrer string) []*linkwork.ReferralEvent {
	c := &clock{g: g}
	h := []*linkwork.ReferralEvent{{Action: linkwork.ActionReceive, At: c.at(rp.received, int(rp.minute)), ActorName: referrer}}
	actorID, actor := int64(0), "Triage team"
	var p *personPlan
	if rp.person >= 0 {
		p = &g.plan.people[rp.person]
		w := g.plan.workers[p.worker]
		actorID, actor = w.id, w.name
	}
	add := func(a linkwork.ReferralAction, at time.Time) *linkwork.ReferralEvent {
		e := &linkwork.ReferralEvent{Action: a, At: at, ActorUserID: actorID, ActorName: actor}
		h = append(h, e)
		return e
	}
	if rp.from >= 0 {
		add(linkwork.ActionRedirect, c.after(time.Duration(30+r.IntN(240))*time.Minute)).ToSchemeID = g.dir.Schemes[rp.scheme].ID
	}
	switch rp.kind {
	case refReceived:
	case refAccepted, refWaiting:
		add(linkwork.ActionAccept, c.at(rp.received+int32(r.IntN(4)), r.IntN(600)))
		if rp.kind == refWaiting {
			add(linkwork.ActionWait, c.after(5*time.Minute))
		}
	case refDeclined:
		e := add(linkwork.ActionDecline, c.at(rp.received+int32(r.IntN(6)), r.IntN(600)))
		reason := pick(r, linkwork.DeclineReasons, []float64{30, 15, 25, 20, 5, 5})
		e.Reason = string(reason)
		if reason == linkwork.DeclineOther {
			e.Note = "The person is already supported by another scheme."
		}
	case refClosed:
		add(linkwork.ActionAccept, c.at(rp.received+int32(r.IntN(6)), r.IntN(600)))
		if rp.waited {
			add(linkwork.ActionWait, c.at(rp.received+7, r.IntN(600)))
		}
		e := add(linkwork.ActionClose, c.at(min(rp.received+14+int32(r.IntN(60)), -1), r.IntN(600)))
		e.Reason = string(pick(r, []linkwork.ReferralOutcome{linkwork.OutcomeNoContact, linkwork.OutcomeWithdrew,
			linkwork.OutcomeReferredOn, linkwork.OutcomeMovedAway}, []float64{45, 30, 15, 10}))
		e.Note = "Closed before a case was opened."
	case refCase:
		add(linkwork.ActionAccept, c.at(rp.received+int32(r.IntN(int(p.opened-rp.received)+1)), r.IntN(600)))
		if rp.waited {
			add(linkwork.ActionWait, c.after(5*time.Minute))
		}
		add(linkwork.ActionAllocate, c.at(p.opened, g.openMinute(p))).WorkerUserID = actorID
		if p.contacts > 0 {
			add(linkwork.ActionStart, c.at(p.first, g.contactMinute(p.n, 0)))
		}
		if p.class == classClosed {
			e := add(linkwork.ActionClose, c.at(p.closed, g.closeMinute(p)))
			e.Reason, e.Note = string(p.outcome.ReferralOutcome()), g.closingNote(p)
		}
	}
	return h
}

// Minutes of the working day at which a person's case opened, closed and had contacts: the
// same whenever they are asked for.
func (g *caseGen) openMinute(p *personPlan) int  { return int(p.n*7919%540) + 30 }
func (g *caseGen) closeMinute(p *personPlan) int { return int(p.n*104729%540) + 30 }
func (g *caseGen) contactMinute(n int32, k int) int {
	return int((int64(n)*31 + int64(k)*97) % 560)
}

// closingNote is what the worker wrote when closing a case.
func (g *caseGen) closingNote(p *personPlan) string {
	notes := closingNotes[string(p.outcome)]
	return notes[int(p.n)%len(notes)]
}

// wordsFor returns the words of a need.
func wordsFor(code string) needWords {
	if w, ok := needText[code]; ok {
		return w
	}
	return genericNeed
}

// uuid draws a version 4 UUID from a random source, so that generated records are the same
// for the same seed, and mixes in the place, so that two places generated from the same seed
// in one database do not share UUIDs.
func (g *caseGen) uuid(r *rand.Rand) string {
	a, b := r.Uint64()^uint64(g.dir.Place.ID)*0x9E3779B97F4A7C15, r.Uint64()
	a = a&^(0xf<<12) | 0x4<<12
	b = b&^(0x3<<62) | 0x2<<62
	s := fmt.Sprintf("%016x%016x", a, b)
	return strings.Join([]string{s[:8], s[8:12], s[12:16], s[16:20], s[20:]}, "-")
}
