package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"strings"
	"time"

	"linkwork"
	"linkwork/geoimport"
	"linkwork/measurejob"
	"linkwork/notify"
	"linkwork/oruk"
	"linkwork/retention"
	"linkwork/server"
	"linkwork/sqldb"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

// DefaultDB is the database linkwork uses when neither --db nor LINKWORK_DB names one.
const DefaultDB = "sqlite:linkwork.db"

var errHelp = errors.New("help shown")

// Main is the program: ParseFlags reads the command line, Run does the work (for serve,
// starts the server and returns), Close stops everything cleanly.
type Main struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	command string
	args    []string
	dbURL   string

	// serve
	addr, baseURL string
	secure        bool
	logFormat     string
	shutdownWait  time.Duration
	orukCacheMB   int
	readReplica   string
	smtp          smtpFlags

	gen generateFlags

	// subcommand flags
	name, place, org, sector, email, role string
	passwordStdin                         bool

	// import
	file         string
	allOrNothing bool
	out          string // export

	// backup and restore
	backupTo, restoreFrom string
	force                 bool

	db       *sqldb.DB
	httpSrv  *http.Server
	listener net.Listener
	served   chan error
	logger   *slog.Logger
	notifier *notifier
	eraser   *eraser
	// retentionEvery is how often closed cases past their retention period are erased.
	retentionEvery time.Duration
	// measuresEvery is how often the measures of places changed are aggregated.
	measuresEvery time.Duration
	measures      *measures
	landscape     *landscapeRefresher
	activity      activityFlags
}

// NewMain returns a program that reads and writes the given streams.
func NewMain(stdin io.Reader, stdout, stderr io.Writer) *Main {
	return &Main{stdin: stdin, stdout: stdout, stderr: stderr}
}

const usage = `linkwork: one shared system for a place's link workers, connectors and community groups.

Usage: linkwork COMMAND [flags]

Commands:
  serve           run the web server (applies migrations first)
  migrate         apply database migrations and exit
  demo            load a demonstration place with a user for every role
  place add       add a place:           --name P
  org add         add an organisation:   --place P --name O --sector S
  user add        add a user:            --email E --role R --org O [--place P] [--name N] --password-stdin
  user password   set a user's password: --email E --password-stdin
  token create    make an API token:     --email E --name N (prints the token)
  generate        make a generated place for benchmarks: --scale place|region|national [--seed N] [--people N --referrals N --contacts N --questionnaires N] [--today YYYY-MM-DD]
  import postcodes load postcodes:       FILE [--all-or-nothing] (ONS NSPL or ONSPD CSV, or .csv.gz)
  import imd      load deprivation:      FILE [--all-or-nothing] (English IMD File 1 CSV, or .csv.gz)
  import oruk     load a directory:      FILE [--place P] [--all-or-nothing] (Open Referral UK / HSDS JSON,
                                         or an HSDS CSV data package: a folder or .zip)
  import scoping  load a scoping sheet:  FILE [--place P] [--all-or-nothing] (organisations and schemes, .xlsx or .csv)
  import activity load activity data:    FILE [--place P] [--all-or-nothing] (GP appointments and admissions a
                                         person and month, CSV keyed by NHS number or the place's key)
  activity-key    set the key of activity files: --kind nhs_number|hmac_sha256 [--place P] [--secret-stdin]
  export oruk     write the directory:   [--place P] [--out FILE] (Open Referral UK JSON)
  export scoping  write a scoping sheet: [--place P] [--out FILE] (.xlsx, or CSV)
  backup          copy a SQLite database while it runs: --to FILE (PostgreSQL: pg_dump, see docs/operations.md)
  restore         put a SQLite backup back: --from FILE [--force] (stop linkwork first)
  version         print the version

Every command takes --db URL (or the LINKWORK_DB environment variable):
sqlite:PATH (default sqlite:linkwork.db) or postgres://USER@HOST:PORT/DATABASE.
Run "linkwork COMMAND -h" for a command's flags.
`

