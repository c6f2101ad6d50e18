// Command linkwork runs linkwork: the shared system a place uses to align its link workers,
// connectors and community groups. See `linkwork help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdin, os.Stdout, os.Stderr)
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, errHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "linkwork:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "linkwork:", err)
		m.Close()
		os.Exit(1)
	}
	if m.Serving() {
		<-ctx.Done()
		fmt.Fprintln(os.Stderr, "linkwork: shutting down, finishing requests in progress")
	}
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "linkwork:", err)
		os.Exit(1)
	}
}
