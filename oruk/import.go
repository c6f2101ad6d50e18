package oruk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"strconv"
	"strings"

	"linkwork"
)

// Import reads services from an Open Referral file into a place's directory: HSDS 3.0 or
// ORUK 3.0 JSON (a page of the service list, one full service, or a JSON array of
// services) or ORUK v1 JSON (a page with content, or an array). The file is read one
// record at a time, never whole, so its size does not matter.
//
// Each record is reported, once stored or refused, to report (which may be nil); its Ref
// says where it is in the file. A record that cannot be read or stored is left out and the
// rest imported, unless opts.AllOrNothing, when any such record undoes the whole import.
// The error is about the file as a whole (not JSON, or broken part-way) or the database;
// records read before a break in the file are imported, unless AllOrNothing.
func Import(ctx context.Context, store linkwork.OpenDataService, taxonomies linkwork.TaxonomyService, placeID int64,
	r io.Reader, opts linkwork.ImportOptions, report func(*linkwork.ServiceImport)) (linkwork.ServiceImportSummary, error) {
	taxs, err := taxonomies.ListTaxonomies(ctx, placeID)
	if err != nil {
		return linkwork.ServiceImportSummary{}, err
	}
	ix := newTermIndex(taxs)
	// The file is read and mapped on one goroutine while the store writes on this one, so
	// that the two overlap.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	records := make(chan *linkwork.ServiceImport, 256)
	var broken error
	go func() {
		defer close(records)
		for raw := range readRecords(r) {
			if raw.err != nil {
				broken = raw.err
			}
			select {
			case records <- decodeRecord(raw, ix):
			case <-ctx.Done():
				return
			}
		}
	}()
	items := func(yield func(*linkwork.ServiceImport) bool) {
		for it := range records {
			if !yield(it) {
				return
			}
		}
	}
	sum, err := store.ImportServices(ctx, placeID, items, opts, report)
	cancel()
	for range records { // wait for the reader to stop, so that broken is its last word
	}
	if err != nil {
		return sum, err
	}
	return sum, broken
}

// rawRecord is one record of a file as decoded, with the error decoding it (a value of the
// wrong type), or why the file could not be read further (err).
type rawRecord struct {
	ref       string
	in        *inService
	decodeErr error
	err       error
}

// decodeInto reads a record from data, as the decoder reads one from a stream.
func decodeInto(ref string, data []byte) rawRecord {
	var in inService
	err := json.Unmarshal(data, &in)
	return rawRecord{ref: ref, in: &in, decodeErr: err}
}

// ParseError says why a file could not be read as Open Referral JSON.
type ParseError struct {
	Offset  int64 // bytes into the file
	Message string
}

func (e *ParseError) Error() string {
	if e.Offset > 0 {
		return fmt.Sprintf("the file is not valid JSON at byte %d: %s", e.Offset, e.Message)
	}
	return "the file cannot be read as Open Referral JSON: " + e.Message
}

// readRecords streams the records of a file. It reads the top level token by token, so
// that a list of any length is held one record at a time.
func readRecords(r io.Reader) iter.Seq[rawRecord] {
	return func(yield func(rawRecord) bool) {
		dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
		fatal := func(err error) {
			yield(rawRecord{ref: "file", err: parseError(dec, err)})
		}
		tok, err := dec.Token()
		if err != nil {
			fatal(err)
			return
		}
		switch tok {
		case json.Delim('['):
			if !streamArray(dec, "", yield) {
				return
			}
		case json.Delim('{'):
			// A page of the list (contents in HSDS, content in ORUK v1) or one service: which,
			// is known only at the end, so other keys are kept; they are small in a page.
			var fields [][2][]byte
			page := false
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					fatal(err)
					return
				}
				key, _ := kt.(string)
				if key == "contents" || key == "content" {
					t, err := dec.Token()
					if err != nil {
						fatal(err)
						return
					}
					if t == json.Delim('[') {
						page = true
						if !streamArray(dec, key, yield) {
							return
						}
						continue
					}
					if t == json.Delim('{') {
						fatal(fmt.Errorf("%s must be a list of services", key))
						return
					}
					continue // null or a scalar: an empty page
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					fatal(err)
					return
				}
				kb, _ := json.Marshal(key)
				fields = append(fields, [2][]byte{kb, raw})
			}
			if _, err := dec.Token(); err != nil {
				fatal(err)
				return
			}
			if !page {
				var b bytes.Buffer
				b.WriteByte('{')
				for i, f := range fields {
					if i > 0 {
						b.WriteByte(',')
					}
					b.Write(f[0])
					b.WriteByte(':')
					b.Write(f[1])
				}
				b.WriteByte('}')
				if !yield(decodeInto("service", b.Bytes())) {
					return
				}
			}
		default:
			fatal(errors.New("expected a JSON array of services or an object (a page of services, or one service)"))
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			if err == nil {
				err = errors.New("there is more after the end of the JSON")
			}
			fatal(err)
		}
	}
}

// streamArray yields each element of an array whose [ has been read, and reads its ].
func streamArray(dec *json.Decoder, name string, yield func(rawRecord) bool) bool {
	for i := 0; dec.More(); i++ {
		// Decoding straight into the record reads the JSON once less than through a
		// json.RawMessage. A value of the wrong type is found once the whole record has been
		// read, so it is the record's error; any other error is the file's.
		ref := name + "[" + strconv.Itoa(i) + "]"
		var in inService
		err := dec.Decode(&in)
		var te *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &te) {
			yield(rawRecord{ref: ref, err: parseError(dec, err)})
			return false
		}
		if !yield(rawRecord{ref: ref, in: &in, decodeErr: err}) {
			return false
		}
	}
	if _, err := dec.Token(); err != nil {
		yield(rawRecord{ref: "file", err: parseError(dec, err)})
		return false
	}
	return true
}

// parseError describes a decoder error in words, with where it is.
func parseError(dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return &ParseError{Offset: syn.Offset, Message: syn.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &ParseError{Offset: dec.InputOffset(), Message: "the file ends part-way through"}
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return &ParseError{Offset: dec.InputOffset(), Message: err.Error()}
}

// decodeRecord maps one record into linkwork's terms. A record that is not a JSON object,
// or has a value of the wrong type, is refused with the field it concerns, and with any
// other problem the rest of it has.
func decodeRecord(raw rawRecord, ix *termIndex) *linkwork.ServiceImport {
	it := &linkwork.ServiceImport{Ref: raw.ref}
	if raw.err != nil {
		it.Err = raw.err
		return it
	}
	var te *json.UnmarshalTypeError
	if errors.As(raw.decodeErr, &te) && te.Field == "" {
		it.Err = linkwork.Errorf(linkwork.EINVALID, "A service must be a JSON object, not %s.", aKind(te.Value))
		return it
	}
	fromService(raw.in, ix, it)
	if raw.decodeErr != nil {
		ps := linkwork.Problems{}
		ps.Add(typeError(raw.decodeErr))
		ps.Add(it.Err)
		it.Err = ps.Err()
	}
	return it
}

// typeError turns a decoding error into a field error that says what was expected.
func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "value"
		}
		return linkwork.FieldError(field, "%s must be %s, not %s.", field, wantKind(te.Type), aKind(te.Value))
	}
	return linkwork.Errorf(linkwork.EINVALID, "The record could not be read: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

func wantKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "another type"
}

func aKind(k string) string {
	switch {
	case strings.HasPrefix(k, "number"):
		return "a number"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "array":
		return "a list"
	case k == "object":
		return "an object"
	case k == "null":
		return "null"
	}
	return k
}
