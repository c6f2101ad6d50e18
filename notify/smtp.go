package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// SMTPConfig says how to reach the mail server that delivers notifications.
type SMTPConfig struct {
	// Addr is the server's host:port, such as "smtp.example.org:587".
	Addr string
	// From is the sender, as an address ("linkwork@example.org") or with a name
	// ("Calderdale linkwork <linkwork@example.org>").
	From string
	// User and Password, when User is set, sign in with AUTH PLAIN. net/smtp refuses to send
	// them over a connection that is not encrypted (unless the server is on this machine),
	// so a password never crosses the network in the clear.
	User, Password string
	// StartTLS upgrades the connection with STARTTLS when the server offers it.
	StartTLS bool
	// TLS is the TLS configuration for STARTTLS; nil checks the server's certificate
	// against the system's roots for the host in Addr.
	TLS *tls.Config
	// Timeout bounds a whole delivery, from dialling to the server's acceptance of the
	// message; 0 means DefaultSMTPTimeout.
	Timeout time.Duration
	// HelloName is the name given in EHLO; empty means this machine's host name.
	HelloName string
}

// DefaultSMTPTimeout is how long one delivery may take. It is well inside the worker's lease
// (DefaultLease), so that a slow server cannot make a message outlive its claim.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPSender delivers notifications by SMTP, one connection per message.
type SMTPSender struct {
	cfg  SMTPConfig
	from *mail.Address
	host string
}

// NewSMTPSender checks the configuration and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("the SMTP server address %q must be host:port, such as smtp.example.org:587", cfg.Addr)
	}
	if strings.TrimSpace(cfg.From) == "" {
		return nil, errors.New("give the address notifications are sent from (--smtp-from or LINKWORK_SMTP_FROM)")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("the sender %q is not an email address: %v", cfg.From, err)
	}
	if cfg.Password != "" && cfg.User == "" {
		return nil, errors.New("an SMTP password is set but no user (--smtp-user or LINKWORK_SMTP_USER)")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" {
			cfg.HelloName = h
		}
	}
	return &SMTPSender{cfg: cfg, from: from, host: host}, nil
}

// Timeout is the longest one delivery can take.
func (s *SMTPSender) Timeout() time.Duration { return s.cfg.Timeout }

// Send delivers one notification. It returns nil only once the server has accepted the
// message (its reply to the end of DATA); a failure after that, such as in QUIT, does not
// make it fail, since sending it again would deliver it twice.
func (s *SMTPSender) Send(ctx context.Context, n *linkwork.Notification) error {
	to, err := mail.ParseAddress(n.To)
	if err != nil {
		return fmt.Errorf("the recipient %q is not an email address: %v", n.To, err)
	}
	msg, err := s.message(n, to, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connect to the SMTP server: %w", err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Closing the connection when the context ends unblocks a read the deadline has not
	// reached yet (the context may be cancelled early, on shutdown).
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && s.cfg.StartTLS {
		cfg := s.cfg.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: s.host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if s.cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.host)); err != nil {
			return fmt.Errorf("SMTP AUTH: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	// The message is accepted: from here on nothing may turn this into a failure.
	_ = c.Quit()
	return nil
}

// lineWidth is where body lines are wrapped: short enough for every mail reader and for
// quoted-printable's limit of 76 characters a line.
const lineWidth = 72

// message builds the message: plain text in UTF-8, quoted-printable so that it passes any
// server (accented names, long lines), with the notification's own Message-ID so that a
// copy sent twice after a crash is recognisably the same message.
func (s *SMTPSender) message(n *linkwork.Notification, to *mail.Address, now time.Time) ([]byte, error) {
	id := strings.Trim(strings.TrimSpace(n.MessageID), "<>")
	if id == "" || strings.ContainsAny(id, " \t\r\n<>") || !strings.Contains(id, "@") {
		return nil, fmt.Errorf("notification %d has no usable Message-ID (%q)", n.ID, n.MessageID)
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", s.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(n.Subject)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+id+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// Automatic notifications should not start auto-replies (RFC 3834).
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(Wrap(n.Body, lineWidth))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneLine keeps a header value on one line, so that a subject can never add a header.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Wrap breaks text into lines of at most width characters at spaces, keeping its own line
// breaks. A word longer than a line (an address, a link) is left whole on a line of its
// own rather than broken, so that it still works when copied.
func Wrap(text string, width int) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var out strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteString("\n")
		}
		line = strings.TrimRight(line, " \t")
		if utf8.RuneCountInString(line) <= width {
			out.WriteString(line)
			continue
		}
		// Keep a line's indent, so that lists stay lists.
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		n := 0
		for j, word := range strings.Fields(line) {
			w := utf8.RuneCountInString(word)
			switch {
			case j == 0:
				out.WriteString(indent + word)
				n = len(indent) + w
			case n+1+w > width:
				out.WriteString("\n" + indent + word)
				n = len(indent) + w
			default:
				out.WriteString(" " + word)
				n += 1 + w
			}
		}
	}
	return out.String()
}
