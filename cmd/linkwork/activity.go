package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/activityimport"
	"linkwork/geoimport"
	"linkwork/measurejob"
)

func init() { fileOperands["import activity"] = " FILE" }

// activityFlags are the flags of linkwork activity-key.
type activityFlags struct {
	kind        string
	secretStdin bool
}

// activityImportFlags are the flags of linkwork import activity FILE.
func activityImportFlags(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.place, "place", "", "the place whose people the file is about, by name or id (default: the only place)")
	fs.BoolVar(&m.allOrNothing, "all-or-nothing", false,
		"import nothing if any row has a problem (default: import the good rows and report the others)")
}

// activityKeyFlags are the flags of linkwork activity-key.
func activityKeyFlags(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.place, "place", "", "the place, by name or id (default: the only place)")
	fs.StringVar(&m.activity.kind, "kind", "", "how the place's activity files name people: "+string(linkwork.ActivityKeyNHSNumber)+
		" (the NHS number) or "+string(linkwork.ActivityKeyHMAC)+" (the HMAC-SHA256 of the NHS number under a secret shared with the data provider)")
	fs.BoolVar(&m.activity.secretStdin, "secret-stdin", false, "read the secret of "+string(linkwork.ActivityKeyHMAC)+" from standard input")
}

// shownUnmatched is how many unmatched lines an import lists.
const shownUnmatched = 50

// activityImport reads a health service use file (CSV, or .csv.gz) into a place and
// reports what it did: every row it could not use with its line and reason, and the lines
// whose key matched nobody.
func (m *Main) activityImport(ctx context.Context) error {
	place, err := m.orukPlace(ctx)
	if err != nil {
		return err
	}
	f, err := geoimport.Open(m.file)
	if err != nil {
		return fmt.Errorf("%s: %v", m.command, err)
	}
	defer f.Close()
	start := time.Now()
	file, err := activityimport.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %s: %v", m.command, m.file, err)
	}
	if len(file.Ignored) > 0 {
		fmt.Fprintf(m.stdout, "Columns linkwork does not read, left alone: %s.\n", strings.Join(file.Ignored, ", "))
	}
	rep, err := m.db.Services().Measures.ImportActivity(ctx, place.ID, file.Rows, m.allOrNothing)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", m.command, m.file, err)
	}
	problems := activityimport.Merge(file.Problems, rep.Problems)
	bad := map[int]bool{}
	for i, p := range problems {
		bad[p.Line] = true
		if i == shownErrors {
			fmt.Fprintf(m.stdout, "… and %s.\n", geoimport.Count(len(problems)-shownErrors, "more problem", "more problems"))
			break
		}
		if i == 0 {
			fmt.Fprintln(m.stdout, "Rows with problems:")
		}
		field := p.Field
		if field == "" {
			field = "the row"
		}
		fmt.Fprintf(m.stdout, "  line %d, %s: %s\n", p.Line, field, p.Reason)
	}
	if n := len(rep.Unmatched); n > 0 {
		lines := make([]string, 0, min(n, shownUnmatched))
		for _, l := range rep.Unmatched[:min(n, shownUnmatched)] {
			lines = append(lines, strconv.Itoa(l))
		}
		more := ""
		if n > shownUnmatched {
			more = fmt.Sprintf(" and %d more", n-shownUnmatched)
		}
		fmt.Fprintf(m.stdout, "%s matched nobody with a case record in %s, so %s not imported (line %s%s).\n",
			geoimport.Count(n, "row's key", "rows' keys"), place.Name, map[bool]string{true: "it was", false: "they were"}[n == 1],
			strings.Join(lines, ", "), more)
	}
	badRows := geoimport.Count(len(bad), "row", "rows")
	if rep.NothingImported {
		fmt.Fprintf(m.stdout, "Nothing was imported into %s: %s had problems (--all-or-nothing).\n", place.Name, badRows)
		return fmt.Errorf("%s: %s: nothing imported, as %s had problems", m.command, m.file, badRows)
	}
	fmt.Fprintf(m.stdout, "Imported %s into %s: %s, %d stored, %d unchanged, %d unmatched, %s left out. Took %s.\n",
		filepath.Base(m.file), place.Name, geoimport.Count(rep.Rows, "row", "rows"), rep.Imported, rep.Unchanged, len(rep.Unmatched),
		badRows, time.Since(start).Round(time.Millisecond))
	return nil
}

// activityKey sets how a place's activity files name people.
func (m *Main) activityKey(ctx context.Context) error {
	place, err := m.orukPlace(ctx)
	if err != nil {
		return err
	}
	kind := linkwork.ActivityKeyKind(m.activity.kind)
	secret := ""
	switch kind {
	case linkwork.ActivityKeyHMAC:
		if !m.activity.secretStdin {
			return errors.New("activity-key: --secret-stdin is required with --kind " + string(kind) +
				": pipe the secret in, for example: printf '%s' \"$SECRET\" | linkwork activity-key …")
		}
		if secret, err = m.readLine("secret"); err != nil {
			return fmt.Errorf("activity-key: %v", err)
		}
	case linkwork.ActivityKeyNHSNumber:
		if m.activity.secretStdin {
			return errors.New("activity-key: files keyed by NHS number need no secret: leave out --secret-stdin")
		}
	default:
		return fmt.Errorf("activity-key: --kind must be %s or %s", linkwork.ActivityKeyNHSNumber, linkwork.ActivityKeyHMAC)
	}
	if err := m.db.Services().Measures.SetActivityKey(ctx, place.ID, kind, secret); err != nil {
		return fmt.Errorf("activity-key: %w", err)
	}
	if kind == linkwork.ActivityKeyHMAC {
		fmt.Fprintf(m.stdout, "%s's activity files now name people by the HMAC-SHA256 of their NHS number under the secret given, "+
			"in lower-case hexadecimal. Give the data provider the same secret; linkwork will not show it again.\n", place.Name)
	} else {
		fmt.Fprintf(m.stdout, "%s's activity files now name people by their NHS number.\n", place.Name)
	}
	return nil
}

// readLine reads one line from standard input.
func (m *Main) readLine(what string) (string, error) {
	line, err := bufio.NewReader(m.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return "", fmt.Errorf("no %s on standard input", what)
	}
	return line, nil
}

// measures is the running measures job.
type measures struct {
	stop context.CancelFunc
	done chan struct{}
}

// startMeasures starts the job that keeps every place's measures current, at once and
// then every interval. Like the retention job, it outlives ctx and is stopped by Close.
func (m *Main) startMeasures(ctx context.Context, svc linkwork.Services, interval time.Duration) {
	job := measurejob.New(measurejob.Config{Measures: svc.Measures, Leases: svc.Leases, Holder: instanceName(),
		Logger: m.logger, Interval: interval})
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j := &measures{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(j.done)
		job.Run(ctx)
	}()
	m.measures = j
}

// stopMeasures stops the job, abandoning the aggregation in progress (its transaction is
// rolled back and the place done at the next start).
func (m *Main) stopMeasures() {
	if m.measures == nil {
		return
	}
	m.measures.stop()
	<-m.measures.done
	m.measures = nil
}
