package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// download gets a file and returns its body, checking its type and that it is an
// attachment named as wanted.
func (b *browser) download(t *testing.T, path, ctype, name string) []byte {
	t.Helper()
	res, err := b.c.Get(b.s.ts.URL + path)
	must(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != ctype ||
		res.Header.Get("Content-Disposition") != `attachment; filename="`+name+`"` {
		t.Fatalf("GET %s: %d %q %q", path, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	return body
}

// upload posts a file to the scoping page as a browser's form does.
func (b *browser) upload(name string, data []byte, allOrNothing bool) page {
	b.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		must(b.s.t, err)
		_, _ = fw.Write(data)
	}
	if allOrNothing {
		must(b.s.t, mw.WriteField("all_or_nothing", "yes"))
	}
	must(b.s.t, mw.Close())
	r, _ := http.NewRequest("POST", b.s.ts.URL+"/directory/scoping", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(r)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func TestScopingDownloads(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		admin := s.browser()
		admin.signIn("admin@example.org", password)
		admin.get("/services").has(t, `href="/directory/scoping"`)
		p := admin.get("/directory/scoping")
		if p.status != http.StatusOK {
			t.Fatalf("scoping page: %d", p.status)
		}
		p.has(t, "<h1", "Scope organisations and connector schemes", `href="/directory/scoping/template?format=xlsx"`,
			`href="/directory/scoping/export?format=csv"`, `enctype="multipart/form-data"`, `name="all_or_nothing"`)

		x := admin.download(t, "/directory/scoping/template?format=xlsx", xlsxType, "calderdale-scoping-template.xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(x))
		must(t, err)
		if sheets := f.GetSheetList(); len(sheets) != 3 || sheets[0] != "Organisations and schemes" {
			t.Errorf("template sheets: %v", sheets)
		}
		dvs, err := f.GetDataValidations("Organisations and schemes")
		must(t, err)
		if len(dvs) != 5 {
			t.Errorf("template validations: %d", len(dvs))
		}
		f.Close()
		admin.download(t, "/directory/scoping/template", xlsxType, "calderdale-scoping-template.xlsx")
		c := admin.download(t, "/directory/scoping/template?format=csv", "text/csv; charset=utf-8", "calderdale-scoping-template.csv")
		if !strings.HasPrefix(string(c), "\ufeffOrganisation name,Sector,Scheme name,Scheme model,Who can refer,") {
			t.Errorf("CSV template: %q", c)
		}
		in := admin.download(t, "/directory/scoping/template?format=instructions", "text/csv; charset=utf-8", "calderdale-scoping-instructions.csv")
		if !strings.Contains(string(in), "Loneliness and isolation") {
			t.Errorf("instructions: %s", in)
		}
		if p := admin.get("/directory/scoping/template?format=pdf"); p.status != http.StatusNotFound {
			t.Errorf("unknown format: %d", p.status)
		}
		if p := admin.get("/directory/scoping/export?format=instructions"); p.status != http.StatusNotFound {
			t.Errorf("export as instructions: %d", p.status)
		}

		// The export has the place's organisations and schemes.
		sch := &linkwork.Service{PlaceID: s.place.ID, OrganisationID: s.orgA.ID, Kind: linkwork.KindScheme, Name: "Link workers",
			Description: "Social prescribing.", Status: linkwork.StatusActive, Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker,
				WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}, StaffFTE: 3}}
		must(t, s.svc.Directory.CreateService(context.Background(), sch))
		c = admin.download(t, "/directory/scoping/export?format=csv", "text/csv; charset=utf-8", "calderdale-scoping-organisations-and-schemes.csv")
		for _, want := range []string{"Calder PCN,NHS or primary care,Link workers,Primary care network social prescribing link worker,GP practice,",
			"Todmorden Garden,\"Voluntary, community or social enterprise\",,"} {
			if !strings.Contains(string(c), want) {
				t.Errorf("CSV export lacks %q:\n%s", want, c)
			}
		}
		x = admin.download(t, "/directory/scoping/export", xlsxType, "calderdale-scoping-organisations-and-schemes.xlsx")
		f, err = excelize.OpenReader(bytes.NewReader(x))
		must(t, err)
		rows, err := f.GetRows("Organisations and schemes")
		must(t, err)
		if len(rows) != 3 || rows[1][2] != "Link workers" || rows[1][10] != "3" {
			t.Errorf("xlsx export: %v", rows)
		}
		f.Close()
		// Exported and uploaded again, it changes nothing.
		admin.upload("export.xlsx", x, false).has(t, "0 added, 0 changed, 2 unchanged", "0 added, 0 changed, 1 unchanged")

		// A manager keeps their own organisation's entries, not the place's sheet.
		s.addUser("manager@example.org", s.orgA, linkwork.RoleManager)
		m := s.browser()
		m.signIn("manager@example.org", password)
		if p := m.get("/services"); strings.Contains(p.body, "/directory/scoping") {
			t.Error("a manager is offered the scoping sheet")
		}
		for _, path := range []string{"/directory/scoping", "/directory/scoping/template", "/directory/scoping/export"} {
			if p := m.get(path); p.status != http.StatusForbidden {
				t.Errorf("manager GET %s: %d", path, p.status)
			}
		}
		if p := m.upload("sheet.csv", c, false); p.status != http.StatusForbidden {
			t.Errorf("manager upload: %d", p.status)
		}
		if p := s.browser().get("/directory/scoping/export"); p.status != http.StatusSeeOther {
			t.Errorf("anonymous export: %d", p.status)
		}
	})
}

func TestScopingUpload(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		b := s.browser()
		b.signIn("admin@example.org", password)
		sheet := "Organisation name,Sector,Scheme name,Scheme model,Who can refer,Client groups,Needs,Staff FTE,Notes\r\n" +
			"Calder PCN,,Social prescribing,Primary care network social prescribing link worker,\"GP practice, The person themselves\",Older people,Loneliness and isolation,4.5,ours\r\n" +
			"Halifax Housing,Housing,Tenancy connectors,Housing connector,Housing,,,2,\r\n" +
			"Warley Men's Shed,Men's groups,,,,,,,\r\n" + // row 4: an unknown sector
			"Calder PCN,,Navigators,Wizard,Police,Dragons,,lots,\r\n" // row 5: three problems
		p := b.upload("scoping.csv", []byte(sheet), false)
		if p.status != http.StatusOK {
			t.Fatalf("upload: %d\n%s", p.status, p.body)
		}
		p.has(t, "scoping.csv (4 rows)", "1 added, 0 changed, 1 unchanged", "2 added, 0 changed, 0 unchanged",
			"Rows left out, and why", `<td class="nhsuk-table__cell">4</td><td class="nhsuk-table__cell">Sector</td>`,
			"&#34;Men&#39;s groups&#34; is not a sector.", `<td class="nhsuk-table__cell">5</td><td class="nhsuk-table__cell">Scheme model</td>`,
			"&#34;Dragons&#34; is not one of this place&#39;s client groups.", "&#34;lots&#34; is not a number.",
			"These columns are not ones linkwork knows, so they were not read: “Notes”")
		schemes, n, err := s.svc.Directory.ListServices(context.Background(), linkwork.ServiceFilter{PlaceID: s.place.ID, Kind: linkwork.KindScheme})
		must(t, err)
		if n != 2 || schemes[0].Name != "Social prescribing" || len(schemes[0].Terms) != 2 || schemes[0].Scheme.StaffFTE != 4.5 {
			t.Errorf("schemes: %d %+v", n, schemes)
		}
		b.get("/audit").has(t, linkwork.AuditScopingImport)

		// The same sheet again changes nothing; all or nothing, nothing is imported.
		b.upload("scoping.csv", []byte(sheet), false).has(t, "0 added, 0 changed, 2 unchanged", "0 added, 0 changed, 2 unchanged")
		changed := strings.Replace(sheet, "Tenancy connectors,Housing connector,Housing,,,2", "Tenancy connectors,Housing connector,Housing,,,3", 1)
		p = b.upload("scoping.csv", []byte(changed), true)
		p.has(t, "Nothing was imported", "has 2 rows with problems", "Problems to correct")
		if list, _, _ := s.svc.Directory.ListServices(context.Background(), linkwork.ServiceFilter{PlaceID: s.place.ID, Kind: linkwork.KindScheme}); list[1].Scheme.StaffFTE != 2 {
			t.Errorf("all or nothing changed a scheme: %+v", list[1].Scheme)
		}
		if !strings.Contains(p.body, `name="all_or_nothing" type="checkbox" value="yes" checked`) {
			t.Error("the choice of all or nothing is not kept")
		}

		// Files that are not scoping sheets.
		for _, c := range []struct {
			name string
			data []byte
			want string
		}{
			{"", nil, "Choose the scoping sheet to upload"},
			{"notes.txt", []byte("Dear all,\nplease find attached"), "Row 1 should be the header"},
			{"old.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "older Excel workbook (.xls)"},
			{"big.csv", bytes.Repeat([]byte("a,b\n"), 3<<20), "larger than 10 MB"},
		} {
			p := b.upload(c.name, c.data, false)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", c.name, p.status)
			}
			p.has(t, `href="#file"`, "nhsuk-form-group--error", "<title>Error: ")
			if !strings.Contains(strings.ReplaceAll(p.body, "&#39;", "'"), c.want) {
				t.Errorf("%s: no %q", c.name, c.want)
			}
		}
	})
}
