// Command benchreport is `make bench`: it load-tests linkwork on a generated place, on SQLite
// and on PostgreSQL, with a real load generator (wrk) on loopback, measures each endpoint's
// floors (its main statements run alone in the database engine, and a minimal net/http
// handler), runs the Go benchmarks of the hot paths briefly, and writes the table into
// docs/performance.md between <!-- bench:begin --> and <!-- bench:end -->.
//
// Settings, from the environment (the Makefile passes SCALE):
//
//	SCALE=place            the data set: place (the default), region or national (see below)
//	BENCH_DB=sqlite        one database only: sqlite or postgres (default both)
//	BENCH_SQLITE=sqlite:FILE, BENCH_POSTGRES=postgres://…
//	                       an existing data set made by `linkwork generate` (with people), used in
//	                       place instead of a generated and kept one: the load test adds users,
//	                       tokens and referrals to it, and aggregates its measures if they are stale
//	BENCH_DURATION=10s     each measured run (one at one connection, one at many)
//	BENCH_CONNECTIONS=16   connections for the throughput run
//	BENCH_GO=off           leave out the Go benchmarks
//	BENCH_WRITE=off        print the report instead of writing it into docs/performance.md
//	BENCH_PGADMIN=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//	                       the PostgreSQL server for kept data sets (default LINKWORK_TEST_POSTGRES)
//	BENCH_LINKWORK=bin/linkwork
//	                       the linkwork binary to load-test
//
// Kept data sets are made once per scale, seed and day: a SQLite file in
// ~/.cache/linkwork-bench/ and a PostgreSQL database, both named lwbench_SCALE_seedN_DAY_vV.
// Each run works on a copy, so that runs do not change them.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the engine floors
	_ "modernc.org/sqlite"             // the "sqlite" driver
)

// config is what a run does.
type config struct {
	root         string // the repository, where wrk's scripts and the Go packages are
	linkwork     string // the linkwork binary (make bench builds it first)
	scale        string
	seed         uint64
	today        string // the day the generated data is as of
	databases    []string
	given        map[string]string // BENCH_SQLITE, BENCH_POSTGRES
	adminURL     string
	duration     time.Duration
	warmUp       time.Duration
	connections  int
	goBenchmarks bool
	write        bool
	doc          string
}

// scaleServices is the number of services of each scale, as `linkwork generate` makes them.
var scaleServices = map[string]int{"place": 2_000, "region": 20_000, "national": 100_000}

