package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"linkwork/sqldb/sqldbtest"
)

// run runs one command to completion and returns what it printed.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain(strings.NewReader(stdin), &out, &errOut)
	if err := m.ParseFlags(args); err != nil {
		return out.String(), err
	}
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), err
}

func TestBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--db", "mysql://x"}, "use sqlite:PATH or postgres://"},
		{[]string{"migrate", "--db", "sqlite:"}, `"sqlite:" needs a file path`},
		{[]string{"migrate", "--db", "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, "cannot reach the postgres database"},
		{[]string{"migrate", "--db", "sqlite:" + filepath.Join(dir, "no", "such", "dir", "x.db")}, "cannot reach the sqlite database"},
		{[]string{"org", "add", "--db", "sqlite:" + filepath.Join(dir, "a.db"), "--place", "Nowhere", "--name", "X", "--sector", "nhs"}, `no place called "Nowhere"`},
		{[]string{"place", "add", "--db", "sqlite:" + filepath.Join(dir, "b.db"), "--name", ""}, "--name: Enter a name."},
		{[]string{"serve", "--log-format", "xml"}, "--log-format must be text or json"},
		{[]string{"user", "add", "--db", "sqlite:" + filepath.Join(dir, "c.db"), "--email", "a@example.org", "--org", "X", "--role", "admin"}, `no organisation called "X"`},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		_, err := run(t, "", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("linkwork %s: error %v, want one containing %q", strings.Join(c.args, " "), err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("linkwork %s: the error is not one line: %q", strings.Join(c.args, " "), err)
		}
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			u := sqldbtest.URL(t, d)
			if _, err := run(t, "", "migrate", "--db", u); err != nil {
				t.Fatal(err)
			}
			driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[d]
			dsn := strings.TrimPrefix(u, "sqlite:")
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', CURRENT_TIMESTAMP)"); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			_, err = run(t, "", "migrate", "--db", u)
			if err == nil || !strings.Contains(err.Error(), "at version 999") || !strings.Contains(err.Error(), "newer linkwork") {
				t.Fatalf("migrate on a newer schema: %v", err)
			}
		})
	}
}

func TestCommandsAndServeEndToEnd(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) { testEndToEnd(t, sqldbtest.URL(t, d)) })
	}
}

func testEndToEnd(t *testing.T, db string) {
	ctx := context.Background()
	// Start the real program on a free port, on an empty database.
	var out bytes.Buffer
	m := NewMain(strings.NewReader(""), &out, io.Discard)
	if err := m.ParseFlags([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := "http://" + m.Addr()
	setup := regexp.MustCompile(`/setup\?token=(\S+)`).FindStringSubmatch(out.String())
	if setup == nil {
		t.Fatalf("serve on an empty database printed no setup link:\n%s", out.String())
	}
	res, err := http.Get(base + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()

	// The first administrator sets up through the web.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err = c.PostForm(base+"/setup", url.Values{"token": {setup[1]}, "place_name": {"Calderdale"},
		"organisation_name": {"Calderdale Council"}, "sector": {"council"}, "name": {"Ada Admin"}, "email": {"ada@example.org"},
		"password": {"correct horse battery"}, "confirm_password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "linkwork is set up") {
		t.Fatalf("after setup: %d %s", res.StatusCode, body)
	}

	// Scripts add an organisation and a link worker, and make a token, while it runs.
	if _, err := run(t, "", "org", "add", "--db", db, "--place", "Calderdale", "--name", "Calder PCN", "--sector", "nhs"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "a good long password\n", "user", "add", "--db", db, "--email", "lee@example.org", "--role", "link_worker",
		"--org", "Calder PCN", "--name", "Lee Worker", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "", "user", "add", "--db", db, "--email", "x@example.org", "--role", "wizard", "--org", "Calder PCN",
		"--password-stdin"); err == nil || !strings.Contains(err.Error(), "--role") {
		t.Errorf("user add with a bad role: %v", err)
	}
	tokOut, err := run(t, "", "token", "create", "--db", db, "--email", "lee@example.org", "--name", "tests")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tokOut)
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"role":"link_worker"`) {
		t.Fatalf("/api/v1/me with the CLI's token: %d %s", res.StatusCode, body)
	}
	// The link worker signs in and sees only what the role allows.
	jar2, _ := cookiejar.New(nil)
	lee := &http.Client{Jar: jar2}
	res, err = lee.PostForm(base+"/signin", url.Values{"email": {"lee@example.org"}, "password": {"a good long password"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "Link worker or connector at Calder PCN") || strings.Contains(string(body), "Audit trail") {
		t.Fatalf("link worker's home page:\n%s", body)
	}
	res, _ = lee.Get(base + "/audit")
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("link worker GET /audit: %d", res.StatusCode)
	}
	// Every step is in the audit trail, which the administrator can read.
	res, _ = c.Get(base + "/audit")
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"setup.complete", "organisation.create", "user.create", "token.create", "session.sign_in", "cli:"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("audit page lacks %q", want)
		}
	}

	// Shutting down lets a request in progress finish: send half a request, close, send the
	// rest, and the answer still comes.
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	form := "email=nobody%40example.org&password=x"
	fmt.Fprintf(conn, "POST /signin HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		m.Addr(), len(form), form[:5])
	time.Sleep(100 * time.Millisecond) // let the server start reading the request
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the request in progress finished", err)
	default:
	}
	fmt.Fprint(conn, form[5:])
	reply, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(reply), "HTTP/1.1 401") {
		t.Fatalf("request in progress at shutdown got: %.80q", reply)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answers after Close")
	}
}

func TestDemo(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	out, err := run(t, "", "demo", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	pw := regexp.MustCompile(`Password: (\S+)`).FindStringSubmatch(out)
	if pw == nil || !strings.Contains(out, "admin@example.org") {
		t.Fatalf("demo output:\n%s", out)
	}
	if _, err := run(t, "", "demo", "--db", db); err == nil || !strings.Contains(err.Error(), "already loaded") {
		t.Fatalf("second demo: %v", err)
	}
	if _, err := run(t, pw[1]+"\n", "user", "password", "--db", db, "--email", "referrer@example.org", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
}
