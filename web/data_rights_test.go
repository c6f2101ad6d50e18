package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// fullCase opens a case with something in every part of the record: what matters, a goal
// and a step, a note, a contact, a questionnaire and an onward referral.
func (s *caseSite) fullCase() int64 {
	s.t.Helper()
	ctx := context.Background()
	sam := s.as("sam@example.org")
	pid := s.open(sam, s.personForm())
	person := "/people/" + id(pid)
	for path, form := range map[string]url.Values{
		"/what-matters": {"held_on": {day(-1)}, "what_matters": {"Singing with other people again."}, "version": {"0"}},
		"/goals":        {"goal-text": {"Join a choir"}},
		"/contacts": {"contact-on": {day(-1)}, "contact-mode": {"face_to_face"}, "contact-minutes": {"45"},
			"contact-note": {"Worried about her hearing aid."}},
		"/notes": {"note-text": {"Sounded brighter today."}},
	} {
		if p := sam.post(person+path, form); p.status != http.StatusSeeOther {
			s.t.Fatalf("POST %s: %d\n%s", path, p.status, p.body)
		}
	}
	g := s.record(pid).Plan.Goals[0]
	if p := sam.post(person+"/goals/"+id(g.ID)+"/steps", url.Values{"step-" + id(g.ID) + "-text": {"Ring the Halifax choir"},
		"step-" + id(g.ID) + "-due_on": {day(5)}}); p.status != http.StatusSeeOther {
		s.t.Fatalf("add step: %d", p.status)
	}
	s.respond(pid, "ucla3", linkwork.TimepointBaseline, linkwork.ResponseComplete, ptr(3), ptr(2), ptr(3))
	choir := s.addService(s.orgB, "Halifax Community Choir", linkwork.StatusActive)
	must(s.t, s.svc.Onward.SendOnward(ctx, &linkwork.OnwardReferral{PlaceID: s.place.ID, PersonID: pid, ServiceID: choir.ID,
		FirstName: "Maya", ContactPhone: "01422 123456", Needs: "Wants to sing with others.", Consent: true,
		ConsentMethod: linkwork.ConsentVerbal, SentByUserID: s.sam.ID, SentBy: "sam"}))
	return pid
}

func TestExportRecord(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		pid := s.fullCase()
		sam := s.as("sam@example.org")
		r, _ := http.NewRequest("GET", s.ts.URL+"/people/"+id(pid)+"/export.json", nil)
		res, err := sam.c.Do(r)
		must(t, err)
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
			res.Header.Get("Content-Disposition") != `attachment; filename="linkwork-person-`+id(pid)+`.json"` {
			t.Fatalf("JSON export: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		var rec linkwork.PersonRecord
		must(t, json.NewDecoder(res.Body).Decode(&rec))
		if rec.Person == nil || rec.Person.Name() != "Maya Angelou" || rec.Person.NHSNumber != "9434765919" ||
			rec.Conversation == nil || rec.Conversation.WhatMatters != "Singing with other people again." ||
			len(rec.Plan.Goals) != 1 || len(rec.Plan.Goals[0].Steps) != 1 || len(rec.Plan.Notes) != 1 ||
			len(rec.Contacts) != 1 || rec.Contacts[0].Note != "Worried about her hearing aid." ||
			len(rec.Questionnaires) != 1 || rec.Questionnaires[0].Score == nil ||
			len(rec.Onward) != 1 || rec.Onward[0].ServiceName != "Halifax Community Choir" {
			t.Errorf("JSON export is not the whole record: %+v", rec)
		}

		p := sam.get("/people/" + id(pid) + "/export")
		p.has(t, "Everything held about Maya Angelou", "943 476 5919", "Singing with other people again.", "Join a choir",
			"Ring the Halifax choir", "Sounded brighter today.", "Worried about her hearing aid.", "Halifax Community Choir",
			"Wants to sing with others.", "Loneliness (UCLA 3-item scale)", "Answers, in the order of the questions: 3, 2, 3",
			"Save as PDF", `href="/people/`+id(pid)+`/export.json"`)
		events := s.audits(linkwork.AuditPersonExport)
		if len(events) != 2 || events[0].Detail != "html" || events[1].Detail != "json" || events[0].RecordID != id(pid) ||
			events[0].ActorUserID != s.sam.ID {
			t.Errorf("exports audited: %+v", events)
		}
		if p := s.as("garden.manager@example.org").get("/people/" + id(pid) + "/export.json"); p.status != http.StatusNotFound ||
			strings.Contains(p.body, "Angelou") {
			t.Errorf("another organisation's manager exports: %d", p.status)
		}
		if n := len(s.audits(linkwork.AuditPersonExport)); n != 2 {
			t.Errorf("a refused export was audited as done: %d events", n)
		}
	})
}

