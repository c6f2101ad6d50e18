package oruk

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// This file reads HSDS 3.0 tabular data packages: a datapackage.json and one CSV file per
// table (organizations.csv, services.csv, service_at_location.csv, locations.csv…), in a
// directory or a zip file. The tables are joined into the nested services that the JSON
// import reads (inService), which then go through the same mapping (fromService), the same
// term matching and the same store import, so that a package and the same directory as JSON
// import alike. Every problem names the file and line it comes from.

// PackageError says why a data package cannot be imported at all: no services table, or a
// table whose header cannot be read. Nothing is imported.
type PackageError struct {
	File    string // the file in the package, if the problem is in one
	Line    int    // the line in it, if known
	Message string
}

func (e *PackageError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("the data package cannot be imported: %s line %d: %s", e.File, e.Line, e.Message)
	case e.File != "":
		return fmt.Sprintf("the data package cannot be imported: %s: %s", e.File, e.Message)
	}
	return "the data package cannot be imported: " + e.Message
}

// pkgTables are the tables linkwork reads, by their HSDS resource name, with the file names
// to look for when datapackage.json does not say (HSDS names first, then the UK profile's
// and ORUK v1's).
var pkgTables = []struct {
	name  string
	files []string
}{
	{"organization", []string{"organizations.csv", "organization.csv"}},
	{"service", []string{"services.csv", "service.csv"}},
	{"service_at_location", []string{"service_at_location.csv", "service_at_locations.csv"}},
	{"location", []string{"locations.csv", "location.csv"}},
	{"address", []string{"addresses.csv", "address.csv", "physical_addresses.csv"}},
	{"accessibility", []string{"accessibility.csv", "accessibilities.csv", "accessibility_for_disabilities.csv"}},
	{"schedule", []string{"schedules.csv", "schedule.csv", "regular_schedules.csv", "regular_schedule.csv"}},
	{"taxonomy", []string{"taxonomies.csv", "taxonomy.csv"}},
	{"taxonomy_term", []string{"taxonomy_terms.csv", "taxonomy_term.csv"}},
	{"attribute", []string{"attributes.csv", "attribute.csv"}},
	{"service_taxonomy", []string{"service_taxonomy.csv", "service_taxonomies.csv", "service_taxonomys.csv"}},
	{"contact", []string{"contacts.csv", "contact.csv"}},
	{"phone", []string{"phones.csv", "phone.csv"}},
	{"cost_option", []string{"cost_options.csv", "cost_option.csv"}},
	{"language", []string{"languages.csv", "language.csv"}},
	{"service_area", []string{"service_areas.csv", "service_area.csv"}},
}

// unkeptTables are HSDS tables linkwork has nowhere to keep.
var unkeptTables = []string{"funding", "program", "required_document", "organization_identifier", "metadata",
	"meta_table_description", "url", "eligibility", "holiday_schedule", "review", "link_taxonomy"}

// tableName returns the resource name a package calls a table by (its name in
// datapackage.json, or its file name), or "".
func tableName(name string) string {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), ".csv"))
	for _, t := range pkgTables {
		if t.name == name {
			return t.name
		}
		for _, f := range t.files {
			if strings.TrimSuffix(f, ".csv") == name {
				return t.name
			}
		}
	}
	return ""
}

// csvPackage is a data package's tables, read whole.
type csvPackage struct {
	tables map[string]*table // by resource name
	notes  []string          // about the package as a whole
}

// OpenPackage opens path as an HSDS CSV data package when it is one: a directory, a zip
// file (known by its content, whatever its name), or a package's datapackage.json or one of
// its CSV files (meaning the directory they are in). For any other file it returns nil and
// no error: the caller reads it as JSON. The package's tables may be at the top of the
// directory or zip file or in one folder inside it.
func OpenPackage(p string) (fs.FS, io.Closer, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		fsys, err := packageRoot(os.DirFS(p), p)
		return fsys, io.NopCloser(nil), err
	}
	base := strings.ToLower(filepath.Base(p))
	if base == "datapackage.json" || strings.HasSuffix(base, ".csv") {
		return os.DirFS(filepath.Dir(p)), io.NopCloser(nil), nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	f.Close()
	if !bytes.Equal(magic[:n], []byte("PK\x03\x04")) {
		return nil, nil, nil
	}
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a zip file that can be read: %v", p, err)
	}
	fsys, err := packageRoot(z, p)
	if err != nil {
		z.Close()
		return nil, nil, err
	}
	return fsys, z, nil
}

