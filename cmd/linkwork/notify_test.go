package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"linkwork/notify"
	"linkwork/sqldb/sqldbtest"
)

func TestSMTPFlags(t *testing.T) {
	t.Setenv("LINKWORK_SMTP_ADDR", "smtp.example.org:587")
	t.Setenv("LINKWORK_SMTP_FROM", "linkwork@example.org")
	t.Setenv("LINKWORK_SMTP_USER", "linkwork")
	t.Setenv("LINKWORK_SMTP_PASSWORD", "from the environment")
	t.Setenv("LINKWORK_SMTP_STARTTLS", "")

	// From the environment, with STARTTLS on by default.
	m := NewMain(strings.NewReader(""), io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"serve"}); err != nil {
		t.Fatal(err)
	}
	if m.smtp.addr != "smtp.example.org:587" || m.smtp.from != "linkwork@example.org" || m.smtp.user != "linkwork" || !m.smtp.startTLS {
		t.Errorf("from the environment: %+v", m.smtp)
	}
	s, err := m.smtp.sender()
	if _, ok := s.(*notify.SMTPSender); err != nil || !ok {
		t.Errorf("sender %T: %v", s, err)
	}

	// Flags win over the environment.
	m = NewMain(strings.NewReader(""), io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"serve", "--smtp-addr", "mail.example.org:25", "--smtp-starttls=false", "--smtp-user", "other"}); err != nil {
		t.Fatal(err)
	}
	if m.smtp.addr != "mail.example.org:25" || m.smtp.user != "other" || m.smtp.startTLS {
		t.Errorf("flags: %+v", m.smtp)
	}
	t.Setenv("LINKWORK_SMTP_STARTTLS", "false")
	m = NewMain(strings.NewReader(""), io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"serve"}); err != nil || m.smtp.startTLS {
		t.Errorf("LINKWORK_SMTP_STARTTLS=false: %+v %v", m.smtp, err)
	}

	// The password is never a flag.
	m = NewMain(strings.NewReader(""), io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"serve", "--smtp-password", "x"}); err == nil || !strings.Contains(err.Error(), "not defined") {
		t.Errorf("--smtp-password: %v", err)
	}

	// Settings that cannot work stop serve before it starts.
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LINKWORK_SMTP_STARTTLS": "sometimes"}, "LINKWORK_SMTP_STARTTLS must be true or false"},
		{map[string]string{"LINKWORK_SMTP_ADDR": ""}, "need --smtp-addr"},
		{map[string]string{"LINKWORK_SMTP_ADDR": "smtp.example.org"}, "must be host:port"},
		{map[string]string{"LINKWORK_SMTP_FROM": ""}, "--smtp-from"},
	} {
		t.Run(c.want, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			m := NewMain(strings.NewReader(""), io.Discard, io.Discard)
			if err := m.ParseFlags([]string{"serve", "--db", sqldbtest.URL(t, "sqlite"), "--addr", "127.0.0.1:0"}); err != nil {
				t.Fatal(err)
			}
			err := m.Run(context.Background())
			m.Close()
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "from the environment") {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// serve starts the notifications worker and Close stops it, after the web server and
// before the database.
func TestServeRunsTheNotifier(t *testing.T) {
	for _, k := range []string{"LINKWORK_SMTP_ADDR", "LINKWORK_SMTP_FROM", "LINKWORK_SMTP_USER", "LINKWORK_SMTP_STARTTLS"} {
		t.Setenv(k, "")
	}
	var out bytes.Buffer
	m := NewMain(strings.NewReader(""), &out, io.Discard)
	if err := m.ParseFlags([]string{"serve", "--db", sqldbtest.URL(t, "sqlite"), "--addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	n := m.notifier
	if n == nil || !strings.Contains(out.String(), "written to the log") {
		t.Fatalf("no notifier: %s", out.String())
	}
	// The signal that ends serve's context does not stop the worker by itself: requests
	// still finishing may queue notifications.
	cancel()
	select {
	case <-n.done:
		t.Fatal("the worker stopped before Close")
	default:
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-n.done:
	default:
		t.Fatal("Close returned with the worker running")
	}
	if m.notifier != nil {
		t.Error("Close left the notifier")
	}
}
