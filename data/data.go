// Package data holds the open data that linkwork ships inside its binary, so that the
// demonstration can place Halifax postcodes and their deprivation without a download. The
// files are gzip-compressed copies, otherwise unchanged, of:
//
//   - NSPL_NOV_2021_UK_HX.csv.gz: the ONS National Statistics Postcode Lookup, November 2021,
//     for the HX (Halifax) postcode area: 7,442 postcodes.
//   - IMD2019_File1.csv.gz: the English Indices of Deprivation 2019, File 1 (the Index of
//     Multiple Deprivation rank and decile of each of England's 32,844 LSOAs).
//
// Both are under the Open Government Licence v3.0; whoever ships them must keep the
// attributions below (README.md, "Licences of what linkwork ships", and docs/geography.md).
package data

import (
	"compress/gzip"
	"embed"
	"errors"
	"io"
	"io/fs"
)

// The names of the shipped files.
const (
	HalifaxPostcodesFile = "NSPL_NOV_2021_UK_HX.csv.gz"
	IMD2019File          = "IMD2019_File1.csv.gz"
)

// The attributions the Open Government Licence asks for, exactly as the sources give them.
const (
	PostcodesAttribution = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. " +
		"Contains OS data © Crown copyright and database right 2021. " +
		"Contains Royal Mail data © Royal Mail copyright and database right 2021. " +
		"Contains GeoPlace data © Local Government Information House Limited copyright and database right 2021."
	IMD2019Attribution = "English Indices of Deprivation 2019, File 1: Index of Multiple Deprivation. " +
		"Ministry of Housing, Communities and Local Government (MHCLG). " +
		"Contains public sector information licensed under the Open Government Licence v3.0."
)

//go:embed NSPL_NOV_2021_UK_HX.csv.gz IMD2019_File1.csv.gz
var files embed.FS

// HalifaxPostcodes opens the shipped postcode lookup for the HX area, decompressed.
func HalifaxPostcodes() (io.ReadCloser, error) { return open(HalifaxPostcodesFile) }

// IMD2019 opens the shipped English Indices of Deprivation 2019 File 1, decompressed.
func IMD2019() (io.ReadCloser, error) { return open(IMD2019File) }

func open(name string) (io.ReadCloser, error) {
	f, err := files.Open(name)
	if err != nil {
		return nil, err
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return gzipFile{z, f}, nil
}

// gzipFile closes both the gzip stream and the embedded file beneath it.
type gzipFile struct {
	*gzip.Reader
	f fs.File
}

func (g gzipFile) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }
