package main

import (
	"context"
	"net"
	"net/http"
	"time"
)

// The net/http floor: the least a Go HTTP server answers in on this machine, with the same load
// generator, settings and script. A handler that writes a small fixed body, served in this
// process on a loopback port; the ratio of an endpoint to it is what the endpoint costs beyond
// HTTP itself.

// floorBody is what the minimal handler answers.
const floorBody = "linkwork benchmark floor\n"

// startHTTPFloor serves the minimal handler on a loopback port until the returned function
// is called.
func startHTTPFloor() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(floorBody))
	}), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served // http.ErrServerClosed, once the floor's figures are taken
	}, nil
}
