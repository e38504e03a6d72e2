// Command loadtest is the "load without loss" run of docs/RELIABILITY.md: it starts the real
// tradehub binary with demo data on an embedded store in a temporary folder, sends mixed reads and
// writes from the three demo sellers over loopback for a bounded time, sends SIGTERM in the middle
// of the load, starts the binary again on the same data, and checks that
//
//   - every acknowledged write (an order the server answered with its id, an inventory adjustment
//     it answered with the new balance) is in the store after the restart;
//   - no request got a connection reset or a truncated answer during the drain: requests in flight
//     at SIGTERM completed, later ones were refused (connection refused), not cut;
//   - memory (the process's RSS and Go heap, from the private metrics listener) is flat after
//     warm-up.
//
// It prints the figures and exits 1 when a check fails. Not part of make test (it runs for
// minutes): make loadtest, or go run ./cmd/loadtest -duration 2m -clients 8.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	duration := flag.Duration("duration", 2*time.Minute, "how long the load runs in all (SIGTERM and restart at half time)")
	clients := flag.Int("clients", 8, "concurrent clients, spread over the three demo sellers")
	bin := flag.String("bin", "", "the tradehub binary (default: go build ./cmd/tradehub into the temporary folder)")
	keep := flag.Bool("keep", false, "keep the temporary folder (store and logs)")
	flag.Parse()
	if err := run(*duration, *clients, *bin, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// server is one run of the binary.
type server struct {
	cmd  *exec.Cmd
	base string
	ops  string
	done chan error
}

func run(duration time.Duration, clients int, bin string, keep bool) error {
	dir, err := os.MkdirTemp("", "tradehub-loadtest-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if bin == "" {
		bin = filepath.Join(dir, "tradehub")
		build := exec.Command("go", "build", "-o", bin, "./cmd/tradehub")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	addr, opsAddr := freePort(), freePort()
	logs, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return err
	}
	defer logs.Close()
	start := func() (*server, error) {
		return startServer(bin, filepath.Join(dir, "data"), addr, opsAddr, logs)
	}

	srv, err := start()
	if err != nil {
		return err
	}
	lt := &load{base: srv.base, started: time.Now()}
	if err := lt.discover(); err != nil {
		_ = srv.cmd.Process.Kill()
		return err
	}
	fmt.Printf("tradehub on %s (metrics %s); %d clients for %s; SIGTERM at %s\n", srv.base, srv.ops, clients, duration, duration/2)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lt.client(ctx, i, lt.tenants[i%len(lt.tenants)])
		}()
	}
	mem := &memory{}
	memCtx, memStop := context.WithCancel(context.Background())
	defer memStop()
	go mem.sample(memCtx, "http://"+opsAddr+"/metrics")

	time.Sleep(duration / 2)
	// SIGTERM in the middle of the load: in-flight requests must complete, new ones be refused.
	lt.sigterm.Store(time.Now().UnixNano())
	mem.phase.Add(1)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	exitErr := <-srv.done
	drained := time.Now()
	srv2, err := start()
	if err != nil {
		stop()
		wg.Wait()
		return fmt.Errorf("restart: %w", err)
	}
	restarted := time.Now()
	lt.restarted.Store(restarted.UnixNano())
	time.Sleep(duration/2 - time.Since(drained))
	stop()
	wg.Wait()
	memStop()

	lost, checked, adjustOK, err := lt.verify(srv2.base)
	if err != nil {
		return err
	}
	_ = srv2.cmd.Process.Signal(syscall.SIGTERM)
	exit2 := <-srv2.done

	// Report.
	r := lt.report()
	fmt.Println()
	fmt.Printf("requests sent       %d in %s (%.1f/s); reads %d, writes %d\n", r.total, duration, float64(r.total)/duration.Seconds(), r.reads, r.writes)
	fmt.Printf("acknowledged writes %d orders, %d adjustments\n", len(lt.orders), lt.adjusted.Load())
	fmt.Printf("after the restart   %d acknowledged orders checked, %d missing; adjustments present: %v\n", checked, lost, adjustOK)
	fmt.Printf("drain               SIGTERM → exit %s (exit: %v); restart took %s\n", drained.Sub(time.Unix(0, lt.sigterm.Load())).Round(time.Millisecond), exitErr, restarted.Sub(drained).Round(time.Millisecond))
	fmt.Printf("                    in flight at SIGTERM %d, completed %d; refused while down %d; connection resets %d; truncated answers %d; other transport errors %d\n",
		r.inFlightAtTerm, r.completedAfterTerm, r.refused, r.resets, r.truncated, r.other)
	fmt.Printf("GraphQL errors      %v\n", r.codes)
	fmt.Printf("latency             p50 %s p95 %s p99 %s (all requests that got an answer)\n", r.p50, r.p95, r.p99)
	flat, memLine := mem.verdict()
	fmt.Printf("memory              %s\n", memLine)
	fmt.Printf("second server exit  %v\n", exit2)

	var problems []string
	if lost > 0 || !adjustOK {
		problems = append(problems, "acknowledged writes missing after the restart")
	}
	if r.resets > 0 || r.truncated > 0 {
		problems = append(problems, "requests were cut during the drain")
	}
	if r.inFlightAtTerm != r.completedAfterTerm {
		problems = append(problems, "requests in flight at SIGTERM did not complete")
	}
	if exitErr != nil {
		problems = append(problems, "the first server did not exit cleanly on SIGTERM")
	}
	if !flat {
		problems = append(problems, "memory grew after warm-up")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Println("\nPASS: no acknowledged write lost, no request cut during the drain, memory flat")
	return nil
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startServer(bin, data, addr, opsAddr string, logs io.Writer) (*server, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"TRADEHUB_ADDR="+addr, "TRADEHUB_METRICS_ADDR="+opsAddr, "TRADEHUB_DATA_DIR="+data,
		"TRADEHUB_DEMO=1", "TRADEHUB_ENV=development", "TRADEHUB_LOG_FORMAT=json", "MONGODB_URI=",
		// The load is the point: a bucket that never runs dry, so throttling does not shape it.
		"TRADEHUB_COST_BUCKET=10000000", "TRADEHUB_COST_RESTORE=1000000")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr, ops: opsAddr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("tradehub exited at start: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	_ = cmd.Process.Kill()
	return nil, errors.New("tradehub was not ready within 60s")
}

// tenant is one demo seller: its operator's session and what it orders.
type tenant struct {
	name      string
	account   string
	warehouse string
	skus      []string
	http      *http.Client
}

type load struct {
	base    string
	started time.Time
	tenants []*tenant
	admin   *http.Client

	sigterm, restarted atomic.Int64

	mu       sync.Mutex
	orders   map[string]string // order id → idempotency key, for answered createFulfilmentOrder
	adjusts  map[string]int64  // balance (sku@warehouse) → units added by answered adjustments
	tried    map[string]int64  // … and by every adjustment sent
	before   map[string]int64  // on hand at the start
	results  []result
	adjusted atomic.Int64
}

type result struct {
	write    bool
	start    time.Time
	end      time.Time
	outcome  string // ok, gql:<code>, refused, reset, truncated, other
	answered bool
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 60 * time.Second}
}

