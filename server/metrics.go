package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"linkwork/authz"
	"linkwork/sqldb"
)

// Metrics counts requests and their latency by route and writes them, with the database
// pool's state, in the Prometheus text format.
type Metrics struct {
	db      *sqldb.DB
	mu      sync.Mutex
	byRoute map[routeKey]*routeStats
	started time.Time
}

type routeKey struct {
	method, route string
}

type routeStats struct {
	byCode  map[int]uint64
	buckets []uint64 // counts per latencyBuckets bound (cumulative when written)
	count   uint64
	sum     float64
}

// latencyBuckets are the histogram's upper bounds in seconds.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// NewMetrics returns an empty set of metrics for db.
func NewMetrics(db *sqldb.DB) *Metrics {
	return &Metrics{db: db, byRoute: map[routeKey]*routeStats{}, started: time.Now()}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Middleware observes each request: its route pattern (not its path, so that IDs do not
// multiply the series), status and duration, and logs it.
func (m *Metrics) Middleware(rt *authz.Router, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		_, pattern := rt.Handler(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		if _, route, ok := strings.Cut(pattern, " "); ok {
			pattern = route
		}
		m.observe(r.Method, pattern, rec.status, elapsed)
		logger.Info("request", "method", r.Method, "route", pattern, "status", rec.status,
			"ms", float64(elapsed.Microseconds())/1000, "request_id", w.Header().Get("X-Request-ID"))
	})
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := routeKey{method, route}
	s, ok := m.byRoute[k]
	if !ok {
		s = &routeStats{byCode: map[int]uint64{}, buckets: make([]uint64, len(latencyBuckets))}
		m.byRoute[k] = s
	}
	s.byCode[status]++
	s.count++
	sec := d.Seconds()
	s.sum += sec
	for i, b := range latencyBuckets {
		if sec <= b {
			s.buckets[i]++
			break
		}
	}
}

// ServeHTTP writes the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	m.mu.Lock()
	keys := make([]routeKey, 0, len(m.byRoute))
	for k := range m.byRoute {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].method < keys[j].method
	})
	b.WriteString("# HELP linkwork_http_requests_total HTTP requests served, by route and status.\n")
	b.WriteString("# TYPE linkwork_http_requests_total counter\n")
	for _, k := range keys {
		s := m.byRoute[k]
		codes := make([]int, 0, len(s.byCode))
		for c := range s.byCode {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			fmt.Fprintf(&b, "linkwork_http_requests_total{method=%q,route=%q,code=\"%d\"} %d\n", k.method, k.route, c, s.byCode[c])
		}
	}
	b.WriteString("# HELP linkwork_http_request_duration_seconds Time to serve HTTP requests, by route.\n")
	b.WriteString("# TYPE linkwork_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		s := m.byRoute[k]
		var cum uint64
		for i, bound := range latencyBuckets {
			cum += s.buckets[i]
			fmt.Fprintf(&b, "linkwork_http_request_duration_seconds_bucket{method=%q,route=%q,le=\"%g\"} %d\n", k.method, k.route, bound, cum)
		}
		fmt.Fprintf(&b, "linkwork_http_request_duration_seconds_bucket{method=%q,route=%q,le=\"+Inf\"} %d\n", k.method, k.route, s.count)
		fmt.Fprintf(&b, "linkwork_http_request_duration_seconds_sum{method=%q,route=%q} %g\n", k.method, k.route, s.sum)
		fmt.Fprintf(&b, "linkwork_http_request_duration_seconds_count{method=%q,route=%q} %d\n", k.method, k.route, s.count)
	}
	m.mu.Unlock()

	st := m.db.Stats()
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
	}
	counter := func(name, help string, v float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %g\n", name, help, name, name, v)
	}
	gauge("linkwork_db_open_connections", "Database connections open.", float64(st.OpenConnections))
	gauge("linkwork_db_in_use_connections", "Database connections in use.", float64(st.InUse))
	gauge("linkwork_db_idle_connections", "Database connections idle.", float64(st.Idle))
	gauge("linkwork_db_max_open_connections", "Most database connections allowed.", float64(st.MaxOpenConnections))
	counter("linkwork_db_wait_count_total", "Times a request waited for a database connection.", float64(st.WaitCount))
	counter("linkwork_db_wait_seconds_total", "Time spent waiting for database connections.", st.WaitDuration.Seconds())
	gauge("linkwork_uptime_seconds", "Seconds since this process started serving.", time.Since(m.started).Seconds())

	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(b.String()))
}
