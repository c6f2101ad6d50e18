package main

import (
	"os"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	f, err := os.Open("testdata/proc-status.txt") // a real /proc/PID/status
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := parseStatus(f)
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS != 1760 || m.HWM != 1760 {
		t.Fatalf("got %+v, want VmRSS and VmHWM of 1760 kB", m)
	}
	if _, err := parseStatus(strings.NewReader("Name:\tcat\nVmRSS:\t12 MB\n")); err == nil {
		t.Fatal("a VmRSS not in kB was read")
	}
	if _, err := parseStatus(strings.NewReader("Name:\tcat\n")); err == nil {
		t.Fatal("a status without VmRSS was read")
	}
}

func TestReadMemoryOfThisProcess(t *testing.T) {
	m, err := readMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Fatalf("got %+v", m)
	}
}
