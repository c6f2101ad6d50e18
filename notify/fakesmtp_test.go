package notify_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMTP is a mail server in the test's process that speaks just enough SMTP for net/smtp:
// EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT. It keeps what it
// accepts, and can be told to refuse messages at the end of DATA, as a server does when it
// is overloaded.
type fakeSMTP struct {
	t  testing.TB
	ln net.Listener
	// tls, when set, is offered with STARTTLS; auth, when set, is the "user:password"
	// AUTH PLAIN must give before MAIL is accepted.
	tls  *tls.Config
	auth string
	// delay is how long the server thinks before accepting a message, to widen the window
	// in which two workers could both send one.
	delay time.Duration

	mu       sync.Mutex
	refuse   int  // how many of the next messages to refuse with 451
	refusing bool // refuse every message until told otherwise
	received []received
	wg       sync.WaitGroup
}

// received is one accepted message.
type received struct {
	From, To string
	Data     string
	TLS      bool
	User     string
	Msg      *mail.Message
}

// newFakeSMTP starts a server; setup, if given, configures it before it takes connections.
func newFakeSMTP(t testing.TB, setup ...func(*fakeSMTP)) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{t: t, ln: ln}
	for _, f := range setup {
		f(s)
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeSMTP) Addr() string { return s.ln.Addr().String() }

// Refuse makes the server refuse the next n messages.
func (s *fakeSMTP) Refuse(n int) { s.mu.Lock(); s.refuse = n; s.mu.Unlock() }

// RefuseAll makes the server refuse every message while on is true.
func (s *fakeSMTP) RefuseAll(on bool) { s.mu.Lock(); s.refusing = on; s.mu.Unlock() }

// Received returns the messages accepted so far.
func (s *fakeSMTP) Received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *fakeSMTP) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(c)
		}()
	}
}

func (s *fakeSMTP) session(c net.Conn) {
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	reply := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	reply("220 fake.example.org ESMTP ready")
	var from, to, user string
	secure := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"250-fake.example.org greets " + arg, "250-8BITMIME"}
			if s.tls != nil && !secure {
				lines = append(lines, "250-STARTTLS")
			}
			if s.auth != "" {
				lines = append(lines, "250-AUTH PLAIN")
			}
			reply(append(lines, "250 SIZE 1000000")...)
		case "STARTTLS":
			if s.tls == nil || secure {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, secure = tc, true
			r, w = bufio.NewReader(c), bufio.NewWriter(c)
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if !strings.EqualFold(mech, "PLAIN") || err != nil || len(parts) != 3 || parts[1]+":"+parts[2] != s.auth {
				reply("535 5.7.8 authentication failed")
				continue
			}
			user = parts[1]
			reply("235 2.7.0 authenticated")
		case "MAIL":
			if s.auth != "" && user == "" {
				reply("530 5.7.0 authentication required")
				continue
			}
			from = addrArg(arg)
			reply("250 OK")
		case "RCPT":
			to = addrArg(arg)
			reply("250 OK")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".")) // undo dot-stuffing
			}
			time.Sleep(s.delay)
			s.mu.Lock()
			refuse := s.refusing || s.refuse > 0
			if s.refuse > 0 {
				s.refuse--
			}
			if !refuse {
				m, err := mail.ReadMessage(strings.NewReader(data.String()))
				if err != nil {
					s.t.Errorf("fake SMTP: a message that does not parse: %v\n%s", err, data.String())
				}
				s.received = append(s.received, received{From: from, To: to, Data: data.String(), TLS: secure, User: user, Msg: m})
			}
			s.mu.Unlock()
			if refuse {
				reply("451 4.3.0 try again later")
			} else {
				reply("250 2.0.0 queued")
			}
		case "RSET", "NOOP":
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 5.5.2 not implemented")
		}
	}
}

// addrArg takes the address out of "FROM:<a@b>" or "TO:<a@b> SIZE=…".
func addrArg(arg string) string {
	_, a, _ := strings.Cut(arg, "<")
	a, _, _ = strings.Cut(a, ">")
	return a
}

// testTLS returns a server configuration with a certificate for 127.0.0.1, made now, and a
// client configuration that trusts it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}
