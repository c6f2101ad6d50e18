package geoimport

import (
	"io"
	"iter"
	"strconv"
	"strings"

	"linkwork"
)

// lsoaColumns are the indexes of the columns linkwork reads from the IMD; -1 for an optional
// column the file does not have.
type lsoaColumns struct {
	header                                   []string
	code, name, laCode, laName, rank, decile int
}

const imdKind = "the English Indices of Deprivation File 1 (IMD by LSOA)"

// ReadLSOAs reads the header of the English Indices of Deprivation File 1 (the IMD rank and
// decile of every LSOA) and returns a report and the LSOAs of the rows after it, read as
// they are asked for, as ReadPostcodes does. Columns are found by the start of the names
// MHCLG gives them, so that "LSOA code" finds "LSOA code (2011)" and a later edition's
// "LSOA code (2021)": LSOA code, LSOA name, Local Authority District code and name, and Index
// of Multiple Deprivation (IMD) Rank and Decile. Ranks may have thousands commas ("29,199").
func ReadLSOAs(r io.Reader, opts linkwork.ImportOptions) (*Report, iter.Seq2[*linkwork.LSOA, error], error) {
	rep := newReport("LSOAs")
	t, err := newTable(r, rep)
	if err != nil {
		return nil, nil, err
	}
	c := lsoaColumns{header: t.header, code: t.column("LSOA code"), name: t.column("LSOA name"),
		laCode: t.column("Local Authority District code"), laName: t.column("Local Authority District name"),
		rank: t.column("Index of Multiple Deprivation (IMD) Rank"), decile: t.column("Index of Multiple Deprivation (IMD) Decile")}
	switch {
	case c.code < 0:
		return nil, nil, t.missing("LSOA code", imdKind)
	case c.name < 0:
		return nil, nil, t.missing("LSOA name", imdKind)
	case c.rank < 0:
		return nil, nil, t.missing("Index of Multiple Deprivation (IMD) Rank", imdKind)
	case c.decile < 0:
		return nil, nil, t.missing("Index of Multiple Deprivation (IMD) Decile", imdKind)
	}
	return rep, readRows(t, opts, c.parse), nil
}

// parse turns a row into an LSOA, or says why it is bad. No IMD row is skipped on purpose.
func (c lsoaColumns) parse(rec []string) (*linkwork.LSOA, string, *RowError) {
	bad := func(col int, reason string) (*linkwork.LSOA, string, *RowError) {
		return nil, "", &RowError{Column: c.header[col], Reason: reason}
	}
	l := &linkwork.LSOA{Code: rec[c.code], Name: rec[c.name]}
	if c.laCode >= 0 {
		l.LocalAuthorityCode = rec[c.laCode]
	}
	if c.laName >= 0 {
		l.LocalAuthorityName = rec[c.laName]
	}
	rank, decile := strings.TrimSpace(rec[c.rank]), strings.TrimSpace(rec[c.decile])
	switch n, ok := wholeNumber(rank); {
	case rank == "":
		return bad(c.rank, "The IMD rank is missing.")
	case !ok || n < 1:
		return bad(c.rank, "The IMD rank "+quote(rank)+" is not a whole number from 1 (the most deprived).")
	default:
		l.IMDRank = n
	}
	switch n, ok := wholeNumber(decile); {
	case decile == "":
		return bad(c.decile, "The IMD decile is missing.")
	case !ok || n < 1 || n > 10:
		return bad(c.decile, "The IMD decile "+quote(decile)+" is not a whole number from 1 to 10.")
	default:
		l.IMDDecile = n
	}
	if err := l.Validate(); err != nil {
		col := map[string]int{"code": c.code, "name": c.name, "local_authority_code": c.laCode,
			"local_authority_name": c.laName, "imd_rank": c.rank, "imd_decile": c.decile}
		return nil, "", fieldRowError(err, c.header, col)
	}
	return l, "", nil
}

// wholeNumber reads digits, with or without commas between thousands ("29,199"), up to a
// billion: more than any rank, and never an overflow.
func wholeNumber(s string) (int, bool) {
	groups := strings.Split(s, ",")
	digits := 0
	for i, g := range groups {
		if g == "" || len(groups) > 1 && (i == 0 && len(g) > 3 || i > 0 && len(g) != 3) {
			return 0, false
		}
		for j := range len(g) {
			if g[j] < '0' || g[j] > '9' {
				return 0, false
			}
		}
		digits += len(g)
	}
	if digits > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.Join(groups, ""))
	return n, err == nil
}
