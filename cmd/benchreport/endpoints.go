package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"linkwork/gen"
)

// endpoint is one thing the load test asks the server for, with the engine floor of what it
// costs the database.
type endpoint struct {
	name string // as the report names it
	// paths are the GET requests, gone round in turn; none for the referral POST.
	paths []string
	// header is a session cookie or an API token, as wrk's -H takes it; "" for public pages.
	header string
	// referral is set for POST /api/v1/referrals (scripts/bench-referral.lua).
	referral bool
	// warmEveryPath requests each path once before the runs, so that every answer the server
	// keeps (Open Referral UK's) is kept before it is measured.
	warmEveryPath bool
	floor         engineFloor
}

// orukWords are the searches of scripts/oruk-load.lua: 30 words, one misspelt.
var orukWords = []string{"walking", "gardening", "choir", "knit", "art", "lunch", "food", "cooking", "debt",
	"football", "conservation", "painting", "craft", "singing", "repair", "allotment", "nordic",
	"sewing", "pantry", "advice", "carers", "dementia", "yoga", "reading", "swimming", "befriending",
	"housing", "digital", "volunteers", "gardning"}

// sessions are the Cookie headers of the users who sign in.
type sessions struct {
	commissioner, manager, caseload string
}

// signInAll signs in the users the pages need.
func signInAll(s *server, p *benchPlace) (sessions, error) {
	var out sessions
	var err error
	if out.commissioner, err = s.signIn(commissionerEmail, benchPassword); err != nil {
		return out, err
	}
	if out.manager, err = s.signIn(managerEmail, benchPassword); err != nil {
		return out, err
	}
	out.caseload, err = s.signIn(p.caseloadEmail, gen.DefaultPassword)
	return out, err
}

// buildEndpoints lists the endpoints in the order they are measured: reads first, then the
// referrals, which change what the others read.
func buildEndpoints(ctx context.Context, srv *server, r *rawDB, p *benchPlace, sess sessions, searchToken string) ([]endpoint, error) {
	triage, err := triageFloor(ctx, r, p)
	if err != nil {
		return nil, fmt.Errorf("the triage queue's engine floor: %w", err)
	}
	caseload, err := caseloadFloor(ctx, r, p)
	if err != nil {
		return nil, fmt.Errorf("the caseload's engine floor: %w", err)
	}
	place := strconv.FormatInt(p.placeID, 10)
	need := strconv.FormatInt(p.needTermID, 10)
	query := url.Values{"q": {searchWord}, "term_id": {need}, "postcode": {searchPostcode}, "radius_km": {strconv.Itoa(searchRadiusKm)}}
	page := url.Values{"place": {place}}
	api := url.Values{"kind": {"activity"}}
	for k, v := range query {
		page[k], api[k] = v, v
	}
	var oruk []string
	for _, w := range orukWords {
		for _, extra := range []string{"", "&page=2", "&postcode=HX1%201AA&proximity=5000"} {
			oruk = append(oruk, "/oruk/services?search="+w+"&place="+place+extra)
		}
	}
	apiPath, auth := "/api/v1/search?"+api.Encode(), "Authorization: Bearer "+searchToken
	pageIDs, err := srv.searchPage(apiPath, auth)
	if err != nil {
		return nil, err
	}
	search, err := searchFloor(ctx, r, p, pageIDs)
	if err != nil {
		return nil, fmt.Errorf("the search's engine floor: %w", err)
	}
	months := "from=" + p.fromMonth + "&to=" + p.toMonth
	return []endpoint{
		{name: "directory search, page", paths: []string{"/directory?" + page.Encode()}, floor: search},
		{name: "directory search, API", paths: []string{apiPath}, header: auth, floor: search},
		{name: "Open Referral UK search", paths: oruk, warmEveryPath: true, floor: orukFloor()},
		{name: "triage queue", paths: []string{"/schemes/" + strconv.FormatInt(p.triageSchemeID, 10) + "/triage"}, header: sess.manager,
			floor: triage},
		{name: "caseload", paths: []string{"/people"}, header: sess.caseload, floor: caseload},
		{name: "place dashboard", paths: []string{"/measures?" + months}, header: sess.commissioner, floor: dashboardFloor(p, 0)},
		{name: "scheme dashboard", paths: []string{"/measures?scope=scheme&scheme=" + strconv.FormatInt(p.dashboardSchemeID, 10) + "&" + months},
			header: sess.commissioner, floor: dashboardFloor(p, p.dashboardSchemeID)},
		{name: "referral create, API", referral: true, floor: referralFloor(p)},
	}, nil
}