// bench is one run.
type bench struct {
	cfg config
	tmp string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := readConfig(os.Getenv)
	if err == nil {
		err = run(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// readConfig reads the settings from the environment and checks them.
func readConfig(getenv func(string) string) (config, error) {
	or := func(key, fallback string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return fallback
	}
	root, err := os.Getwd()
	if err != nil {
		return config{}, err
	}
	// The server the tests use, unless they are told not to use one.
	admin := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	if u := getenv("LINKWORK_TEST_POSTGRES"); u != "" && u != "off" {
		admin = u
	}
	cfg := config{root: root, linkwork: or("BENCH_LINKWORK", filepath.Join(root, "bin", "linkwork")), scale: or("SCALE", "place"),
		seed: 1, today: "2026-11-20", given: map[string]string{}, warmUp: 2 * time.Second,
		adminURL:     or("BENCH_PGADMIN", admin),
		goBenchmarks: getenv("BENCH_GO") != "off", write: getenv("BENCH_WRITE") != "off",
		doc: filepath.Join(root, "docs", "performance.md")}
	if _, ok := scaleServices[cfg.scale]; !ok {
		return cfg, fmt.Errorf("SCALE=%q: choose place, region or national", cfg.scale)
	}
	switch db := getenv("BENCH_DB"); db {
	case "":
		cfg.databases = []string{"sqlite", "postgres"}
	case "sqlite", "postgres":
		cfg.databases = []string{db}
	default:
		return cfg, fmt.Errorf("BENCH_DB=%q: choose sqlite or postgres, or leave it out for both", db)
	}
	if u := getenv("BENCH_SQLITE"); u != "" {
		if !strings.HasPrefix(u, "sqlite:") {
			return cfg, errors.New("BENCH_SQLITE must be a linkwork SQLite URL, sqlite:PATH")
		}
		cfg.given["sqlite"] = u
	}
	if u := getenv("BENCH_POSTGRES"); u != "" {
		if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
			return cfg, errors.New("BENCH_POSTGRES must be a PostgreSQL URL, postgres://USER@HOST:PORT/DATABASE")
		}
		cfg.given["postgres"] = u
	}
	if cfg.duration, err = time.ParseDuration(or("BENCH_DURATION", "10s")); err != nil || cfg.duration < time.Second {
		return cfg, fmt.Errorf("BENCH_DURATION=%q: give a duration of a second or more, such as 10s", getenv("BENCH_DURATION"))
	}
	if cfg.connections, err = strconv.Atoi(or("BENCH_CONNECTIONS", "16")); err != nil || cfg.connections < 2 {
		return cfg, fmt.Errorf("BENCH_CONNECTIONS=%q: give a whole number of 2 or more", getenv("BENCH_CONNECTIONS"))
	}
	return cfg, nil
}

// run does the whole benchmark and writes the report.
func run(ctx context.Context, cfg config) error {
	if err := checkTools(ctx, cfg); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "linkwork-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b := &bench{cfg: cfg, tmp: tmp}
	started := time.Now()
	rep := &report{Date: started.Format(time.DateOnly), Scale: cfg.scale, Command: b.command(), Connections: cfg.connections,
		LoadBefore: loadAverage(), Settings: fmt.Sprintf("wrk %s; each endpoint %v at 1 connection, then %v at %d connections on 2 threads, after a %v warm-up",
			wrkVersion(ctx), cfg.duration, cfg.duration, cfg.connections, cfg.warmUp)}

	// The data sets, made (or found) first, so that the Go benchmarks of the dashboards can
	// read them.
	sets := map[string]dataset{}
	for _, d := range cfg.databases {
		ds, err := b.dataset(ctx, d)
		if err != nil {
			return fmt.Errorf("%s data set: %w", d, err)
		}
		sets[d] = ds
	}
	rep.DataSet = b.describeData()
	rep.Machine = machine(ctx, cfg, sets)

	if cfg.goBenchmarks {
		for _, g := range goBenches(scaleServices[cfg.scale], sets) {
			b.logf("go benchmarks: %s", g.command())
			res, err := g.run(ctx, cfg.root, 20*time.Minute)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				// Reported, not fatal: the load test is worth having without them.
				b.logf("%v", err)
				rep.GoFailures = append(rep.GoFailures, fmt.Sprintf("`%s` failed: %s", g.command(), firstLines(err.Error(), 3)))
				continue
			}
			rep.GoCommands = append(rep.GoCommands, g.command())
			rep.GoResults = append(rep.GoResults, res...)
		}
	}

	b.logf("net/http floor")
	if rep.HTTPFloor, err = b.measureHTTPFloor(ctx); err != nil {
		return err
	}
	for _, d := range cfg.databases {
		rows, mem, err := b.loadTest(ctx, sets[d])
		if err != nil {
			return fmt.Errorf("%s: %w", databaseLabel(d), err)
		}
		rep.Rows = append(rep.Rows, rows...)
		rep.Memory = append(rep.Memory, mem)
	}
	rep.LoadAfter = loadAverage()
	rep.Notes = append(failureNotes(rep.Rows), targetNotes(rep.Rows)...)
	b.logf("done in %v", time.Since(started).Round(time.Second))

	if !cfg.write {
		fmt.Println(rep.markdown())
		return nil
	}
	if err := writeReport(cfg.doc, rep); err != nil {
		return err
	}
	fmt.Println(rep.markdown())
	b.logf("wrote the table into %s", cfg.doc)
	return nil
}

// checkTools fails, saying how to install it, when wrk or PostgreSQL is missing.
func checkTools(ctx context.Context, cfg config) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk, the load generator, is not installed: on Debian or Ubuntu, sudo apt-get install wrk " +
			"(elsewhere, build it from https://github.com/wg/wrk)")
	}
	if _, err := os.Stat(cfg.linkwork); err != nil {
		return fmt.Errorf("no linkwork binary at %s: run make build first (make bench does)", cfg.linkwork)
	}
	for _, d := range cfg.databases {
		if d != "postgres" {
			continue
		}
		u := cfg.adminURL
		if g, ok := cfg.given["postgres"]; ok {
			u = g
		}
		r, err := openRaw(dataset{dialect: "postgres", url: u})
		if err == nil {
			pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = r.PingContext(pingCtx)
			cancel()
			r.Close()
		}
		if err != nil {
			return fmt.Errorf("PostgreSQL does not answer at %s (%v): start it (make postgres starts the local cluster; "+
				"sudo apt-get install postgresql installs it), name another with BENCH_PGADMIN, or run BENCH_DB=sqlite make bench", redactURL(u), err)
		}
	}
	return nil
}

