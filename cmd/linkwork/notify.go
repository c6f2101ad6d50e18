package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"

	"linkwork/notify"
)

// smtpFlags are serve's mail server settings. The password has no flag: a flag shows in the
// process list and in shell history, so it is read from LINKWORK_SMTP_PASSWORD only.
type smtpFlags struct {
	addr, from, user string
	startTLS         bool
	startTLSEnv      string // LINKWORK_SMTP_STARTTLS as given, checked when serving
}

func defineSMTPFlags(m *Main, fs *flag.FlagSet) {
	s := &m.smtp
	s.startTLSEnv = os.Getenv("LINKWORK_SMTP_STARTTLS")
	startTLS, err := strconv.ParseBool(s.startTLSEnv)
	if err != nil {
		startTLS = true
	}
	fs.StringVar(&s.addr, "smtp-addr", os.Getenv("LINKWORK_SMTP_ADDR"), "mail server for notifications, host:port (LINKWORK_SMTP_ADDR); without one they are written to the log")
	fs.StringVar(&s.from, "smtp-from", os.Getenv("LINKWORK_SMTP_FROM"), "address notifications come from, such as \"linkwork <linkwork@example.org>\" (LINKWORK_SMTP_FROM)")
	fs.StringVar(&s.user, "smtp-user", os.Getenv("LINKWORK_SMTP_USER"), "user to sign in to the mail server as (LINKWORK_SMTP_USER); the password is read from LINKWORK_SMTP_PASSWORD only")
	fs.BoolVar(&s.startTLS, "smtp-starttls", startTLS, "encrypt the connection with STARTTLS when the mail server offers it (LINKWORK_SMTP_STARTTLS)")
}

// sender returns the SMTP sender the flags describe, or nil (log notifications) when no mail
// server is given.
func (s *smtpFlags) sender() (notify.Sender, error) {
	if s.startTLSEnv != "" {
		if _, err := strconv.ParseBool(s.startTLSEnv); err != nil {
			return nil, fmt.Errorf("serve: LINKWORK_SMTP_STARTTLS must be true or false, not %q", s.startTLSEnv)
		}
	}
	if s.addr == "" {
		if s.from != "" || s.user != "" {
			return nil, errors.New("serve: --smtp-from and --smtp-user need --smtp-addr, the mail server to send through")
		}
		return nil, nil
	}
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: s.addr, From: s.from, User: s.user,
		Password: os.Getenv("LINKWORK_SMTP_PASSWORD"), StartTLS: s.startTLS})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return sender, nil
}

// notifier is the running notifications worker.
type notifier struct {
	stop context.CancelFunc
	done chan struct{}
}

// startNotifier starts the worker that delivers the outbox. Its context is cut loose from
// ctx, which ends at the first signal: the worker must outlive the requests still being
// finished then, and is stopped by Close instead.
func (m *Main) startNotifier(ctx context.Context, w *notify.Worker, sender notify.Sender) {
	if sender == nil {
		fmt.Fprintln(m.stdout, "Notifications: no mail server given (--smtp-addr), so they are written to the log instead of sent.")
	} else {
		fmt.Fprintf(m.stdout, "Notifications: sent through the mail server at %s.\n", m.smtp.addr)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n := &notifier{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		w.Run(ctx)
	}()
	m.notifier = n
}

// stopNotifier stops the worker and waits for it: it finishes the message it is sending,
// if any, which the SMTP timeout bounds.
func (m *Main) stopNotifier() {
	if m.notifier == nil {
		return
	}
	m.notifier.stop()
	<-m.notifier.done
	m.notifier = nil
}