// packageRoot finds the folder of a package that holds its datapackage.json or services
// table: the top, or the one folder below it that does.
func packageRoot(fsys fs.FS, name string) (fs.FS, error) {
	isRoot := func(dir string) bool {
		for _, f := range append([]string{"datapackage.json"}, pkgTables[1].files...) {
			if _, err := fs.Stat(fsys, path.Join(dir, f)); err == nil {
				return true
			}
		}
		return false
	}
	if isRoot(".") {
		return fsys, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var found []string
	for _, e := range entries {
		if e.IsDir() && isRoot(e.Name()) {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 0:
		return nil, &PackageError{Message: fmt.Sprintf("%s has no datapackage.json and no services.csv, at the top or in a folder", name)}
	case 1:
		return fs.Sub(fsys, found[0])
	}
	return nil, &PackageError{Message: fmt.Sprintf("%s has data packages in several folders (%s): import one at a time", name, strings.Join(found, ", "))}
}

// readPackage reads the tables of a package that linkwork keeps. The files are those
// datapackage.json names, or, for a table it does not name (or when there is no
// datapackage.json, or it cannot be read), the usual file names.
func readPackage(fsys fs.FS) (*csvPackage, error) {
	p := &csvPackage{tables: map[string]*table{}}
	paths := map[string][]string{} // resource name → files, from datapackage.json
	var unkept []string
	switch b, err := fs.ReadFile(fsys, "datapackage.json"); {
	case errors.Is(err, fs.ErrNotExist):
		p.notes = append(p.notes, "the package has no datapackage.json, so its tables were found by their file names")
	case err != nil:
		return nil, &PackageError{File: "datapackage.json", Message: err.Error()}
	default:
		var dp struct {
			Resources []struct {
				Name string          `json:"name"`
				Path json.RawMessage `json:"path"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(b, &dp); err != nil {
			p.notes = append(p.notes, fmt.Sprintf("datapackage.json cannot be read as JSON (%v), so the tables were found by their file names",
				strings.TrimPrefix(err.Error(), "json: ")))
			break
		}
		for _, r := range dp.Resources {
			var list []string
			var one string
			if json.Unmarshal(r.Path, &one) == nil {
				list = []string{one}
			} else if json.Unmarshal(r.Path, &list) != nil {
				p.notes = append(p.notes, fmt.Sprintf("datapackage.json: the path of resource %q is not a file name, so it was looked for by name", r.Name))
				continue
			}
			name := tableName(r.Name)
			if name == "" {
				name = tableName(path.Base(one))
			}
			if name == "" {
				if r.Name != "" && slices.Contains(unkeptTables, strings.ToLower(r.Name)) {
					unkept = append(unkept, strings.Join(list, ", "))
				}
				continue
			}
			for _, f := range list {
				f = path.Clean(strings.TrimPrefix(f, "./"))
				if !fs.ValidPath(f) {
					p.notes = append(p.notes, fmt.Sprintf("datapackage.json: %q is not a file in the package, so it was not read", f))
					continue
				}
				if _, err := fs.Stat(fsys, f); err != nil {
					p.notes = append(p.notes, fmt.Sprintf("datapackage.json names %s for %s, but the package has no such file", f, name))
					continue
				}
				paths[name] = append(paths[name], f)
			}
		}
	}
	for _, t := range pkgTables {
		files := paths[t.name]
		if len(files) == 0 {
			var there []string
			for _, f := range t.files {
				if _, err := fs.Stat(fsys, f); err == nil {
					there = append(there, f)
				}
			}
			if len(there) > 1 {
				p.notes = append(p.notes, fmt.Sprintf("both %s are in the package and datapackage.json does not say which holds the %s table, so %s was read",
					strings.Join(there, " and "), t.name, there[0]))
			}
			if len(there) > 0 {
				files = there[:1]
			}
		}
		if len(files) == 0 {
			continue
		}
		if len(files) > 1 {
			p.notes = append(p.notes, fmt.Sprintf("datapackage.json names several files for the %s table; linkwork reads one a table, so only %s was read",
				t.name, files[0]))
		}
		tb, err := readPackageFile(fsys, files[0])
		if err != nil {
			return nil, err
		}
		p.tables[t.name] = tb
	}
	if p.tables["service"] == nil {
		return nil, &PackageError{Message: "it has no services table (services.csv), or datapackage.json does not name one"}
	}
	if len(paths) == 0 {
		for _, n := range unkeptTables {
			for _, f := range []string{n + "s.csv", n + ".csv"} {
				if _, err := fs.Stat(fsys, f); err == nil && !slices.Contains(unkept, f) {
					unkept = append(unkept, f)
				}
			}
		}
	}
	if len(unkept) > 0 {
		sort.Strings(unkept)
		p.notes = append(p.notes, fmt.Sprintf("linkwork has nowhere to keep what %s hold, so they were not read", strings.Join(unkept, ", ")))
	}
	return p, nil
}

func readPackageFile(fsys fs.FS, name string) (*table, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &PackageError{File: name, Message: err.Error()}
	}
	defer f.Close()
	return readTable(name, f)
}