// dataset returns the data set to benchmark on a database: the one given, or the kept one.
func (b *bench) dataset(ctx context.Context, dialect string) (dataset, error) {
	if u, ok := b.cfg.given[dialect]; ok {
		b.logf("%s data set: %s (given; preparing it)", databaseLabel(dialect), redactURL(u))
		if err := b.prepare(ctx, u); err != nil {
			return dataset{}, err
		}
		return dataset{dialect: dialect, url: u, given: true}, nil
	}
	if dialect == "sqlite" {
		return b.keptSQLite(ctx)
	}
	return b.keptPostgres(ctx)
}

// loadTest starts linkwork on a copy of the data set, measures every endpoint and its engine
// floor, and returns the rows and a line on the server's memory.
func (b *bench) loadTest(ctx context.Context, ds dataset) ([]loadRow, string, error) {
	label := databaseLabel(ds.dialect)
	work, remove, err := b.workingCopy(ctx, ds)
	if err != nil {
		return nil, "", err
	}
	defer remove()
	raw, err := openRaw(work)
	if err != nil {
		return nil, "", err
	}
	defer raw.Close()
	p, err := readBenchPlace(ctx, raw)
	if err != nil {
		return nil, "", err
	}
	searchToken, referralToken, err := b.makeTokens(ctx, work.url, p.placeID)
	if err != nil {
		return nil, "", err
	}
	srv, err := b.startServer(ctx, work)
	if err != nil {
		return nil, "", err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	atStart, _ := readMemory(pid)
	sess, err := signInAll(srv, p)
	if err != nil {
		return nil, "", err
	}
	eps, err := buildEndpoints(ctx, srv, raw, p, sess, searchToken)
	if err != nil {
		return nil, "", err
	}
	var rows []loadRow
	for _, e := range eps {
		b.logf("%s: %s", label, e.name)
		row, err := b.measure(ctx, srv, e, p, referralToken)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", e.name, err)
		}
		row.Database = label
		rows = append(rows, row)
	}
	// Idle for a moment after the load, then the memory at rest and the peak.
	time.Sleep(3 * time.Second)
	after, err := readMemory(pid)
	if err != nil {
		return nil, "", err
	}
	srv.stop()
	mem := fmt.Sprintf("%s server memory: %s resident after start and sign-in, %s three seconds after the last run, %s at its peak (VmHWM).",
		label, mb(atStart.RSS), mb(after.RSS), mb(after.HWM))

	// The engine floors, with the server stopped, so that they have the machine to
	// themselves as the endpoints had it with their load generator.
	for i, e := range eps {
		b.logf("%s: engine floor of %s", label, e.name)
		runs := 200
		if e.floor.write != nil {
			runs = 100
		}
		median, _, err := e.floor.median(ctx, raw, runs, 5*time.Second)
		if err != nil {
			return nil, "", fmt.Errorf("engine floor of %s: %w", e.name, err)
		}
		rows[i].EngineFloor, rows[i].FloorWhat = median, e.floor.what
	}
	return rows, mem, nil
}