// commands maps each command to the flags it takes.
var commands = map[string]func(m *Main, fs *flag.FlagSet){
	"serve": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.addr, "addr", envOr("LINKWORK_ADDR", "127.0.0.1:8080"), "address to listen on (LINKWORK_ADDR)")
		fs.StringVar(&m.baseURL, "base-url", os.Getenv("LINKWORK_BASE_URL"), "address people reach linkwork at, for links (LINKWORK_BASE_URL; default http://ADDR)")
		fs.BoolVar(&m.secure, "secure-cookies", os.Getenv("LINKWORK_SECURE_COOKIES") == "true", "mark cookies Secure: set when served over HTTPS (LINKWORK_SECURE_COOKIES=true)")
		fs.StringVar(&m.logFormat, "log-format", envOr("LINKWORK_LOG_FORMAT", "text"), "log format: text or json (LINKWORK_LOG_FORMAT)")
		fs.DurationVar(&m.shutdownWait, "shutdown-wait", 30*time.Second, "how long to let requests in progress finish on shutdown")
		fs.DurationVar(&m.retentionEvery, "retention-every", retention.DefaultInterval, "how often to erase closed cases past their place's retention period")
		fs.DurationVar(&m.measuresEvery, "measures-every", measurejob.DefaultInterval, "how often to bring the measures of places whose records changed up to date")
		fs.StringVar(&m.readReplica, "read-replica", os.Getenv("LINKWORK_READ_REPLICA"), "postgres:// URL of a hot standby for reporting reads (LINKWORK_READ_REPLICA; see docs/operations.md)")
		fs.IntVar(&m.orukCacheMB, "oruk-cache-mb", oruk.DefaultCacheBytes>>20, "memory for kept Open Referral UK API responses, in MiB; 0 keeps none")
		defineSMTPFlags(m, fs)
	},
	"migrate": func(*Main, *flag.FlagSet) {},
	"demo":    func(*Main, *flag.FlagSet) {},
	"version": func(*Main, *flag.FlagSet) {},
	"place add": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.name, "name", "", "the place's name, such as Calderdale")
	},
	"org add": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.place, "place", "", "the place's name")
		fs.StringVar(&m.name, "name", "", "the organisation's name")
		fs.StringVar(&m.sector, "sector", "", "sector: "+linkwork.SectorIdentifiers())
	},
	"user add": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.email, "email", "", "the user's email address")
		fs.StringVar(&m.name, "name", "", "the user's full name (default: from the email address)")
		fs.StringVar(&m.role, "role", "", "role: "+linkwork.RoleIdentifiers())
		fs.StringVar(&m.org, "org", "", "the organisation's name")
		fs.StringVar(&m.place, "place", "", "the place's name, if the organisation's name is in several places")
		fs.BoolVar(&m.passwordStdin, "password-stdin", false, "read the password from standard input")
	},
	"user password": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.email, "email", "", "the user's email address")
		fs.BoolVar(&m.passwordStdin, "password-stdin", false, "read the password from standard input")
	},
	"generate": defineGenerate,
	"token create": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.email, "email", "", "the user's email address")
		fs.StringVar(&m.name, "name", "", "what the token is for")
		fs.StringVar(&m.place, "place", "", "the place the token works in (default: the user's first)")
	},
	"import postcodes": func(m *Main, fs *flag.FlagSet) {
		fs.BoolVar(&m.allOrNothing, "all-or-nothing", false, "import nothing if any row is bad (default: keep the good rows)")
	},
	"import imd": func(m *Main, fs *flag.FlagSet) {
		fs.BoolVar(&m.allOrNothing, "all-or-nothing", false, "import nothing if any row is bad (default: keep the good rows)")
	},
	"backup": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.backupTo, "to", "", "the file to write the backup to (must not exist)")
	},
	"restore": func(m *Main, fs *flag.FlagSet) {
		fs.StringVar(&m.restoreFrom, "from", "", "the backup file to put back")
		fs.BoolVar(&m.force, "force", false, "replace an existing database")
	},
	"import oruk":    orukImportFlags,
	"export oruk":    orukExportFlags,
	"import scoping": scopingImportFlags,
	"export scoping": scopingExportFlags,

	// Health service use data for the measures (activity.go).
	"import activity": activityImportFlags,
	"activity-key":    activityKeyFlags,
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// ParseFlags reads the command and its flags.
func (m *Main) ParseFlags(args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(m.stdout, usage)
		if len(args) == 0 {
			return errors.New("no command given: run linkwork help")
		}
		return errHelp
	}
	cmd, rest := args[0], args[1:]
	if _, ok := commands[cmd]; !ok && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	define, ok := commands[cmd]
	if !ok {
		return fmt.Errorf("unknown command %q: run linkwork help to see the commands", cmd)
	}
	fs := flag.NewFlagSet("linkwork "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&m.dbURL, "db", envOr("LINKWORK_DB", DefaultDB), "database URL: sqlite:PATH or postgres://… (LINKWORK_DB)")
	define(m, fs)
	// A command that takes a FILE takes it before, after or among its flags.
	var operands []string
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(m.stdout)
				fmt.Fprintf(m.stdout, "Usage of linkwork %s%s:\n", cmd, fileOperands[cmd])
				fs.PrintDefaults()
				return errHelp
			}
			return fmt.Errorf("%s: %v (run linkwork %s -h for its flags)", cmd, err, cmd)
		}
		if fs.NArg() == 0 || fileOperands[cmd] == "" {
			break
		}
		operands, rest = append(operands, fs.Arg(0)), fs.Args()[1:]
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (run linkwork %s -h for its flags)", cmd, fs.Arg(0), cmd)
	}
	if fileOperands[cmd] != "" {
		if len(operands) != 1 {
			return fmt.Errorf("%s: give one file to import, as in linkwork %s%s", cmd, cmd, fileOperands[cmd])
		}
		m.file = operands[0]
	}
	if m.logFormat != "" && m.logFormat != "text" && m.logFormat != "json" {
		return fmt.Errorf("serve: --log-format must be text or json, not %q", m.logFormat)
	}
	m.command, m.args = cmd, rest
	return nil
}

