package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a running `linkwork serve` on a loopback port.
type server struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	logPath string
	exited  chan error
	stopped sync.Once
}

// startServer starts linkwork on the data set and waits until /healthz answers. The measures
// and retention jobs run once at start (prepare has left them nothing to do) and not again
// during the run.
func (b *bench) startServer(ctx context.Context, ds dataset) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{base: "http://127.0.0.1:" + strconv.Itoa(port), logPath: filepath.Join(b.tmp, "serve-"+ds.dialect+".log"),
		exited: make(chan error, 1)}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(b.cfg.linkwork, "serve", "--db", ds.url, "--addr", "127.0.0.1:"+strconv.Itoa(port),
		"--measures-every", "1000h", "--retention-every", "1000h")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s serve: %w", b.cfg.linkwork, err)
	}
	go func() {
		s.exited <- s.cmd.Wait()
		logFile.Close()
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-s.exited:
			return nil, fmt.Errorf("linkwork serve stopped at start (%v); its log:\n%s", err, tail(s.logPath, 20))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("linkwork serve did not answer /healthz within 2 minutes; its log:\n%s", tail(s.logPath, 20))
		}
	}
}

// stop stops the server gracefully (SIGTERM), or kills it after a minute. Calls after the
// first do nothing.
func (s *server) stop() {
	s.stopped.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(time.Minute):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// memory is a process's resident memory, from /proc/PID/status.
type memory struct {
	RSS, HWM int64 // VmRSS and VmHWM (the peak), in kB
}

// readMemory reads a process's VmRSS and VmHWM.
func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	return parseStatus(f)
}

// parseStatus reads VmRSS and VmHWM from the text of /proc/PID/status.
func parseStatus(r io.Reader) (memory, error) {
	var m memory
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			return memory{}, fmt.Errorf("/proc status: unexpected %s line %q", key, sc.Text())
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("/proc status: %s: %w", key, err)
		}
		if key == "VmRSS" {
			m.RSS = n
		} else {
			m.HWM = n
		}
	}
	if err := sc.Err(); err != nil {
		return memory{}, err
	}
	if m.RSS == 0 {
		return memory{}, errors.New("/proc status: no VmRSS line")
	}
	return m, nil
}

// rssSampler records the greatest resident memory of a process while it runs.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak int64 // kB
}

// sampleRSS reads the process's VmRSS every 100 ms until the sampler is stopped.
func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := readMemory(pid); err == nil {
				s.mu.Lock()
				s.peak = max(s.peak, m.RSS)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop stops sampling and returns the peak in kB.
func (s *rssSampler) Stop() int64 {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// signIn signs in through the sign-in form, as a browser does, and returns the session
// cookie as a Cookie header. Requests without a browser's Origin or Sec-Fetch-Site headers
// pass the server's cross-origin protection, as wrk's do.
func (s *server) signIn(email, password string) (string, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout: time.Minute}
	resp, err := client.PostForm(s.base+"/signin", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("signing in as %s: status %d: %s", email, resp.StatusCode, strings.Join(strings.Fields(string(body)), " "))
	}
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("signing in as %s: no cookie came back", email)
	}
	return "Cookie: " + strings.Join(parts, "; "), nil
}

// probe requests a path once with a header and checks the status, so that a run that would
// only measure refusals stops before it starts.
func (s *server) probe(method, path, header, body string, want int) error {
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if name, value, ok := strings.Cut(header, ": "); ok {
		req.Header.Set(name, value)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, strings.Join(strings.Fields(string(b)), " "))
	}
	return nil
}

// searchPage asks the API's search for a page and returns the IDs of the services it lists,
// for the search's engine floor.
func (s *server) searchPage(path, header string) ([]int64, error) {
	req, err := http.NewRequest("GET", s.base+path, nil)
	if err != nil {
		return nil, err
	}
	name, value, _ := strings.Cut(header, ": ")
	req.Header.Set(name, value)
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var page struct {
		Items []struct {
			Service struct {
				ID int64 `json:"id"`
			} `json:"service"`
		} `json:"items"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return nil, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, strings.Join(strings.Fields(string(b)), " "))
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	var ids []int64
	for _, it := range page.Items {
		ids = append(ids, it.Service.ID)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("GET %s found nothing: the search the load test sends should find services", path)
	}
	return ids, nil
}

// freePort returns a loopback port that nothing listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last n lines of a file, for an error message.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