// measure warms an endpoint up, then runs wrk at one connection and at many, sampling the
// server's memory.
func (b *bench) measure(ctx context.Context, srv *server, e endpoint, p *benchPlace, referralToken string) (loadRow, error) {
	base := wrkRun{url: srv.base, env: []string{"BENCH_EXPECT=200"}}
	if e.header != "" {
		base.headers = []string{e.header}
	}
	if e.referral {
		base.script = filepath.Join(b.cfg.root, "scripts", "bench-referral.lua")
		var ids []string
		for _, id := range p.referralNeedIDs {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		base.env = []string{"BENCH_EXPECT=201", "LINKWORK_TOKEN=" + referralToken, "LINKWORK_NEED_IDS=" + strings.Join(ids, ",")}
	} else {
		base.script = filepath.Join(b.cfg.root, "scripts", "bench-get.lua")
		file := filepath.Join(b.tmp, "paths.txt")
		if err := os.WriteFile(file, []byte(strings.Join(e.paths, "\n")+"\n"), 0o644); err != nil {
			return loadRow{}, err
		}
		base.env = append(base.env, "BENCH_PATHS="+file)
		for _, path := range e.paths {
			if err := srv.probe("GET", path, e.header, "", 200); err != nil {
				return loadRow{}, err
			}
			if !e.warmEveryPath {
				break
			}
		}
	}
	warm := base
	warm.threads, warm.connections, warm.duration = 1, 2, b.cfg.warmUp
	s, _, err := warm.run(ctx, b.cfg.root)
	if err != nil {
		return loadRow{}, err
	}
	if s.Unexpected > 0 {
		return loadRow{}, fmt.Errorf("the warm-up got %d answers other than the one expected, the first: %s", s.Unexpected, s.FirstUnexpected)
	}
	row := loadRow{Endpoint: e.name, Load: loadAverage1(), Connections: b.cfg.connections}
	sampler := sampleRSS(srv.cmd.Process.Pid)
	one := base
	one.threads, one.connections, one.duration = 1, 1, b.cfg.duration
	if row.One, _, err = one.run(ctx, b.cfg.root); err != nil {
		sampler.Stop()
		return loadRow{}, err
	}
	many := base
	many.threads, many.connections, many.duration = 2, b.cfg.connections, b.cfg.duration
	if row.Many, _, err = many.run(ctx, b.cfg.root); err != nil {
		sampler.Stop()
		return loadRow{}, err
	}
	row.RSSPeak = sampler.Stop()
	return row, nil
}

// measureHTTPFloor measures the minimal net/http handler as the endpoints are measured.
func (b *bench) measureHTTPFloor(ctx context.Context) (loadRow, error) {
	base, stop, err := startHTTPFloor()
	if err != nil {
		return loadRow{}, err
	}
	defer stop()
	file := filepath.Join(b.tmp, "floor-paths.txt")
	if err := os.WriteFile(file, []byte("/\n"), 0o644); err != nil {
		return loadRow{}, err
	}
	w := wrkRun{url: base, script: filepath.Join(b.cfg.root, "scripts", "bench-get.lua"), env: []string{"BENCH_EXPECT=200", "BENCH_PATHS=" + file}}
	row := loadRow{Endpoint: "net/http floor", Load: loadAverage1(), Connections: b.cfg.connections}
	w.threads, w.connections, w.duration = 1, 2, b.cfg.warmUp
	if _, _, err := w.run(ctx, b.cfg.root); err != nil {
		return loadRow{}, err
	}
	w.threads, w.connections, w.duration = 1, 1, b.cfg.duration
	if row.One, _, err = w.run(ctx, b.cfg.root); err != nil {
		return loadRow{}, err
	}
	w.threads, w.connections = 2, b.cfg.connections
	if row.Many, _, err = w.run(ctx, b.cfg.root); err != nil {
		return loadRow{}, err
	}
	return row, nil
}

// command is how this run was asked for, for the report.
func (b *bench) command() string {
	var env []string
	if len(b.cfg.databases) == 1 {
		env = append(env, "BENCH_DB="+b.cfg.databases[0])
	}
	for _, d := range []string{"sqlite", "postgres"} {
		if u, ok := b.cfg.given[d]; ok {
			env = append(env, "BENCH_"+strings.ToUpper(d)+"="+redactURL(u))
		}
	}
	if b.cfg.duration != 10*time.Second {
		env = append(env, "BENCH_DURATION="+b.cfg.duration.String())
	}
	if b.cfg.connections != 16 {
		env = append(env, "BENCH_CONNECTIONS="+strconv.Itoa(b.cfg.connections))
	}
	return strings.Join(append(env, "make bench SCALE="+b.cfg.scale), " ")
}

// describeData says what the data sets are.
func (b *bench) describeData() string {
	s := fmt.Sprintf("`linkwork generate --scale %s --seed %d --today %s`", b.cfg.scale, b.cfg.seed, b.cfg.today)
	for _, d := range []string{"sqlite", "postgres"} {
		if _, ok := b.cfg.given[d]; ok {
			s += "; " + databaseLabel(d) + ": a data set given with BENCH_" + strings.ToUpper(d)
		}
	}
	return s
}

// firstLines is the first n lines of a text, on one line.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " ")
}