// gql sends one operation. Requests carry an Idempotency-Key header: every operation of the
// load is safe to repeat (queries, and mutations whose input has an idempotency key or that the
// test accounts for either way), so Go's transport may retry one that raced a keep-alive
// connection the server was closing, as the HTTP spec allows.
func gql(c *http.Client, base, query string, vars map[string]any) (map[string]any, string, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", strconv.FormatUint(rand.Uint64(), 36))
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, "", fmt.Errorf("truncated answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		return out.Data, code, nil
	}
	return out.Data, "", nil
}

func signIn(base, email string) (*http.Client, error) {
	c := newClient()
	data, code, err := gql(c, base, `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { userErrors { code } } }`,
		map[string]any{"e": email, "p": "tradehub-demo-2026"})
	if err != nil || code != "" {
		return nil, fmt.Errorf("sign in %s: %v %s", email, err, code)
	}
	if ue, _ := dig(data, "login", "userErrors").([]any); len(ue) > 0 {
		return nil, fmt.Errorf("sign in %s: %v", email, ue)
	}
	return c, nil
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// discover signs in the platform admin and each seller's operator and finds each seller's SKUs
// in its home warehouse, and their stock.
func (l *load) discover() error {
	var err error
	if l.admin, err = signIn(l.base, "admin@tradehub.test"); err != nil {
		return err
	}
	data, _, err := gql(l.admin, l.base, `{ accounts(first: 10) { nodes { id legalName } } }`, nil)
	if err != nil {
		return err
	}
	l.orders, l.adjusts, l.tried, l.before = map[string]string{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	domains := map[string]string{"Shenzhen": "brightlight.test", "Kessler": "kessler-outdoor.test", "Maple": "mapleandpine.test"}
	nodes, _ := dig(data, "accounts", "nodes").([]any)
	for _, n := range nodes {
		id, _ := dig(n, "id").(string)
		name, _ := dig(n, "legalName").(string)
		for prefix, domain := range domains {
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			c, err := signIn(l.base, "operator@"+domain)
			if err != nil {
				return err
			}
			t := &tenant{name: prefix, account: id, http: c}
			bal, _, err := gql(c, l.base, `query($a: ID!) { inventoryBalances(accountId: $a, first: 20) { nodes { onHand sku { id } warehouse { id } } } }`, map[string]any{"a": id})
			if err != nil {
				return err
			}
			bs, _ := dig(bal, "inventoryBalances", "nodes").([]any)
			for _, b := range bs {
				t.warehouse, _ = dig(b, "warehouse", "id").(string)
				sku, _ := dig(b, "sku", "id").(string)
				t.skus = append(t.skus, sku)
				onHand, _ := dig(b, "onHand").(float64)
				l.before[sku+"@"+t.warehouse] = int64(onHand)
			}
			if len(t.skus) == 0 {
				return fmt.Errorf("seller %s has no stock", prefix)
			}
			l.tenants = append(l.tenants, t)
		}
	}
	if len(l.tenants) != 3 {
		return fmt.Errorf("found %d demo sellers, want 3", len(l.tenants))
	}
	sort.Slice(l.tenants, func(i, j int) bool { return l.tenants[i].name < l.tenants[j].name })
	return nil
}

const (
	qOrders = `query($a: ID!) { fulfilmentOrders(accountId: $a, first: 20) { nodes { id status warehouse { code } lines { quantity reserved sku { code name } } } } }`
	qStock  = `query($a: ID!) { inventoryBalances(accountId: $a, first: 20) { nodes { onHand available reserved sku { code } warehouse { code } } } }`
	qSKUs   = `query($a: ID!) { skus(accountId: $a, first: 20) { nodes { id code name balances { available } } } }`
	mOrder  = `mutation($a: ID!, $w: ID!, $s: ID!, $k: String!) { createFulfilmentOrder(input: {accountId: $a, warehouseId: $w,
		idempotencyKey: $k, serviceLevel: STANDARD, lines: [{skuId: $s, quantity: 1}],
		shipTo: {name: "Load Test", address: {line1: "1 Load St", city: "Austin", country: "US"}}}) { fulfilmentOrder { id } userErrors { code } } }`
	mAdjust = `mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 2, reason: FOUND}) { inventoryBalance { onHand } userErrors { code } } }`
)

// client sends requests back to back until ctx ends: 55% reads, 35% orders, 10% adjustments.
func (l *load) client(ctx context.Context, n int, t *tenant) {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	for seq := 0; ctx.Err() == nil; seq++ {
		p := rng.IntN(100)
		sku := t.skus[rng.IntN(len(t.skus))]
		res := result{start: time.Now()}
		var data map[string]any
		var code string
		var err error
		var key, bal string
		switch {
		case p < 55:
			q := []string{qOrders, qStock, qSKUs}[rng.IntN(3)]
			data, code, err = gql(t.http, l.base, q, map[string]any{"a": t.account})
		case p < 90:
			res.write = true
			key = fmt.Sprintf("load-%d-%d", n, seq)
			data, code, err = gql(t.http, l.base, mOrder, map[string]any{"a": t.account, "w": t.warehouse, "s": sku, "k": key})
		default:
			res.write = true
			bal = sku + "@" + t.warehouse
			l.mu.Lock()
			l.tried[bal] += 2
			l.mu.Unlock()
			data, code, err = gql(t.http, l.base, mAdjust, map[string]any{"s": sku, "w": t.warehouse})
		}
		res.end = time.Now()
		switch {
		case err != nil:
			res.outcome = classify(err)
		case code != "":
			res.outcome, res.answered = "gql:"+code, true
		default:
			res.outcome, res.answered = "ok", true
			if key != "" {
				if id, _ := dig(data, "createFulfilmentOrder", "fulfilmentOrder", "id").(string); id != "" {
					l.mu.Lock()
					l.orders[id] = key
					l.mu.Unlock()
				}
			}
			if bal != "" && dig(data, "adjustInventory", "inventoryBalance") != nil {
				l.mu.Lock()
				l.adjusts[bal] += 2
				l.mu.Unlock()
				l.adjusted.Add(1)
			}
		}
		l.mu.Lock()
		l.results = append(l.results, res)
		l.mu.Unlock()
		if !res.answered {
			time.Sleep(20 * time.Millisecond) // the server is down: do not spin
		}
	}
}

func classify(err error) string {
	s := err.Error()
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(s, "connection refused"):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET) || strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe"):
		return "reset"
	case strings.Contains(s, "EOF") || strings.Contains(s, "truncated"):
		return "truncated"
	}
	return "other: " + s
}

