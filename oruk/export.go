package oruk

import (
	"bufio"
	"context"
	"encoding/json"
	"io"

	"linkwork"
)

// Export writes a place's whole directory to w as a JSON array of fully nested services,
// in the shape /oruk/services/{id} answers, which Import reads back. It reads the directory
// a page at a time, so its size does not matter, and returns how many services it wrote.
func Export(ctx context.Context, store linkwork.OpenDataService, taxonomies linkwork.TaxonomyService, place *linkwork.Place,
	w io.Writer) (int, error) {
	taxs, err := taxonomies.ListTaxonomies(ctx, place.ID)
	if err != nil {
		return 0, err
	}
	pd := newPlaceData(place.Name, taxs)
	bw := bufio.NewWriterSize(w, 1<<16)
	n := 0
	if _, err := bw.WriteString("["); err != nil {
		return 0, err
	}
	for page := 1; ; page++ {
		entries, total, err := store.QueryServices(ctx, linkwork.DirectoryQuery{PlaceID: place.ID, Full: true,
			Page: linkwork.Page{Number: page, Size: linkwork.MaxPageSize}})
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			b, err := json.MarshalIndent(toService(e, pd), "  ", "  ")
			if err != nil {
				return n, err
			}
			sep := ",\n  "
			if n == 0 {
				sep = "\n  "
			}
			if _, err := bw.WriteString(sep); err != nil {
				return n, err
			}
			if _, err := bw.Write(b); err != nil {
				return n, err
			}
			n++
		}
		if len(entries) == 0 || page*linkwork.MaxPageSize >= total {
			break
		}
	}
	if _, err := bw.WriteString("\n]\n"); err != nil {
		return n, err
	}
	return n, bw.Flush()
}
