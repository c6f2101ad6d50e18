package gen

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"linkwork"
)

// details are who a generated person is: what a referral says of them, and the
// demographics their case record adds.
type details struct {
	person    linkwork.ReferralPerson
	demo      linkwork.Demographics
	preferred string
	age       int
}

// ageBands are the ages of people referred to social prescribing: most are middle-aged or
// older.
var (
	ageBands       = [][2]int{{18, 29}, {30, 44}, {45, 64}, {65, 79}, {80, 96}}
	ageBandWeights = []float64{12, 18, 32, 25, 13}
)

var ethnicities = []linkwork.EthnicCategory{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}
var ethnicityWeights = []float64{78, 1, 3, 1, 0.5, 1, 0.5, 1, 8, 1, 0.5, 0.5, 1, 0.2, 0.3, 0.5, 1.5, 0.5}

var nicknames = map[string]string{"Margaret": "Peggy", "Patricia": "Pat", "Christopher": "Chris", "Michael": "Mick",
	"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Katarzyna": "Kasia", "Mohammed": "Mo", "Joseph": "Joe",
	"Samuel": "Sam", "Terence": "Terry", "Raymond": "Ray", "Kenneth": "Ken", "Susan": "Sue", "Dorothy": "Dot"}

// details draws a person from their own random source: the same person for the same seed,
// tag and number. bump moves their date of birth back a few weeks for each step, when
// their names and birth date are already someone else's in the same organisation.
func (g *caseGen) details(tag uint64, n int32, nhs string, bump uint8) *details {
	r := newRand(g.seed, tag, int64(n))
	d := &details{}
	p := &d.person
	sex := pick(r, []linkwork.Sex{linkwork.SexFemale, linkwork.SexMale, linkwork.SexNotStated}, []float64{57, 42, 1})
	names := femaleNames
	if sex == linkwork.SexMale || sex == linkwork.SexNotStated && r.IntN(2) == 0 {
		names = maleNames
	}
	p.GivenName, p.FamilyName = names[r.IntN(len(names))], familyNames[r.IntN(len(familyNames))]
	band := pick(r, ageBands, ageBandWeights)
	d.age = band[0] + r.IntN(band[1]-band[0]+1)
	dob := g.today.AddDate(-d.age, 0, -r.IntN(365)-37*int(bump))
	p.DateOfBirth = dob.Format(time.DateOnly)
	p.NHSNumber = nhs
	pc := g.postcodes[r.IntN(len(g.postcodes))]
	p.Postcode, p.Town = pc.Postcode, town(pc.Postcode)
	p.Address1 = fmt.Sprintf("%d %s", 1+r.IntN(180), streets[r.IntN(len(streets))])
	if r.Float64() < 0.12 {
		p.Address1, p.Address2 = fmt.Sprintf("Flat %d", 1+r.IntN(24)), p.Address1
	}
	var prefs []linkwork.ContactMethod
	if r.Float64() < 0.88 {
		if r.Float64() < 0.75 {
			p.Phone = fmt.Sprintf("07700 900%03d", r.IntN(1000)) // Ofcom's numbers for drama
			prefs = append(prefs, linkwork.ContactPhone)
			if r.Float64() < 0.4 {
				prefs = append(prefs, linkwork.ContactText)
			}
		} else {
			p.Phone = fmt.Sprintf("01632 960%03d", r.IntN(1000))
			prefs = append(prefs, linkwork.ContactPhone)
		}
	}
	if r.Float64() < 0.35 {
		p.Email = fmt.Sprintf("%s.%s%d@example.org", letters(p.GivenName), letters(p.FamilyName), r.IntN(100))
		if r.Float64() < 0.5 {
			prefs = append(prefs, linkwork.ContactEmail)
		}
	}
	if len(prefs) == 0 || r.Float64() < 0.1 {
		prefs = append(prefs, linkwork.ContactLetter)
	}
	p.ContactPreferences = prefs
	if r.Float64() < 0.07 {
		p.Language = languages[r.IntN(len(languages))]
		p.Interpreter = r.IntN(2) == 0
	}
	if r.Float64() < 0.06 {
		p.AccessNeeds = accessNeeds[r.IntN(len(accessNeeds))]
	}
	if len(g.gps) > 0 && r.Float64() < 0.6 {
		p.GPPractice = g.gps[r.IntN(len(g.gps))]
	} else {
		p.GPPractice = gpPractices[r.IntN(len(gpPractices))]
	}

	dm := &d.demo
	dm.Sex = sex
	dm.GenderSameAsSex = pick(r, []linkwork.Answer{linkwork.AnswerYes, linkwork.AnswerNo, linkwork.AnswerNotStated, ""}, []float64{88, 1, 5, 6})
	if dm.GenderSameAsSex == linkwork.AnswerNo {
		dm.Gender = pick(r, []string{"Non-binary", "Trans woman", "Trans man"}, []float64{2, 1, 1})
	}
	dm.Ethnicity = pick(r, ethnicities, ethnicityWeights)
	dm.Disability = pick(r, []linkwork.Answer{linkwork.AnswerYes, linkwork.AnswerNo, linkwork.AnswerNotStated, ""}, []float64{35, 55, 5, 5})
	dm.Carer = pick(r, []linkwork.Answer{linkwork.AnswerYes, linkwork.AnswerNo, linkwork.AnswerNotStated, ""}, []float64{14, 76, 5, 5})
	switch {
	case p.Language != "":
		dm.FirstLanguage = p.Language
	case r.Float64() < 0.9:
		dm.FirstLanguage = "English"
	}
	if nick, ok := nicknames[p.GivenName]; ok && r.Float64() < 0.4 {
		d.preferred = nick
	}
	return d
}

// letters keeps the ASCII letters of a name, in lower case, for an email address.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// personKey identifies a person within an organisation as the store's unique index does: by
// names, folded to lower case, and date of birth.
func personKey(org int64, p *linkwork.ReferralPerson) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x1f%s\x1f%s\x1f%s", org, strings.ToLower(p.GivenName), strings.ToLower(p.FamilyName), p.DateOfBirth)
	return h.Sum64()
}

// uniqueDetails draws a person to hold a case in an organisation, bumping their birth date
// until no one else there has their names and birth date, and returns them with the bump.
func (g *caseGen) uniqueDetails(tag uint64, n int32, nhs string, org int64) (*details, uint8) {
	for bump := uint8(0); ; bump++ {
		d := g.details(tag, n, nhs, bump)
		k := personKey(org, &d.person)
		if !g.taken[k] || bump == 255 {
			g.taken[k] = true
			return d, bump
		}
	}
}

// needs returns the codes of the needs a person was referred for, most often loneliness and
// mental wellbeing, from their own random source.
func (g *caseGen) needs(tag uint64, n int32) []string {
	r := newRand(g.seed, tag^0x6e656564, int64(n))
	count := pick(r, []int{1, 2, 3}, []float64{40, 40, 20})
	var out []string
	for len(out) < count {
		c := pick(r, needCodes, needWeights)
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var needCodes = l("loneliness", "mental_wellbeing", "physical_activity", "money_debt", "housing", "carers", "employment_skills",
	"arts_creativity", "nature_gardening", "food", "digital_skills", "bereavement", "long_term_conditions", "learning",
	"volunteering", "befriending", "substance_use", "domestic_abuse", "benefits_advice", "transport")

var needWeights = []float64{22, 20, 10, 9, 5, 4, 4, 2, 2, 3, 2, 4, 6, 1, 1, 2, 1, 1, 3, 2}

// chance reports, with probability p, true.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
