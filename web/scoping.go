package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"linkwork"
	"linkwork/scoping"
)

// The scoping sheet is the place's organisations and connector schemes in a spreadsheet, for
// mapping who does what in a place: downloaded as a template or with what linkwork holds,
// filled in or edited, and uploaded. It covers the whole place, so only those who keep the
// whole directory (administrators) use it; the route lets in everyone who keeps some of it,
// and the handlers turn away the rest.
func (h *Handler) registerScoping(g registrar) {
	manage := linkwork.PermManageDirectory
	g.Handle("GET", "/directory/scoping", manage, h.placeWide(h.scopingPage))
	g.Handle("POST", "/directory/scoping", manage, h.placeWide(h.scopingUpload))
	g.Handle("GET", "/directory/scoping/template", manage, h.placeWide(h.scopingTemplate))
	g.Handle("GET", "/directory/scoping/export", manage, h.placeWide(h.scopingExport))
}

// maxShownProblems is how many problems the page lists: enough to fix a sheet by, few
// enough to read.
const maxShownProblems = 200

// placeWide lets through only those who keep the whole place's directory.
func (h *Handler) placeWide(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !principal(r).CanPlaceWide(linkwork.PermManageDirectory) {
			h.forbidden(w, r)
			return
		}
		fn(w, r)
	}
}

// ScopingView is the view of the scoping page: the downloads, the upload form and, after an
// upload, what the import did.
type ScopingView struct {
	Layout
	Form         *Form
	AllOrNothing bool
	Result       *ScopingResult
}

// ScopingResult is what an uploaded sheet's import did.
type ScopingResult struct {
	File    string
	Summary *linkwork.ScopingSummary
	// Problems are the first maxShownProblems of the summary's; More counts the rest.
	Problems []linkwork.ScopingProblem
	More     int
	// Ignored are the headings of columns linkwork does not know.
	Ignored []string
}

func newScopingView() *ScopingView {
	return &ScopingView{Layout: Layout{Title: "Scope organisations and connector schemes"}, Form: NewForm()}
}

func (h *Handler) scopingPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "scoping", newScopingView())
}

// scopingUpload imports an uploaded sheet, .xlsx or CSV (told apart by its content), and
// shows what it did, with every problem by row and column.
func (h *Handler) scopingUpload(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := newScopingView()
	fail := func(msg string) {
		v.Form.Fail("file", msg)
		h.render(w, r, http.StatusUnprocessableEntity, "scoping", v)
	}
	r.Body = http.MaxBytesReader(w, r.Body, scoping.MaxBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(fmt.Sprintf("The file is larger than %d MB: a scoping sheet is much smaller. Check it is the right file.", scoping.MaxBytes>>20))
			return
		}
		fail("Choose the scoping sheet to upload, as an Excel workbook (.xlsx) or CSV.")
		return
	}
	defer r.MultipartForm.RemoveAll()
	v.AllOrNothing = r.PostFormValue("all_or_nothing") == "yes"
	f, fh, err := r.FormFile("file")
	if err != nil {
		fail("Choose the scoping sheet to upload, as an Excel workbook (.xlsx) or CSV.")
		return
	}
	defer f.Close()
	taxs, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	sheet, err := scoping.Read(f, taxs)
	if err != nil {
		if scoping.IsFileError(err) {
			fail(err.Error())
			return
		}
		h.serverError(w, r, err)
		return
	}
	sum, err := h.svc.Scoping.ImportScoping(r.Context(), p.Place.ID, sheet.Rows, linkwork.ImportOptions{AllOrNothing: v.AllOrNothing})
	if err != nil {
		h.failed(w, r, err)
		return
	}
	res := &ScopingResult{File: filepath.Base(strings.ReplaceAll(fh.Filename, `\`, "/")), Summary: sum, Ignored: sheet.Ignored,
		Problems: sum.Problems}
	if len(res.Problems) > maxShownProblems {
		res.Problems, res.More = res.Problems[:maxShownProblems], len(res.Problems)-maxShownProblems
	}
	v.Result = res
	h.render(w, r, http.StatusOK, "scoping", v)
}

// scopingTemplate sends the empty sheet: format xlsx (the default: with instructions and
// drop-down lists), csv, or instructions (the instructions for the CSV, as CSV).
func (h *Handler) scopingTemplate(w http.ResponseWriter, r *http.Request) {
	h.sendSheet(w, r, "template", nil)
}

// scopingExport sends the place's organisations and schemes in the sheet's format, to edit
// and upload again: format xlsx (the default) or csv.
func (h *Handler) scopingExport(w http.ResponseWriter, r *http.Request) {
	rows, err := h.svc.Scoping.ExportScoping(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendSheet(w, r, "organisations-and-schemes", rows)
}

// sendSheet writes a sheet as the file the format query asks for, named after the place.
func (h *Handler) sendSheet(w http.ResponseWriter, r *http.Request, what string, rows []*linkwork.ScopingRow) {
	p := principal(r)
	taxs, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var b bytes.Buffer
	name, ctype := fileName(p.Place.Name)+"-scoping-"+what, "text/csv; charset=utf-8"
	switch r.URL.Query().Get("format") {
	case "", scoping.XLSX:
		ctype, name = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name+".xlsx"
		err = scoping.WriteXLSX(&b, p.Place.Name, rows, taxs)
	case scoping.CSV:
		name += ".csv"
		err = scoping.WriteCSV(&b, rows)
	case "instructions":
		if what != "template" {
			h.notFound(w, r)
			return
		}
		name = fileName(p.Place.Name) + "-scoping-instructions.csv"
		err = scoping.WriteInstructionsCSV(&b, p.Place.Name, taxs)
	default:
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = b.WriteTo(w)
}

// fileName makes a place's name into part of a file name: lower-case letters, digits and
// hyphens.
func fileName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	if out := strings.Trim(b.String(), "-"); out != "" {
		return out
	}
	return "place"
}
