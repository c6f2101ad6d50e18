package oruk

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb/sqldbtest"
)

// writeServices writes n services as a JSON array, the way another directory's ORUK 3.0
// export looks: each with an organisation (one for every 20 services), a location on one of
// the test postcodes, a weekly schedule, two taxonomy terms by name, a contact, a cost. Ids
// are derived from batch, so that each batch is new services.
func writeServices(w io.Writer, n int, batch string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("[")
	needs := []string{"Loneliness and isolation", "Mental wellbeing", "Physical activity", "Food", "Digital skills"}
	days := []string{"MO", "TU", "WE", "TH", "FR", "SA"}
	for i := range n {
		if i > 0 {
			bw.WriteString(",")
		}
		id := derivedID("bench", batch, strconv.Itoa(i))
		org := i / 20
		pc := postcodes[i%len(postcodes)].Postcode
		fmt.Fprintf(bw, `
{"id": %q, "name": "Community group %s-%d", "description": "A friendly group that meets every week for activities, conversation and tea. Everyone is welcome; no need to book.",
 "url": "https://example.org/groups/%d", "email": "group%d@example.org", "status": "active", "minimum_age": 16, "maximum_age": 99,
 "assured_date": "2025-06-01", "last_modified": "2025-06-01T10:00:00.000Z",
 "organization": {"id": %q, "name": "Organisation %s-%d", "description": ""},
 "phones": [{"id": %q, "number": "01422 %06d"}],
 "schedules": [{"id": %q, "freq": "WEEKLY", "interval": 1, "byday": "%s", "opens_at": "10:00", "closes_at": "12:00"}],
 "service_areas": [{"id": %q, "name": "Ward %d"}],
 "service_at_locations": [{"id": %q, "location": {"id": %q, "location_type": "physical", "name": "Community centre %d",
   "addresses": [{"id": %q, "address_1": "%d High Street", "city": "Halifax", "state_province": "Calderdale", "postal_code": %q, "country": "GB", "address_type": "physical"}],
   "accessibility": [{"id": %q, "description": "Step-free access"}]}}],
 "languages": [{"id": %q, "name": "English"}],
 "cost_options": [{"id": %q, "option": "Session", "amount": 2, "amount_description": "per session"}],
 "contacts": [{"id": %q, "name": "Alex Organiser", "title": "Coordinator", "email": "alex%d@example.org"}],
 "attributes": [{"id": %q, "taxonomy_term": {"id": %q, "name": %q, "description": "", "taxonomy": "Needs"}},
                {"id": %q, "taxonomy_term": {"id": %q, "name": "Connect", "description": "", "taxonomy": "Five Ways to Wellbeing"}}]}`,
			id, batch, i, i, i, derivedID("bench-org", batch, strconv.Itoa(org)), batch, org, derivedID(id, "phone"), i,
			derivedID(id, "schedule"), days[i%len(days)], derivedID(id, "area"), i%20, derivedID(id, "sal"), derivedID(id, "location"), i,
			derivedID(id, "address"), i%200+1, pc, derivedID(id, "access"), derivedID(id, "lang"), derivedID(id, "cost"),
			derivedID(id, "contact"), i, derivedID(id, "a1"), derivedID("term", needs[i%len(needs)]), needs[i%len(needs)],
			derivedID(id, "a2"), derivedID("term", "connect"))
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}

// BenchmarkImport imports batches of 5,000 new services, as from another directory's export,
// and reports services a second. Run it with a few iterations:
//
//	go test ./oruk/ -run '^$' -bench Import -benchtime 3x
func BenchmarkImport(b *testing.B) {
	const n = 5000
	for _, d := range sqldbtest.Dialects() {
		b.Run(d, func(b *testing.B) {
			w := newWorld(b, sqldbtest.Open(b, d))
			var buf bytes.Buffer
			var took, cpuUsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				buf.Reset()
				must(b, writeServices(&buf, n, "b"+strconv.Itoa(i)))
				size := buf.Len()
				b.StartTimer()
				start, cpu := time.Now(), cpuTime()
				sum, err := Import(testContext(), w.store, w.svc.Taxonomies, w.place.ID, bytes.NewReader(buf.Bytes()), linkwork.ImportOptions{}, nil)
				took += time.Since(start)
				cpuUsed += cpuTime() - cpu
				must(b, err)
				if sum.Added != n || sum.Failed != 0 {
					b.Fatalf("%+v", sum)
				}
				b.SetBytes(int64(size))
			}
			b.ReportMetric(float64(n*b.N)/took.Seconds(), "services/s")
			// CPU time is steadier than the clock on a shared machine; the import uses two
			// goroutines (reading, writing), so with two cores idle the clock can beat it.
			b.ReportMetric(float64(cpuUsed.Microseconds())/float64(n*b.N), "cpu-µs/service")
		})
	}
}

// TestImportStreams reads a large file through the importer's reader and mapper, as a
// 200 MB import would, and checks that memory stays flat: the file is read a record at a
// time. (-short reads a tenth as much.)
func TestImportStreams(t *testing.T) {
	n := 170_000 // about 200 MB
	if testing.Short() {
		n /= 10
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeServices(pw, n, "stream")) }()
	ix := newTermIndex(nil)
	var maxHeap uint64
	var ms runtime.MemStats
	count, bad := 0, 0
	for raw := range readRecords(&countingReader{r: pr}) {
		it := decodeRecord(raw, ix)
		if it.Err != nil {
			bad++
			if bad < 3 {
				t.Errorf("%s: %v", it.Ref, it.Err)
			}
		}
		if count++; count%10_000 == 0 {
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapAlloc)
		}
	}
	if count != n || bad != 0 {
		t.Fatalf("read %d records (%d bad), want %d", count, bad, n)
	}
	if maxHeap > 64<<20 {
		t.Errorf("the heap grew to %d MB reading the file: it is not streamed", maxHeap>>20)
	}
	t.Logf("read %d records; the heap stayed under %d MB", count, maxHeap>>20+1)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