// verify checks on the restarted server that every answered order exists with its key, and
// that each balance holds at least the units the answered adjustments added (and at most what
// every adjustment sent could have added, since orders take nothing from onHand until shipped).
func (l *load) verify(base string) (lost, checked int, adjustOK bool, err error) {
	admin, err := signIn(base, "admin@tradehub.test")
	if err != nil {
		return 0, 0, false, err
	}
	ids := make([]string, 0, len(l.orders))
	for id := range l.orders {
		ids = append(ids, id)
	}
	for i := 0; i < len(ids); i += 100 {
		batch := ids[i:min(i+100, len(ids))]
		data, code, err := gql(admin, base, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on FulfilmentOrder { id idempotencyKey } } }`, map[string]any{"ids": batch})
		if err != nil || code != "" {
			return 0, 0, false, fmt.Errorf("verify: %v %s", err, code)
		}
		got := map[string]string{}
		nodes, _ := dig(data, "nodes").([]any)
		for _, n := range nodes {
			id, _ := dig(n, "id").(string)
			k, _ := dig(n, "idempotencyKey").(string)
			got[id] = k
		}
		for _, id := range batch {
			checked++
			if got[id] != l.orders[id] {
				lost++
				fmt.Printf("MISSING order %s (key %s)\n", id, l.orders[id])
			}
		}
	}
	adjustOK = true
	for _, t := range l.tenants {
		data, _, err := gql(admin, base, `query($a: ID!) { inventoryBalances(accountId: $a, first: 20) { nodes { onHand sku { id } warehouse { id } } } }`, map[string]any{"a": t.account})
		if err != nil {
			return 0, 0, false, err
		}
		bs, _ := dig(data, "inventoryBalances", "nodes").([]any)
		for _, b := range bs {
			sku, _ := dig(b, "sku", "id").(string)
			w, _ := dig(b, "warehouse", "id").(string)
			onHand, _ := dig(b, "onHand").(float64)
			k := sku + "@" + w
			low, high := l.before[k]+l.adjusts[k], l.before[k]+l.tried[k]
			if int64(onHand) < low || int64(onHand) > high {
				adjustOK = false
				fmt.Printf("BALANCE %s on hand %d, want between %d and %d\n", k, int64(onHand), low, high)
			}
		}
	}
	return lost, checked, adjustOK, nil
}

type summary struct {
	total, reads, writes               int
	refused, resets, truncated, other  int
	inFlightAtTerm, completedAfterTerm int
	codes                              map[string]int
	p50, p95, p99                      time.Duration
}

func (l *load) report() summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := summary{codes: map[string]int{}}
	term := time.Unix(0, l.sigterm.Load())
	var lat []time.Duration
	for _, r := range l.results {
		s.total++
		if r.write {
			s.writes++
		} else {
			s.reads++
		}
		if r.start.Before(term) && r.end.After(term) {
			s.inFlightAtTerm++
			if r.answered {
				s.completedAfterTerm++
			}
		}
		switch {
		case r.outcome == "refused":
			s.refused++
		case r.outcome == "reset":
			s.resets++
		case r.outcome == "truncated":
			s.truncated++
		case strings.HasPrefix(r.outcome, "gql:"):
			s.codes[strings.TrimPrefix(r.outcome, "gql:")]++
		case strings.HasPrefix(r.outcome, "other"):
			s.other++
			if s.other <= 3 {
				fmt.Println("transport error:", r.outcome)
			}
		}
		if r.answered {
			lat = append(lat, r.end.Sub(r.start))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(100 * time.Microsecond)
	}
	s.p50, s.p95, s.p99 = pct(0.50), pct(0.95), pct(0.99)
	return s
}

// memory samples the server's metrics every 5 s, per server run (phase).
type memory struct {
	phase   atomic.Int64
	mu      sync.Mutex
	samples [2][]memSample
}

type memSample struct {
	at         time.Time
	rss, heap  float64
	goroutines float64
}

func (m *memory) sample(ctx context.Context, url string) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		resp, err := http.Get(url)
		if err != nil {
			continue // the server is restarting
		}
		s := memSample{at: time.Now()}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			v, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "process_resident_memory_bytes":
				s.rss = v
			case "go_memstats_heap_inuse_bytes":
				s.heap = v
			case "go_goroutines":
				s.goroutines = v
			}
		}
		resp.Body.Close()
		p := min(int(m.phase.Load()), 1)
		m.mu.Lock()
		m.samples[p] = append(m.samples[p], s)
		m.mu.Unlock()
	}
}

// verdict compares, in each server run, the samples after warm-up (the first third of the run
// is warm-up: caches, the parsed-query cache, connection pools fill): memory is flat when the
// last third's average heap and RSS are within 25% (plus 8 MiB of slack for the collections'
// growth) of the middle third's, and goroutines do not grow.
func (m *memory) verdict() (bool, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	flat := true
	var out []string
	for p, ss := range m.samples {
		if len(ss) < 6 {
			out = append(out, fmt.Sprintf("run %d: %d samples, too few to judge (use a longer -duration)", p+1, len(ss)))
			continue
		}
		third := len(ss) / 3
		avg := func(xs []memSample, f func(memSample) float64) float64 {
			var sum float64
			for _, x := range xs {
				sum += f(x)
			}
			return sum / float64(len(xs))
		}
		mid, last := ss[third:2*third], ss[2*third:]
		rss1, rss2 := avg(mid, func(s memSample) float64 { return s.rss }), avg(last, func(s memSample) float64 { return s.rss })
		h1, h2 := avg(mid, func(s memSample) float64 { return s.heap }), avg(last, func(s memSample) float64 { return s.heap })
		g1, g2 := avg(mid, func(s memSample) float64 { return s.goroutines }), avg(last, func(s memSample) float64 { return s.goroutines })
		ok := rss2 <= rss1*1.25+8<<20 && h2 <= h1*1.25+8<<20 && g2 <= g1*1.25+10
		flat = flat && ok
		out = append(out, fmt.Sprintf("run %d: RSS %.0f → %.0f MiB, heap %.0f → %.0f MiB, goroutines %.0f → %.0f (flat: %v)",
			p+1, rss1/(1<<20), rss2/(1<<20), h1/(1<<20), h2/(1<<20), g1, g2, ok))
	}
	return flat, strings.Join(out, "; ")
}