// Serving reports whether Run started the server.
func (m *Main) Serving() bool { return m.httpSrv != nil }

// Addr returns the address the server listens on, once Run has started it.
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// Run does the command.
func (m *Main) Run(ctx context.Context) error {
	if m.command == "version" {
		fmt.Fprintln(m.stdout, "linkwork", Version)
		return nil
	}
	if m.command == "restore" {
		// The database being replaced is not opened: it may be damaged, and opening it
		// would migrate it.
		if m.restoreFrom == "" {
			return errors.New("restore: --from FILE is required: the backup to put back")
		}
		if err := sqldb.Restore(ctx, m.restoreFrom, m.dbURL, m.force); err != nil {
			return err
		}
		fmt.Fprintf(m.stdout, "Restored %s to %s.\n", m.restoreFrom, m.dbURL)
		return nil
	}
	var err error
	m.db, err = sqldb.Open(ctx, m.dbURL)
	if err != nil {
		return err
	}
	// The CLI acts as the operating-system user who runs it, for the audit trail.
	who := "cli:unknown"
	if u, err := user.Current(); err == nil {
		who = "cli:" + u.Username
	}
	ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: who})
	applied, err := m.db.Migrate(ctx)
	if err != nil {
		return err
	}
	// Places made before a newer linkwork built in more taxonomy terms get them now.
	if err := m.ensureTaxonomies(ctx); err != nil {
		return err
	}
	switch m.command {
	case "migrate":
		v, err := m.db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintf(m.stdout, "The database is up to date (schema version %d).\n", v)
		} else {
			fmt.Fprintf(m.stdout, "Applied %d migration(s); the database is at schema version %d.\n", len(applied), v)
		}
		return nil
	case "serve":
		return m.serve(ctx)
	case "demo":
		return m.demo(ctx)
	case "place add":
		return m.placeAdd(ctx)
	case "org add":
		return m.orgAdd(ctx)
	case "user add":
		return m.userAdd(ctx)
	case "user password":
		return m.userPassword(ctx)
	case "token create":
		return m.tokenCreate(ctx)
	case "generate":
		return m.generate(ctx)
	case "import postcodes":
		return m.importFile(ctx, geoimport.ImportPostcodes)
	case "import imd":
		return m.importFile(ctx, geoimport.ImportIMD)
	case "import oruk":
		return m.orukImport(ctx)
	case "export oruk":
		return m.orukExport(ctx)
	case "import activity":
		return m.activityImport(ctx)
	case "activity-key":
		return m.activityKey(ctx)
	case "import scoping":
		return m.scopingImport(ctx)
	case "export scoping":
		return m.scopingExport(ctx)
	case "backup":
		if err := m.db.Backup(ctx, m.backupTo); err != nil {
			return err
		}
		fmt.Fprintf(m.stdout, "Backed up the database to %s.\n", m.backupTo)
		return nil
	}
	return fmt.Errorf("unknown command %q", m.command)
}

