package gen

import (
	"context"
	"fmt"
	"sync"
	"time"

	"linkwork"
	"linkwork/sqldb"
)

// People and their casework in a generated place, at the sizes of a place, a region or
// England: link workers in the organisations that run the connector schemes, referrals in
// every status of the lifecycle, and for each person supported a case record with contacts,
// a plan, onward referrals and wellbeing questionnaires, over three years up to today.
// Everything is the same for the same seed, sizes and day, and is written through the
// store's bulk inserts (sqldb/bulk_casework.go), which check it as the services would.
//
// One link worker is made for the caseload benchmark: CaseloadEmail, with KnownCaseload
// active people (when there are at least twice as many people), signing in with
// DefaultPassword like every generated user.

// PeopleOptions says how much casework to generate.
type PeopleOptions struct {
	Seed                                        uint64
	People, Referrals, Contacts, Questionnaires int
	// Today is the day the data is as of: the latest contacts are on it. Zero is today; it
	// cannot be later than today.
	Today time.Time
	// Password is every generated user's password: DefaultPassword when empty.
	Password string
	// Postcodes are where people live.
	Postcodes []Postcode
}

// DefaultPassword is the password of generated users, for load tests that sign in as them.
const DefaultPassword = "generated-link-worker"

// CaseloadEmail is the email of the caseload benchmark's link worker, when the database
// has no other user with it (then it is caseload-<place ID>@generated.invalid).
const CaseloadEmail = "caseload@generated.invalid"

// Casework says what LoadPeople made.
type Casework struct {
	Workers int
	// CaseloadEmail and CaseloadUserID are the link worker with CaseloadActive active people.
	CaseloadEmail  string
	CaseloadUserID int64
	CaseloadActive int
	People         int
	Referrals      int
	Contacts       int
	Questionnaires int
	Goals, Steps   int
	Onward         int
	// Rows counts every row written: users and their memberships, referrals with their
	// histories, needs and shares, and cases with everything in them.
	Rows int
}

// asOf checks the day the data is to be as of against now, and returns it (as midnight UTC)
// with the time the data is as of: now, or the end of an earlier day.
func (o *PeopleOptions) asOf(now time.Time) (time.Time, time.Time, error) {
	if len(o.Postcodes) == 0 && o.People+o.Referrals > 0 {
		return time.Time{}, time.Time{}, fmt.Errorf("people need postcodes to live at")
	}
	y, m, d := now.In(London).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if !o.Today.IsZero() {
		ty, tm, td := o.Today.Date()
		asOf := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
		if asOf.After(today) {
			return time.Time{}, time.Time{}, fmt.Errorf("the day the data is as of, %s, is after today", asOf.Format(time.DateOnly))
		}
		if asOf.Before(today) {
			today, now = asOf, asOf.Add(24*time.Hour-time.Minute)
		}
	}
	return today, now, nil
}

// CheckPeopleOptions says whether LoadPeople would accept the options, before anything is
// generated: the counts must not be negative, and must go round (enough contacts for
// everyone supported, and contacts for the questionnaires to be answered at).
func CheckPeopleOptions(o PeopleOptions) error {
	if _, _, err := o.asOf(time.Now()); err != nil {
		return err
	}
	// The people's outline does not depend on the schemes, only on there being one.
	dir := &Directory{Schemes: []*linkwork.Service{{}}}
	_, err := newPlan(dir, &o)
	return err
}

// caseGen makes a place's casework from its outline.
type caseGen struct {
	seed      uint64
	dir       *Directory
	plan      *plan
	postcodes []Postcode
	today     time.Time // the date, as midnight UTC
	midnight  time.Time // the same
	now       time.Time
	days      []string // dates from dayOffset days ago, formatted once
	bySector  map[linkwork.Sector][]*linkwork.Organisation
	gps       []string
	anyNeed   int64
	refIDs    []int64
	// taken holds who holds a case in each organisation (see personKey).
	taken map[uint64]bool
}

// dayOffset is how many days before today the table of dates starts.
const dayOffset = historyDays + 400

// London is the time zone whose calendar the store's dates follow.
var London = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