// logf reports progress on standard error.
func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// databaseLabel names a dialect for people.
func databaseLabel(dialect string) string {
	if dialect == "postgres" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// loadAverage is /proc/loadavg's three averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

// loadAverage1 is the 1-minute load average.
func loadAverage1() float64 {
	v, _ := strconv.ParseFloat(strings.Split(loadAverage(), ",")[0], 64)
	return v
}

// wrkVersion is wrk's version, as `wrk -v` prints it.
func wrkVersion(ctx context.Context) string {
	out, _ := exec.CommandContext(ctx, "wrk", "-v").CombinedOutput()
	f := strings.Fields(string(out))
	if len(f) >= 2 && f[0] == "wrk" {
		return f[1]
	}
	return "(version unknown)"
}

// machine describes the machine: cores, processor, memory, kernel, Go and the databases.
func machine(ctx context.Context, cfg config, sets map[string]dataset) string {
	cpu := "unknown processor"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	memory := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					memory = fmt.Sprintf(", %d GB", (kb+512*1024)/(1024*1024))
				}
			}
		}
	}
	kernel := ""
	if out, err := exec.CommandContext(ctx, "uname", "-sr").Output(); err == nil {
		kernel = ", " + strings.TrimSpace(string(out))
	}
	s := fmt.Sprintf("Machine: %d cores (%s)%s%s, %s", runtime.NumCPU(), cpu, memory, kernel, runtime.Version())
	if ds, ok := sets["postgres"]; ok {
		if r, err := openRaw(ds); err == nil {
			var v string
			if r.QueryRowContext(ctx, "SHOW server_version").Scan(&v) == nil {
				s += ", PostgreSQL " + strings.Fields(v)[0] + " on the same machine"
			}
			r.Close()
		}
	}
	if ds, ok := sets["sqlite"]; ok {
		if r, err := openRaw(ds); err == nil {
			var v string
			if r.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v) == nil {
				s += ", SQLite " + v + " (modernc.org/sqlite)"
			}
			r.Close()
		}
	}
	return s
}
