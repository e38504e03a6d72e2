// Package stripetest runs stripe-mock (the `go tool stripe-mock` of go.mod) for tests, and a
// fault-injecting reverse proxy to put in front of it.
package stripetest

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// StartMock starts stripe-mock on a free loopback port and returns its base URL; it is stopped
// when t ends. stripe-mock needs no network: its OpenAPI spec and fixtures are compiled in.
func StartMock(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "tool", "-n", "stripe-mock").Output()
	if err != nil {
		t.Fatalf("build stripe-mock (go tool -n stripe-mock): %v", err)
	}
	bin := strings.TrimSpace(string(out))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for range 200 {
		resp, err := http.Get(base + "/v1/customers")
		if err == nil {
			resp.Body.Close()
			return base
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("stripe-mock did not answer at %s", base)
	return ""
}

// Request is one request the proxy saw.
type Request struct {
	Method, Path, IdempotencyKey string
	Failed                       bool // the proxy answered 500 instead of stripe-mock's answer
}

// FaultProxy forwards to stripe-mock and answers 500 to the first FailFirst requests. With
// ForwardFailures, a failed request is still forwarded (Stripe did the work, the answer was
// lost): the worst case for duplicates.
type FaultProxy struct {
	URL             string
	FailFirst       int
	ForwardFailures bool
	mu              sync.Mutex
	seen            []Request
}

// NewFaultProxy starts a proxy in front of target, closed when t ends.
func NewFaultProxy(t testing.TB, target string, failFirst int, forwardFailures bool) *FaultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &FaultProxy{FailFirst: failFirst, ForwardFailures: forwardFailures}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		fail := len(p.seen) < p.FailFirst
		p.seen = append(p.seen, Request{Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key"), Failed: fail})
		p.mu.Unlock()
		if !fail {
			rp.ServeHTTP(w, r)
			return
		}
		if p.ForwardFailures {
			rec := httptest.NewRecorder()
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			rp.ServeHTTP(rec, r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"type":"api_error","message":"injected fault"}}`))
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Requests returns what the proxy saw, in order.
func (p *FaultProxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.seen...)
}