func TestErasePerson(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		full := s.fullCase()
		other := s.personForm()
		for k, v := range map[string]string{"given_name": "Bella", "family_name": "Brown", "nhs_number": ""} {
			other.Set(k, v)
		}
		pid := s.open(s.as("sam@example.org"), other)
		mgr := s.as("manager@example.org")
		path := "/people/" + id(full) + "/erase"
		p := mgr.get(path)
		p.has(t, "Erase their personal data", "This cannot be undone", "What is removed", "What remains", "age band",
			"Type Maya Angelou to confirm", `href="/people/`+id(full)+`/export"`)

		p = mgr.post(path, url.Values{"reason": {""}, "confirm_name": {"Maya"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad erase: %d", p.status)
		}
		p.has(t, `href="#reason"`, "Give the reason", `href="#confirm_name"`, "The name typed is not the person’s")
		mgr.post(path, url.Values{"reason": {"Asked"}}).has(t, "Type the person’s full name, Maya Angelou, to confirm.")
		if got := s.person(full); got.Status == linkwork.PersonErased || got.GivenName != "Maya" {
			t.Fatal("a refused erasure erased the record")
		}

		personal := []string{"Maya", "Angelou", "Mags", "943 476 5919", "9434765919", "7 Crossley Street", "HX1 1AB", "01422 123456",
			"maya@example.org", "Large print", "Singing with other people again.", "Join a choir", "Ring the Halifax choir",
			"Sounded brighter today.", "Worried about her hearing aid.", "Wants to sing with others.", "4 April 1948"}
		p = mgr.post(path, url.Values{"reason": {"The person asked for it under UK GDPR."}, "confirm_name": {"  maya   ANGELOU "}})
		if p.status != http.StatusSeeOther || p.location != "/people/"+id(full) {
			t.Fatalf("erase: %d %q\n%s", p.status, p.location, p.body)
		}
		got := s.person(full)
		if got.Status != linkwork.PersonErased || got.ErasedAt == nil {
			t.Fatalf("erased person: %+v", got)
		}
		page := mgr.get("/people/" + id(full))
		page.has(t, "personal data has been erased", "Erased record", "Only anonymous facts remain", "Calder PCN", "Black or Black British: Caribbean")
		if strings.Contains(page.body, "Record a contact") || strings.Contains(page.body, "/erase") {
			t.Error("an erased record offers forms")
		}
		for _, who := range []*browser{mgr, s.as("sam@example.org")} {
			for _, page := range []string{"", "/contacts", "/export"} {
				p := who.get("/people/" + id(full) + page)
				if p.status != http.StatusOK {
					t.Fatalf("GET erased record%s: %d", page, p.status)
				}
				for _, v := range personal {
					if strings.Contains(p.body, v) {
						t.Errorf("after erasure, %s still shows %q", "/people/"+id(full)+page, v)
					}
				}
			}
		}
		if p := mgr.get(path); p.status != http.StatusBadRequest {
			t.Errorf("erase an erased record: %d, want 400", p.status)
		}
		if p := mgr.get("/people/" + id(full) + "/plan"); p.status != http.StatusBadRequest {
			t.Errorf("print an erased plan: %d, want 400", p.status)
		}
		if p := mgr.post("/people/"+id(full)+"/goals", url.Values{"goal-text": {"A new goal"}}); p.status != http.StatusBadRequest {
			t.Errorf("add to an erased record: %d, want 400", p.status)
		}
		list := mgr.get("/people?worker=all&status=erased")
		list.has(t, "Erased record "+id(full))
		for _, v := range personal[:3] {
			if strings.Contains(list.body, v) {
				t.Errorf("the caseload of erased records shows %q", v)
			}
		}
		events := s.audits(linkwork.AuditPersonErase)
		if len(events) != 1 || events[0].RecordID != id(full) || events[0].ActorUserID != s.manager.ID {
			t.Errorf("erasure audited: %+v", events)
		}
		// The other record is untouched.
		if s.person(pid).Name() != "Bella Brown" {
			t.Error("erasure touched another record")
		}
	})
}
