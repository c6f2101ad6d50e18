package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"linkwork/data"
	"linkwork/gen"
)

// generateScales are the sizes `linkwork generate --scale` makes: a place, a region of ten
// places, and England (whose goal was 900,000 people referred a year). Referrals, contacts
// and questionnaires follow from the people unless given (see below).
var generateScales = map[string]struct{ services, locations, people int }{
	"place":    {2_000, 5_000, 50_000},
	"region":   {20_000, 50_000, 500_000},
	"national": {100_000, 250_000, 1_000_000},
}

// generateFlags are the flags of `linkwork generate`.
type generateFlags struct {
	scale                                       string
	seed                                        uint64
	services, locations                         int
	organisations                               int
	postcodes                                   string
	people, referrals, contacts, questionnaires int
	today                                       string
}

// For each person: 1.5 referrals (some people are referred twice, and some referrals lead
// to no case), 10 contacts and 2 questionnaires (a baseline and a final or review).
const (
	referralsPerPerson      = 1.5
	contactsPerPerson       = 10
	questionnairesPerPerson = 2
)

func defineGenerate(m *Main, fs *flag.FlagSet) {
	g := &m.gen
	fs.StringVar(&g.scale, "scale", "", "place (2,000 services, 50,000 people), region (20,000 and 500,000) or national (100,000 and 1,000,000)")
	fs.Uint64Var(&g.seed, "seed", 1, "the same seed and sizes make the same data")
	fs.IntVar(&g.services, "services", 0, "services to make (overrides --scale)")
	fs.IntVar(&g.locations, "locations", 0, "locations, spread over the services (overrides --scale)")
	fs.IntVar(&g.organisations, "organisations", 0, "organisations (default one for every 250 services)")
	fs.StringVar(&g.postcodes, "postcodes", "", "an ONS postcode lookup CSV to put locations on (default: the shipped HX file)")
	fs.IntVar(&g.people, "people", -1, "people with case records (overrides --scale; 0 makes the directory alone)")
	fs.IntVar(&g.referrals, "referrals", -1, "referrals (default 1.5 for each person)")
	fs.IntVar(&g.contacts, "contacts", -1, "contacts with people (default 10 for each person)")
	fs.IntVar(&g.questionnaires, "questionnaires", -1, "completed wellbeing questionnaires (default 2 for each person)")
	fs.StringVar(&g.today, "today", "", "the day the data is as of, YYYY-MM-DD (default today): the same seed, sizes and day make the same data")
}

// generate fills the database with a generated place for benchmarks and load tests (package
// gen), showing its progress.
func (m *Main) generate(ctx context.Context) error {
	g := m.gen
	if s, ok := generateScales[g.scale]; ok {
		if g.services == 0 {
			g.services = s.services
		}
		if g.locations == 0 {
			g.locations = s.locations
		}
		if g.people < 0 {
			g.people = s.people
		}
	} else if g.scale != "" {
		return fmt.Errorf("generate: --scale must be place, region or national, not %q", g.scale)
	}
	if g.services <= 0 || g.locations < 0 {
		return fmt.Errorf("generate: give --scale, or --services (and --locations) of 1 or more")
	}
	g.people = max(g.people, 0)
	for _, c := range []struct {
		n   *int
		per float64
	}{{&g.referrals, referralsPerPerson}, {&g.contacts, contactsPerPerson}, {&g.questionnaires, questionnairesPerPerson}} {
		if *c.n < 0 {
			*c.n = int(float64(g.people) * c.per)
		}
	}
	var today time.Time
	if g.today != "" {
		var err error
		if today, err = time.Parse(time.DateOnly, g.today); err != nil {
			return fmt.Errorf("generate: --today must be a date, year-month-day, such as 2025-03-31")
		}
	}
	var ps []gen.Postcode
	var err error
	if g.postcodes != "" {
		ps, err = gen.ReadPostcodesFile(g.postcodes)
	} else {
		var f io.ReadCloser
		if f, err = data.HalifaxPostcodes(); err == nil {
			ps, err = gen.ReadPostcodes(f)
			f.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	people := gen.PeopleOptions{Seed: g.seed, People: g.people, Referrals: g.referrals, Contacts: g.contacts,
		Questionnaires: g.questionnaires, Today: today, Postcodes: ps}
	// Checked before the directory is made, so that nothing is left of a refused run.
	if err := gen.CheckPeopleOptions(people); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	start := time.Now()
	dir, err := gen.Load(ctx, m.db, gen.Options{Seed: g.seed, Services: g.services, Locations: g.locations,
		Organisations: g.organisations, Postcodes: ps}, func(done int) {
		fmt.Fprintf(m.stderr, "\r%d of %d services", done, g.services)
	})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(m.stderr, "\n")
	fmt.Fprintf(m.stdout, "Made place %d %q: %d organisations, %d services and %d locations on %d postcodes in %v.\n",
		dir.Place.ID, dir.Place.Name, dir.Organisations, dir.Services, dir.Locations, len(ps), time.Since(start).Round(time.Second))
	if g.people == 0 && g.referrals == 0 {
		return nil
	}
	start = time.Now()
	stage := ""
	cw, err := gen.LoadPeople(ctx, m.db, dir, people, func(s string, done, total int) {
		if s != stage && stage != "" {
			fmt.Fprintf(m.stderr, "\n")
		}
		stage = s
		fmt.Fprintf(m.stderr, "\r%d of %d %s (%v)", done, total, s, time.Since(start).Round(time.Second))
	})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(m.stderr, "\n")
	fmt.Fprintf(m.stdout, "Made %d link workers, %d referrals and %d people with %d contacts, %d questionnaires, %d goals, "+
		"%d steps and %d onward referrals in %v: %d rows, %.0f a second.\n",
		cw.Workers, cw.Referrals, cw.People, cw.Contacts, cw.Questionnaires, cw.Goals, cw.Steps, cw.Onward,
		took.Round(time.Second), cw.Rows, float64(cw.Rows)/took.Seconds())
	if cw.CaseloadUserID != 0 {
		fmt.Fprintf(m.stdout, "Link worker %s (password %q) has %d active people, for the caseload benchmark.\n",
			cw.CaseloadEmail, gen.DefaultPassword, cw.CaseloadActive)
	}
	return nil
}