// LoadPeople generates the casework of a directory that Load made, in db: the link workers,
// then the referrals, then the cases, a batch at a time, telling progress (if not nil) how
// far each stage has got.
func LoadPeople(ctx context.Context, db *sqldb.DB, dir *Directory, o PeopleOptions,
	progress func(stage string, done, total int)) (*Casework, error) {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	now := db.Now()
	today, now, err := o.asOf(now)
	if err != nil {
		return nil, err
	}
	pl, err := newPlan(dir, &o)
	if err != nil {
		return nil, err
	}
	g := &caseGen{seed: o.Seed, dir: dir, plan: pl, postcodes: o.Postcodes, today: today, midnight: today, now: now,
		bySector: map[linkwork.Sector][]*linkwork.Organisation{}, refIDs: make([]int64, len(pl.refs)), taken: map[uint64]bool{}}
	for d := range dayOffset + 800 {
		g.days = append(g.days, today.AddDate(0, 0, d-dayOffset).Format(time.DateOnly))
	}
	for _, org := range dir.Orgs {
		g.bySector[org.Sector] = append(g.bySector[org.Sector], org)
		if org.Sector == linkwork.SectorNHS {
			g.gps = append(g.gps, org.Name)
		}
	}
	for _, code := range needCodes {
		if id, ok := dir.Terms["need/"+code]; ok {
			g.anyNeed = id
			break
		}
	}
	out := &Casework{Workers: len(pl.workers), People: len(pl.people), Referrals: len(pl.refs), CaseloadActive: pl.known}
	if err := g.addWorkers(ctx, db, o.Password, out); err != nil {
		return nil, err
	}

	placeID := dir.Place.ID
	const refBatch = 5000
	type refPart struct {
		start int
		refs  []*sqldb.BulkReferral
	}
	// Batches are stored two at a time on PostgreSQL, each in a connection of its own, so
	// that the server can use both processors; SQLite has one writer at a time.
	workers := 1
	if db.Dialect() == "postgres" {
		workers = 2
	}
	var mu sync.Mutex
	done := 0
	err = pipeline(ctx, len(pl.refs), refBatch, workers, func(start, end int) refPart {
		part := refPart{start: start}
		for i := start; i < end; i++ {
			part.refs = append(part.refs, g.referral(i))
		}
		return part
	}, func(part refPart) error {
		if err := db.BulkInsertReferrals(ctx, placeID, part.refs); err != nil {
			return fmt.Errorf("referrals %d to %d: %w", part.start+1, part.start+len(part.refs), err)
		}
		mu.Lock()
		defer mu.Unlock()
		for j, b := range part.refs {
			r := b.Referral
			g.refIDs[part.start+j] = r.ID
			out.Rows += 1 + len(b.History) + len(r.NeedIDs) + len(r.ClientGroupIDs) + len(r.Consent.ShareWith)
		}
		done += len(part.refs)
		progress("referrals", done, len(pl.refs))
		return nil
	})
	if err != nil {
		return nil, err
	}

	const caseBatch = 1000
	done = 0
	type casePart struct {
		start int
		cases []*sqldb.BulkCase
	}
	err = pipeline(ctx, len(pl.people), caseBatch, workers, func(start, end int) casePart {
		part := casePart{start: start}
		for i := start; i < end; i++ {
			part.cases = append(part.cases, g.caseOf(i))
		}
		return part
	}, func(part casePart) error {
		if err := db.BulkInsertCases(ctx, placeID, part.cases); err != nil {
			return fmt.Errorf("people %d to %d: %w", part.start+1, part.start+len(part.cases), err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, b := range part.cases {
			out.Contacts += len(b.Contacts)
			out.Questionnaires += len(b.Responses)
			out.Goals += len(b.Goals)
			out.Onward += len(b.Onward)
			for _, goal := range b.Goals {
				out.Steps += len(goal.Steps)
				out.Rows += 1 + len(goal.Steps)
			}
			out.Rows += 1 + len(b.Contacts) + len(b.Responses) + len(b.Onward) + len(b.Notes)
			if b.Conversation != nil {
				out.Rows++
			}
		}
		done += len(part.cases)
		progress("people", done, len(pl.people))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addWorkers adds the link workers, each in the organisation running their scheme, and gives
// the caseload benchmark's worker a caseload limit that fits their caseload.
func (g *caseGen) addWorkers(ctx context.Context, db *sqldb.DB, password string, out *Casework) error {
	if len(g.plan.workers) == 0 {
		return nil
	}
	placeID := g.dir.Place.ID
	svc := db.Services()
	known := CaseloadEmail
	if _, err := svc.Users.FindUserByEmail(ctx, known); err == nil {
		known = fmt.Sprintf("caseload-%d@generated.invalid", placeID)
	} else if linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
		return err
	}
	users := make([]*linkwork.NewUser, len(g.plan.workers))
	for j := range g.plan.workers {
		w := &g.plan.workers[j]
		w.email = fmt.Sprintf("worker%d.place%d@generated.invalid", j, placeID)
		if j == 0 {
			w.email, w.name = known, "Casey Lowther"
		}
		users[j] = &linkwork.NewUser{Email: w.email, Name: w.name, Password: password, Role: linkwork.RoleLinkWorker,
			OrganisationID: g.dir.Schemes[w.scheme].OrganisationID}
	}
	for start := 0; start < len(users); start += 5000 {
		part := users[start:min(len(users), start+5000)]
		ids, err := db.BulkInsertUsers(ctx, placeID, part)
		if err != nil {
			return fmt.Errorf("link workers: %w", err)
		}
		for j, id := range ids {
			g.plan.workers[start+j].id = id
		}
		out.Rows += 2 * len(ids)
	}
	out.CaseloadEmail, out.CaseloadUserID = known, g.plan.workers[0].id
	if g.plan.known > 0 {
		return svc.Referrals.SetCaseloadLimit(ctx, placeID, out.CaseloadUserID, g.plan.known)
	}
	return nil
}

// pipeline makes total items a batch at a time with build, in order, while workers
// goroutines store the batches already made with store; it stops at the first error.
func pipeline[T any](ctx context.Context, total, batch, workers int, build func(start, end int) T, store func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make(chan T, workers)
	go func() {
		defer close(parts)
		for start := 0; start < total; start += batch {
			part := build(start, min(total, start+batch))
			select {
			case parts <- part:
			case <-ctx.Done():
				return
			}
		}
	}()
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for part := range parts {
				if err := store(part); err != nil {
					cancel()
					for range parts { // let the builder finish
					}
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return ctx.Err()
}