// Close stops the server, letting requests in progress finish, and closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.shutdownWait)
		defer cancel()
		if err := m.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.httpSrv = nil
	}
	// The notifications worker stops after the server, since the last requests may have
	// queued notifications, and before the database closes under it.
	m.stopNotifier()
	m.stopRetention()
	m.stopMeasures()
	m.stopLandscapeRefresher()
	if m.db != nil {
		errs = append(errs, m.db.Close())
		m.db = nil
	}
	return errors.Join(errs...)
}

func (m *Main) serve(ctx context.Context) error {
	var h slog.Handler = slog.NewTextHandler(m.stderr, nil)
	if m.logFormat == "json" {
		h = slog.NewJSONHandler(m.stderr, nil)
	}
	m.logger = slog.New(h)
	// A mail server that is configured wrongly stops linkwork before it listens, rather
	// than leaving notifications to fail one by one.
	sender, err := m.smtp.sender()
	if err != nil {
		return err
	}
	if m.readReplica != "" {
		if err := m.db.UseReadReplica(ctx, m.readReplica); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v (is another program using it? choose another with --addr)", m.addr, err)
	}
	m.listener = ln
	base := strings.TrimRight(m.baseURL, "/")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	svc := m.db.Services()
	// The worker is woken by every referral change, so that its notifications go out at
	// once; it starts once the server is listening.
	worker := notify.New(notify.Config{Notifications: svc.Notifications, Sender: sender, Logger: m.logger})
	svc.Referrals = notify.WakingReferrals(svc.Referrals, worker.Wake)
	srv, err := server.New(server.Config{DB: m.db, Services: svc, Logger: m.logger, BaseURL: base,
		SecureCookies: m.secure, Version: Version, ORUKCacheBytes: orukCacheBytes(m.orukCacheMB)})
	if err != nil {
		ln.Close()
		return err
	}
	m.httpSrv = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(h, slog.LevelWarn)}
	m.served = make(chan error, 1)
	go func() { m.served <- m.httpSrv.Serve(ln) }()

	fmt.Fprintf(m.stdout, "linkwork %s is running at %s (database: %s)\n", Version, base, m.db.Dialect())
	m.startNotifier(ctx, worker, sender)
	m.startRetention(ctx, svc, m.retentionEvery)
	m.startMeasures(ctx, svc, m.measuresEvery)
	m.startLandscapeRefresher(ctx, svc)
	n, err := svc.Users.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		secret, err := svc.Links.CreateSetupLink(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.stdout, "\nFirst run: open this link to create the first administrator (it works once, for 24 hours):\n\n  %s/setup?token=%s\n\n", base, secret)
		fmt.Fprintf(m.stdout, "Or, to look around with demonstration data, stop linkwork (Ctrl+C) and run \"make demo\" (or \"linkwork demo\", then start it again).\n")
	} else {
		fmt.Fprintf(m.stdout, "Sign in at %s/signin\n", base)
	}
	fmt.Fprintln(m.stdout, "Press Ctrl+C to stop.")
	return nil
}

// ensureTaxonomies gives every place the built-in taxonomies and terms it lacks.
func (m *Main) ensureTaxonomies(ctx context.Context) error {
	svc := m.db.Services()
	places, err := svc.Places.ListPlaces(ctx)
	if err != nil {
		return err
	}
	for _, p := range places {
		if err := svc.Taxonomies.EnsureDefaultTaxonomies(ctx, p.ID); err != nil {
			return fmt.Errorf("taxonomies of %s: %w", p.Name, err)
		}
	}
	return nil
}

// orukCacheBytes turns --oruk-cache-mb into oruk.Config.CacheBytes, where 0 means the default
// and a negative number none.
func orukCacheBytes(mb int) int {
	if mb <= 0 {
		return -1
	}
	return mb << 20
}
