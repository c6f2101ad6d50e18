package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The data sets: made by `linkwork generate` and kept between runs (a SQLite file under the
// user's cache directory, a PostgreSQL database), or given by the user (BENCH_SQLITE,
// BENCH_POSTGRES). Each run works on a copy of a kept data set, so that the referrals the load
// test sends do not pile up from one run to the next; a data set that was given is used as it
// is.

// datasetVersion changes when what a kept data set holds changes (the generator's options,
// the users prepare adds), so that an old one is not used.
const datasetVersion = 1

// dataset is a database to benchmark.
type dataset struct {
	dialect string // "sqlite" or "postgres"
	url     string // linkwork's URL for it
	// given is set for a data set the user named: it is used in place, not copied.
	given bool
}

// datasetName is a kept data set's name: its scale, seed, day and version.
func datasetName(scale string, seed uint64, today string) string {
	return fmt.Sprintf("lwbench_%s_seed%d_%s_v%d", scale, seed, strings.ReplaceAll(today, "-", ""), datasetVersion)
}

// cacheDir is where kept SQLite data sets live: $XDG_CACHE_HOME/linkwork-bench, usually
// ~/.cache/linkwork-bench, as the Go benchmarks keep theirs.
func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the data sets (set XDG_CACHE_HOME): %w", err)
	}
	dir := filepath.Join(base, "linkwork-bench")
	return dir, os.MkdirAll(dir, 0o755)
}

// keptSQLite returns the kept SQLite data set, generating and preparing it the first time.
// It is built under another name and renamed when complete, so that an interrupted build is
// started again rather than used.
func (b *bench) keptSQLite(ctx context.Context) (dataset, error) {
	dir, err := cacheDir()
	if err != nil {
		return dataset{}, err
	}
	path := filepath.Join(dir, datasetName(b.cfg.scale, b.cfg.seed, b.cfg.today)+".db")
	if _, err := os.Stat(path); err == nil {
		b.logf("SQLite data set: %s (kept; delete it to build it again)", path)
		return dataset{dialect: "sqlite", url: "sqlite:" + path}, nil
	}
	building := path + ".building"
	for _, p := range []string{building, building + "-wal", building + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return dataset{}, err
		}
	}
	b.logf("SQLite data set: generating %s at scale %s (a few minutes, once)", path, b.cfg.scale)
	if err := b.generate(ctx, "sqlite:"+building); err != nil {
		return dataset{}, err
	}
	if err := b.prepare(ctx, "sqlite:"+building); err != nil {
		return dataset{}, err
	}
	if err := os.Rename(building, path); err != nil {
		return dataset{}, err
	}
	return dataset{dialect: "sqlite", url: "sqlite:" + path}, nil
}

// keptPostgres returns the kept PostgreSQL data set, a database of its own on the server of
// BENCH_PGADMIN, generating and preparing it the first time under another name.
func (b *bench) keptPostgres(ctx context.Context) (dataset, error) {
	name := datasetName(b.cfg.scale, b.cfg.seed, b.cfg.today)
	admin, err := sql.Open("pgx", b.cfg.adminURL)
	if err != nil {
		return dataset{}, err
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return dataset{}, fmt.Errorf("PostgreSQL at %s: %w", redactURL(b.cfg.adminURL), err)
	}
	u, err := databaseURL(b.cfg.adminURL, name)
	if err != nil {
		return dataset{}, err
	}
	if exists {
		b.logf("PostgreSQL data set: database %s (kept; DROP DATABASE %s to build it again)", name, name)
		return dataset{dialect: "postgres", url: u}, nil
	}
	building := name + "_building"
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + pgx.Identifier{building}.Sanitize() + " WITH (FORCE)",
		"CREATE DATABASE " + pgx.Identifier{building}.Sanitize()} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return dataset{}, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	buildingURL, err := databaseURL(b.cfg.adminURL, building)
	if err != nil {
		return dataset{}, err
	}
	b.logf("PostgreSQL data set: generating database %s at scale %s (a few minutes, once)", name, b.cfg.scale)
	if err := b.generate(ctx, buildingURL); err != nil {
		return dataset{}, err
	}
	if err := b.prepare(ctx, buildingURL); err != nil {
		return dataset{}, err
	}
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return dataset{}, err
	}
	return dataset{dialect: "postgres", url: u}, nil
}

// generate runs `linkwork generate` into a database, showing its progress.
func (b *bench) generate(ctx context.Context, dbURL string) error {
	start := time.Now()
	cmd := exec.CommandContext(ctx, b.cfg.linkwork, "generate", "--db", dbURL, "--scale", b.cfg.scale,
		"--seed", fmt.Sprint(b.cfg.seed), "--today", b.cfg.today)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("linkwork generate --db %s: %w", redactURL(dbURL), err)
	}
	b.logf("generated in %v", time.Since(start).Round(time.Second))
	return nil
}

// workingCopy returns a copy of a kept data set for one run, and a function that removes it.
// A data set the user gave is returned as it is.
func (b *bench) workingCopy(ctx context.Context, ds dataset) (dataset, func(), error) {
	if ds.given {
		return ds, func() {}, nil
	}
	switch ds.dialect {
	case "sqlite":
		src := strings.TrimPrefix(ds.url, "sqlite:")
		dst := filepath.Join(b.tmp, "run.db")
		if err := copyFile(src, dst); err != nil {
			return dataset{}, nil, fmt.Errorf("copying the SQLite data set: %w", err)
		}
		return dataset{dialect: "sqlite", url: "sqlite:" + dst}, func() {
			for _, p := range []string{dst, dst + "-wal", dst + "-shm"} {
				os.Remove(p)
			}
		}, nil
	default:
		template, err := databaseName(ds.url)
		if err != nil {
			return dataset{}, nil, err
		}
		name := fmt.Sprintf("lwbench_run_%d", os.Getpid())
		admin, err := sql.Open("pgx", b.cfg.adminURL)
		if err != nil {
			return dataset{}, nil, err
		}
		defer admin.Close()
		start := time.Now()
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize()); err != nil {
			return dataset{}, nil, fmt.Errorf("copying the PostgreSQL data set %s (is something connected to it?): %w", template, err)
		}
		b.logf("copied database %s to %s in %v", template, name, time.Since(start).Round(100*time.Millisecond))
		u, err := databaseURL(b.cfg.adminURL, name)
		if err != nil {
			return dataset{}, nil, err
		}
		return dataset{dialect: "postgres", url: u}, func() {
			admin, err := sql.Open("pgx", b.cfg.adminURL)
			if err != nil {
				b.logf("could not drop the working copy %s: %v", name, err)
				return
			}
			defer admin.Close()
			if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
				b.logf("could not drop the working copy %s: %v", name, err)
			}
		}, nil
	}
}

// copyFile copies a closed SQLite database (its write-ahead log checkpointed into it).
func copyFile(src, dst string) error {
	if _, err := os.Stat(src + "-wal"); err == nil {
		return fmt.Errorf("%s has a write-ahead log beside it: is linkwork using it?", src)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// databaseURL is a PostgreSQL URL with another database name.
func databaseURL(server, name string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("bad PostgreSQL URL %s", redactURL(server))
	}
	u.Path = "/" + name
	return u.String(), nil
}

// databaseName is the database a PostgreSQL URL names.
func databaseName(pgURL string) (string, error) {
	u, err := url.Parse(pgURL)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return "", fmt.Errorf("bad PostgreSQL URL %s: it names no database", redactURL(pgURL))
	}
	return strings.Trim(u.Path, "/"), nil
}

// redactURL hides a password in a URL that is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
