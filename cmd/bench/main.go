// Command bench is Tradehub's benchmark harness (docs/PERFORMANCE.md). It starts an embedded
// store in this process, seeds a fixed data set into it directly through the driver (documents
// cloned from the demo data the real binary writes, so they are valid), starts the real tradehub
// binary on that store, and then for each representative operation:
//
//   - runs it through GraphQL over loopback with -clients concurrent clients for -time: throughput
//     and p50/p95/p99 latency;
//   - counts, with the server stopped (so that its background work adds nothing), the store round
//     trips per operation through the same GraphQL handler built in this process over a driver
//     client with a command monitor, as the round-trip tests do, and the allocations per operation
//     (handler, driver and the in-process store together; the floor's, measured the same way, is
//     the share that is not the gateway's);
//   - runs the same data access as the fewest direct store calls (the floor) from this process,
//     through one connection like the server's, and prints gateway/floor ratios.
//
// The operations are warehousing's reads, the shipments list and a quote (a mutation); shipments
// are cloned from the demo's one in transit (transport.go). Then the growth checks: the first
// page of a connection as its collection grows, reading an inventory balance as the movements
// behind it grow, and reading a carrier scorecard as the tracking events behind it grow.
//
//	go run ./cmd/bench                 # the default scale (see -scale), about 5 minutes
//	go run ./cmd/bench -scale 50       # 20 accounts, 20,000 SKUs, 50,000 orders, 50,000 usage records, 25,000 shipments
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/graph"
	"github.com/tradehub/tradehub/graph/cost"
	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/billing"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/usage"
	"github.com/tradehub/tradehub/services/warehousing"
)

type config struct {
	scale    int
	accounts int
	clients  int
	run      time.Duration
	bin      string
	out      string
	invoices string // usage-record counts for the invoice-run growth check
	shipPer  int    // shipments per account at -scale 1
}

func main() {
	var c config
	flag.IntVar(&c.scale, "scale", 1, "data set size: ×1 is 20 SKUs, 50 orders, 50 usage records and -shipments shipments (10 tracking events each) per account; ×50 is the issue's 20,000 SKUs and 50,000 orders")
	flag.IntVar(&c.shipPer, "shipments", 25, "shipments per account at -scale 1 (0: only the demo's one)")
	flag.IntVar(&c.accounts, "accounts", 20, "seller accounts (3 demo sellers and clones)")
	flag.IntVar(&c.clients, "clients", 4, "concurrent clients per measurement")
	flag.StringVar(&c.invoices, "invoice-growth", "1000,10000", "usage records billed by one invoice run and then finalized, per size of the invoice growth check (the issue's sizes: 1000,10000,100000; 100,000 adds about 5 minutes)")
	flag.DurationVar(&c.run, "time", 5*time.Second, "how long each operation is driven through the gateway (the floor: half)")
	flag.StringVar(&c.bin, "bin", "", "the tradehub binary (default: go build ./cmd/tradehub into a temporary folder)")
	flag.StringVar(&c.out, "out", "", "also write the result tables (markdown) to this file")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	began := time.Now()
	dir, err := os.MkdirTemp("", "tradehub-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if c.bin == "" {
		c.bin = filepath.Join(dir, "tradehub")
		b := exec.Command("go", "build", "-o", c.bin, "./cmd/tradehub")
		b.Stdout, b.Stderr = os.Stdout, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	emb, err := mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: filepath.Join(dir, "store")})
	if err != nil {
		return err
	}
	defer emb.Stop(context.Background())
	var floorTrips atomic.Int64
	store, err := mongodb.Connect(context.Background(), mongodb.Options{URI: emb.URI(), Database: "tradehub", SingleConnection: true,
		Monitor: &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { floorTrips.Add(1) }}})
	if err != nil {
		return err
	}
	defer store.Close(context.Background())

	srv, err := startServer(c.bin, emb.URI(), dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	admin, err := signIn(srv.base, "admin@tradehub.test")
	if err != nil {
		return err
	}

	seedStart := time.Now()
	d, err := seed(context.Background(), store.DB, c)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d accounts, %d SKUs, %d balances, %d orders, %d usage records in %s\n",
		len(d.accounts), d.skus, d.skus, d.orders, d.usage, time.Since(seedStart).Round(time.Second))
	// The server is not the embedded store's owner here, so it does not index the document
	// paths FerretDB writes by (mongodb.Embedded.IndexIDPaths): the harness does, as the server
	// does at start on its own embedded store.
	if _, err := emb.IndexIDPaths(context.Background()); err != nil {
		return err
	}

	h := &harness{c: c, srv: srv, admin: admin, db: store.DB, trips: &floorTrips, d: d}
	var rows []row
	measure := func(ops []operation) error {
		for _, op := range ops {
			r, err := h.measure(op)
			if err != nil {
				return fmt.Errorf("%s: %w", op.name, err)
			}
			fmt.Println(r.line())
			rows = append(rows, r)
		}
		return nil
	}
	ops := h.operations()
	if err := measure(ops); err != nil {
		return err
	}
	// Shipments go in after the warehousing reads, so that those are measured on the data set
	// they were first measured on (docs/PERFORMANCE.md).
	seedStart = time.Now()
	if err := seedShipments(context.Background(), store.DB, d, c.shipPer*c.scale); err != nil {
		return err
	}
	fmt.Printf("seeded %d shipments with %d tracking events in %s\n", d.shipments, d.events, time.Since(seedStart).Round(time.Second))
	tops := h.transportOperations()
	if err := measure(tops); err != nil {
		return err
	}
	ops = append(ops, tops...)
	// Counting is exact only without the server's background work (events relay, webhook
	// polls, sweeps): stop it, and count through the same handler built here.
	srv.stop()
	if err := h.inProcess(); err != nil {
		return err
	}
	for i, op := range ops {
		if err := h.count(op, &rows[i]); err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		fmt.Printf("%-40s round trips %.1f (floor %.1f), allocs %.0f (floor %.0f)\n", op.name, rows[i].trips, rows[i].floorTrips, rows[i].allocs, rows[i].floorAllocs)
	}
	growth, err := h.growth()
	if err != nil {
		return err
	}
	invoiceRuns, err := h.invoiceGrowth()
	if err != nil {
		return fmt.Errorf("invoice-run growth: %w", err)
	}
	growth = append(growth, invoiceRuns...)
	table := h.table(rows, growth, time.Since(began))
	fmt.Println()
	fmt.Println(table)
	if c.out != "" {
		if err := os.WriteFile(c.out, []byte(table), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// server is the running binary.
type server struct {
	cmd       *exec.Cmd
	base, ops string
	done      chan error
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startServer(bin, uri, dir string) (*server, error) {
	addr, ops := freePort(), freePort()
	logs, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	// One pooled connection, as the server keeps to its own embedded store (ARCHITECTURE.md).
	cmd.Env = append(os.Environ(), "MONGODB_URI="+strings.TrimSuffix(uri, "/")+"/?maxPoolSize=1",
		"TRADEHUB_ADDR="+addr, "TRADEHUB_METRICS_ADDR="+ops, "TRADEHUB_DEMO=1", "TRADEHUB_ENV=development",
		"TRADEHUB_LOG_LEVEL=warn", "TRADEHUB_COST_BUCKET=10000000", "TRADEHUB_COST_RESTORE=1000000",
		// The store is the harness's embedded one: poll the events relay as the server does on
		// its own embedded store (through MONGODB_URI it would poll as on MongoDB).
		"TRADEHUB_EVENTS_POLL=5s")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr, ops: ops, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("tradehub exited at start: %v (see its log)", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.stop()
	return nil, errors.New("tradehub was not ready within 90s")
}

func signIn(base, email string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	_, code, err := gql(c, base, `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { userErrors { code } } }`,
		map[string]any{"e": email, "p": "tradehub-demo-2026"})
	if err != nil || code != "" {
		return nil, fmt.Errorf("sign in %s: %v %s", email, err, code)
	}
	return c, nil
}

func gql(c *http.Client, base, query string, vars map[string]any) (map[string]any, string, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
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
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, "", fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		return out.Data, code + ": " + out.Errors[0].Message, nil
	}
	return out.Data, "", nil
}

// dataset is what was seeded.
type dataset struct {
	accounts                 []string
	warehouse                string // SZX1: every seeded balance and order is there
	skusOf                   map[string][]string
	skus, orders, usage      int
	orderTemplate, usageTmpl bson.M
	movementTmpl             bson.M
	ship                     *shipmentTemplates // transport.go
	quoteTmpl                bson.M
	shipments, events        int
	seq                      atomic.Int64
}

func (d *dataset) account(r *rand.Rand) string { return d.accounts[r.IntN(len(d.accounts))] }

// clone copies a template document.
func clone(m bson.M) bson.M {
	raw, _ := bson.Marshal(m)
	var out bson.M
	_ = bson.Unmarshal(raw, &out)
	return out
}

func one(ctx context.Context, db *mongo.Database, coll string, filter bson.M) (bson.M, error) {
	var d bson.M
	if err := db.Collection(coll).FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, fmt.Errorf("template from %s: %w", coll, err)
	}
	delete(d, "outbox")
	return d, nil
}

func insert(ctx context.Context, db *mongo.Database, coll string, docs []any) error {
	for i := 0; i < len(docs); i += 1000 {
		if _, err := db.Collection(coll).InsertMany(ctx, docs[i:min(i+1000, len(docs))], options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("seed %s: %w", coll, err)
		}
	}
	return nil
}

// seed clones the demo's documents: accounts (beyond the three demo sellers), and for every
// account its SKUs, their balances in SZX1, orders of two lines each, and usage records.
func seed(ctx context.Context, db *mongo.Database, c config) (*dataset, error) {
	d := &dataset{skusOf: map[string][]string{}}
	acct, err := one(ctx, db, "accounts", bson.M{})
	if err != nil {
		return nil, err
	}
	wh, err := one(ctx, db, "warehouses", bson.M{"code": "SZX1"})
	if err != nil {
		return nil, err
	}
	d.warehouse = wh["_id"].(string)
	sku, err := one(ctx, db, "skus", bson.M{"code": "BL-LAMP-01"})
	if err != nil {
		return nil, err
	}
	bal, err := one(ctx, db, "inventory_balances", bson.M{"_id": sku["_id"].(string) + ":" + d.warehouse})
	if err != nil {
		return nil, err
	}
	if d.orderTemplate, err = one(ctx, db, "fulfilment_orders", bson.M{"status": "RESERVED"}); err != nil {
		return nil, err
	}
	if d.usageTmpl, err = one(ctx, db, "usage", bson.M{}); err != nil {
		return nil, err
	}
	if d.movementTmpl, err = one(ctx, db, "stock_movements", bson.M{}); err != nil {
		return nil, err
	}
	cur, err := db.Collection("accounts").Find(ctx, bson.M{})
	if err != nil {
		return nil, err
	}
	var existing []bson.M
	if err := cur.All(ctx, &existing); err != nil {
		return nil, err
	}
	for _, a := range existing {
		d.accounts = append(d.accounts, a["_id"].(string))
	}
	var accounts []any
	for i := len(d.accounts); i < c.accounts; i++ {
		a := clone(acct)
		a["_id"] = ids.New(ids.Account)
		a["legalName"] = fmt.Sprintf("Bench Seller %02d Ltd", i)
		a["billingEmail"] = fmt.Sprintf("billing@bench%02d.test", i)
		accounts = append(accounts, a)
		d.accounts = append(d.accounts, a["_id"].(string))
	}
	if len(accounts) > 0 {
		if err := insert(ctx, db, "accounts", accounts); err != nil {
			return nil, err
		}
	}
	skusPer, ordersPer, usagePer := 20*c.scale, 50*c.scale, 50*c.scale
	var skus, bals, orders, usage []any
	now := time.Now().UTC()
	for ai, a := range d.accounts {
		for i := range skusPer {
			k := clone(sku)
			id := ids.New(ids.SKU)
			code := fmt.Sprintf("BENCH-%02d-%05d", ai, i)
			k["_id"], k["accountId"], k["code"], k["name"] = id, a, code, "Bench item "+code
			k["nameKey"] = strings.ToLower("bench item " + code + " " + code)
			k["reorderPoints"] = bson.A{}
			skus = append(skus, k)
			b := clone(bal)
			b["_id"], b["accountId"], b["skuId"], b["warehouseId"] = id+":"+d.warehouse, a, id, d.warehouse
			b["onHand"], b["available"], b["reserved"], b["pendingMovements"] = int64(1000), int64(1000), int64(0), bson.A{}
			bals = append(bals, b)
			d.skusOf[a] = append(d.skusOf[a], id)
		}
		for i := range ordersPer {
			orders = append(orders, d.newOrder(a, fmt.Sprintf("bench-%d", i), now.Add(-time.Duration(ordersPer-i)*time.Minute)))
		}
		for i := range usagePer {
			u := clone(d.usageTmpl)
			u["_id"], u["accountId"], u["sourceKey"] = ids.New(ids.Usage), a, fmt.Sprintf("bench:%d:%d", ai, i)
			u["occurredAt"] = now.Add(-time.Duration(usagePer-i) * time.Minute)
			usage = append(usage, u)
		}
	}
	for coll, docs := range map[string][]any{"skus": skus, "inventory_balances": bals, "fulfilment_orders": orders, "usage": usage} {
		if err := insert(ctx, db, coll, docs); err != nil {
			return nil, err
		}
	}
	d.skus, d.orders, d.usage = len(skus), len(orders), len(usage)
	if d.quoteTmpl, err = one(ctx, db, transport.CollQuotes, bson.M{}); err != nil {
		return nil, err
	}
	return d, nil
}

// newOrder is a RESERVED order of two of the account's SKUs (the seeded balances are not
// charged for it: the benchmark reads orders, it does not fulfil them).
func (d *dataset) newOrder(account, key string, at time.Time) bson.M {
	o := clone(d.orderTemplate)
	skus := d.skusOf[account]
	n := d.seq.Add(1)
	o["_id"], o["accountId"], o["idempotencyKey"], o["warehouseId"] = ids.New(ids.Order), account, key, d.warehouse
	o["payloadHash"] = fmt.Sprintf("bench-%d", n)
	o["lines"] = bson.A{
		bson.M{"skuId": skus[int(n)%len(skus)], "quantity": int64(2), "reserved": int64(2)},
		bson.M{"skuId": skus[int(n*7)%len(skus)], "quantity": int64(1), "reserved": int64(1)},
	}
	o["createdAt"], o["updatedAt"] = at, at
	return o
}

// operation is one benchmarked operation: its GraphQL form and its floor.
type operation struct {
	name  string
	query string
	vars  func(r *rand.Rand) map[string]any
	floor func(ctx context.Context, r *rand.Rand) error
}

type harness struct {
	c     config
	srv   *server
	admin *http.Client
	db    *mongo.Database
	trips *atomic.Int64
	d     *dataset
	// counted and timed are the GraphQL handler in this process, for counting round trips and
	// for timing (see inProcess).
	counted, timed http.Handler

	auditOnce sync.Once // the audit entry the quote's floor clones (transport.go)
	auditTmpl bson.M
	auditErr  error
}

func (h *harness) find(ctx context.Context, coll string, filter bson.M, sortBy bson.D, limit int64) ([]bson.M, error) {
	o := options.Find()
	if sortBy != nil {
		o.SetSort(sortBy)
	}
	if limit > 0 {
		o.SetLimit(limit)
	}
	cur, err := h.db.Collection(coll).Find(ctx, filter, o)
	if err != nil {
		return nil, err
	}
	var out []bson.M
	return out, cur.All(ctx, &out)
}

// skusAndWarehouses is the floor of a page's relations: one $in for the SKUs, one for the
// warehouses.
func (h *harness) skusAndWarehouses(ctx context.Context, skus, warehouses []string) error {
	if _, err := h.find(ctx, "skus", bson.M{"_id": bson.M{"$in": skus}}, nil, 0); err != nil {
		return err
	}
	_, err := h.find(ctx, "warehouses", bson.M{"_id": bson.M{"$in": warehouses}}, nil, 0)
	return err
}

func (h *harness) operations() []operation {
	acctVars := func(r *rand.Rand) map[string]any { return map[string]any{"a": h.d.account(r)} }
	return []operation{
		{name: "orders (20, lines, SKUs, warehouse)",
			query: `query($a: ID!) { fulfilmentOrders(accountId: $a, first: 20) { nodes { id status reference warehouse { code name } lines { quantity reserved sku { code name } } } pageInfo { hasNextPage endCursor } } }`,
			vars:  acctVars,
			floor: func(ctx context.Context, r *rand.Rand) error {
				os, err := h.find(ctx, "fulfilment_orders", bson.M{"accountId": h.d.account(r)}, bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}, 21)
				if err != nil {
					return err
				}
				var skus, whs []string
				for _, o := range os {
					whs = append(whs, o["warehouseId"].(string))
					for _, l := range o["lines"].(bson.A) {
						skus = append(skus, l.(bson.M)["skuId"].(string))
					}
				}
				return h.skusAndWarehouses(ctx, skus, whs)
			}},
		{name: "inventory balances (20, SKU, warehouse)",
			query: `query($a: ID!) { inventoryBalances(accountId: $a, first: 20) { nodes { onHand available reserved sku { code name } warehouse { code } } pageInfo { hasNextPage } } }`,
			vars:  acctVars,
			floor: func(ctx context.Context, r *rand.Rand) error {
				bs, err := h.find(ctx, "inventory_balances", bson.M{"accountId": h.d.account(r)}, bson.D{{Key: "skuId", Value: 1}, {Key: "_id", Value: 1}}, 21)
				if err != nil {
					return err
				}
				var skus, whs []string
				for _, b := range bs {
					skus, whs = append(skus, b["skuId"].(string)), append(whs, b["warehouseId"].(string))
				}
				return h.skusAndWarehouses(ctx, skus, whs)
			}},
		{name: "one SKU with its balances",
			query: `query($s: ID!) { sku(id: $s) { code name balances { onHand available warehouse { code } } } }`,
			vars: func(r *rand.Rand) map[string]any {
				a := h.d.account(r)
				return map[string]any{"s": h.d.skusOf[a][r.IntN(len(h.d.skusOf[a]))]}
			},
			floor: func(ctx context.Context, r *rand.Rand) error {
				a := h.d.account(r)
				s := h.d.skusOf[a][r.IntN(len(h.d.skusOf[a]))]
				if _, err := h.find(ctx, "skus", bson.M{"_id": s}, nil, 1); err != nil {
					return err
				}
				if _, err := h.find(ctx, "inventory_balances", bson.M{"skuId": s}, nil, 0); err != nil {
					return err
				}
				_, err := h.find(ctx, "warehouses", bson.M{"_id": bson.M{"$in": []string{h.d.warehouse}}}, nil, 0)
				return err
			}},
		{name: "usage records (20)",
			query: `query($a: ID!) { usageRecords(accountId: $a, first: 20) { nodes { code quantity occurredAt } pageInfo { hasNextPage } } }`,
			vars:  acctVars,
			floor: func(ctx context.Context, r *rand.Rand) error {
				_, err := h.find(ctx, "usage", bson.M{"accountId": h.d.account(r)}, bson.D{{Key: "occurredAt", Value: 1}, {Key: "_id", Value: 1}}, 21)
				return err
			}},
	}
}

// row is one operation's results.
type row struct {
	name                    string
	ops                     int
	throughput              float64
	p50, p95, p99           time.Duration
	trips, allocs           float64
	floorOps                int
	floorThroughput         float64
	floorP50, floorP95      time.Duration
	floorTrips, floorAllocs float64
	errors                  int
	firstError              string
}

func (r row) line() string {
	return fmt.Sprintf("%-40s %6.1f op/s  p50 %-9s p95 %-9s p99 %-9s | floor %6.1f op/s p50 %-9s | p50 ×%.2f",
		r.name, r.throughput, r.p50, r.p95, r.p99, r.floorThroughput, r.floorP50, ratio(r.p50, r.floorP50))
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// drive runs f with n goroutines for d and returns the latencies of the calls that succeeded.
func drive(n int, d time.Duration, f func(r *rand.Rand) error) (lat []time.Duration, errs int, first string) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 42))
			var mine []time.Duration
			var bad int
			var msg string
			for time.Now().Before(stop) {
				t := time.Now()
				if err := f(r); err != nil {
					bad++
					if msg == "" {
						msg = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			if first == "" {
				first = msg
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, errs, first
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	d := lat[min(len(lat)-1, int(p*float64(len(lat))))]
	switch {
	case d > 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

func (h *harness) call(op operation, r *rand.Rand) error {
	_, code, err := gql(h.admin, h.srv.base, op.query, op.vars(r))
	if err == nil && code != "" {
		err = errors.New(code)
	}
	return err
}

// inProcess builds the GraphQL handler over this process's store client (whose command monitor
// counts round trips), signed in as the platform admin, as the round-trip tests do.
func (h *harness) inProcess() error {
	ctx := context.Background()
	var admin bson.M
	if err := h.db.Collection("users").FindOne(ctx, bson.M{"email": "admin@tradehub.test"}).Decode(&admin); err != nil {
		return fmt.Errorf("find the admin: %w", err)
	}
	logger := slog.New(slog.DiscardHandler)
	acc, err := access.New(ctx, h.db.Client(), h.db, logger)
	if err != nil {
		return err
	}
	use := usage.NewService(h.db, clock.System())
	svc := warehousing.NewService(warehousing.Config{DB: h.db, Access: acc, Usage: use, Logger: logger})
	// Quotes here name their origin address (not a warehouse), so transport needs no
	// warehouse directory.
	tsp := transport.NewService(transport.Config{DB: h.db, Access: acc, Usage: use, Logger: logger})
	bill := billing.NewService(billing.Config{DB: h.db, Access: acc, Usage: use, Accounts: benchCustomers{h.db, h.d.accounts},
		Clock: clock.System(), Logger: logger, Issuer: billing.DemoIssuer})
	p := &auth.Principal{Kind: auth.KindUser, UserID: admin["_id"].(string)}
	// Mutations are audited as in the server (one entry each).
	handler := func(loaderWait time.Duration) http.Handler {
		gh := graph.NewHandler(&graph.Resolver{Logger: logger, Warehousing: svc, Transport: tsp, Billing: bill}, graph.ServerConfig{Logger: logger,
			Audit: audit.New(h.db, clock.System(), nil), LoaderWait: loaderWait,
			Cost: cost.Config{BucketSize: 10_000_000, RestoreRate: 1_000_000}})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gh.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
		})
	}
	// Counting waits long enough for keys that a starved CPU cannot split a batch, so the counts
	// are exact (as in graph/loaders' round-trip tests); timing uses the server's wait.
	h.counted, h.timed = handler(250*time.Millisecond), handler(0)
	return nil
}

// localCall runs op once through an in-process handler (h.counted or h.timed).
func (h *harness) localCall(through http.Handler, op operation, r *rand.Rand) error {
	_, err := h.localDo(through, op.query, op.vars(r))
	return err
}

// localDo runs a document through an in-process handler and returns its data.
func (h *harness) localDo(through http.Handler, query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	through.ServeHTTP(rec, req)
	var out struct {
		Data   map[string]any             `json:"data"`
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 {
		return nil, fmt.Errorf("in-process call: %v %s", err, rec.Body.String())
	}
	return out.Data, nil
}

// benchCustomers gives the in-process billing service the seeded accounts (trusted reads of
// the accounts collection, as the server's adapter over the accounts service does).
type benchCustomers struct {
	db  *mongo.Database
	ids []string
}

func (b benchCustomers) Customer(ctx context.Context, id string) (billing.Customer, error) {
	var a struct {
		LegalName, Country, DefaultCurrency, BillingEmail string
	}
	if err := b.db.Collection("accounts").FindOne(ctx, bson.M{"_id": id}).Decode(&a); err != nil {
		return billing.Customer{}, fmt.Errorf("account %s: %w", id, err)
	}
	c, err := money.ParseCurrency(a.DefaultCurrency)
	if err != nil {
		return billing.Customer{}, err
	}
	return billing.Customer{AccountID: id, LegalName: a.LegalName, Country: a.Country, Currency: c, Email: a.BillingEmail}, nil
}

func (b benchCustomers) AccountIDs(context.Context) ([]string, error) { return b.ids, nil }

// perCall is the store round trips and allocations per call of f over n calls, after one to warm
// the caches (parsed queries, the access policy).
func (h *harness) perCall(n int, f func(r *rand.Rand) error) (trips, allocs float64, err error) {
	r := rand.New(rand.NewPCG(9, 9))
	if err := f(r); err != nil {
		return 0, 0, err
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := h.trips.Load()
	for range n {
		if err := f(r); err != nil {
			return 0, 0, err
		}
	}
	t1 := h.trips.Load()
	runtime.ReadMemStats(&m1)
	return float64(t1-t0) / float64(n), float64(m1.Mallocs-m0.Mallocs) / float64(n), nil
}

func (h *harness) count(op operation, r *row) error {
	var err error
	if r.trips, r.allocs, err = h.perCall(10, func(rr *rand.Rand) error { return h.localCall(h.counted, op, rr) }); err != nil {
		return err
	}
	ctx := context.Background()
	r.floorTrips, r.floorAllocs, err = h.perCall(10, func(rr *rand.Rand) error { return op.floor(ctx, rr) })
	return err
}

func (h *harness) measure(op operation) (row, error) {
	r := row{name: op.name}
	lat, errs, first := drive(h.c.clients, h.c.run, func(rr *rand.Rand) error { return h.call(op, rr) })
	r.ops, r.errors, r.firstError = len(lat), errs, first
	r.throughput = float64(len(lat)) / h.c.run.Seconds()
	r.p50, r.p95, r.p99 = pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99)
	if errs > 0 {
		return r, fmt.Errorf("%d calls failed, the first: %s", errs, first)
	}
	ctx := context.Background()
	flat, ferrs, ffirst := drive(h.c.clients, h.c.run/2, func(rr *rand.Rand) error { return op.floor(ctx, rr) })
	if ferrs > 0 {
		return r, fmt.Errorf("floor: %d calls failed, the first: %s", ferrs, ffirst)
	}
	r.floorOps = len(flat)
	r.floorThroughput = float64(len(flat)) / (h.c.run / 2).Seconds()
	r.floorP50, r.floorP95 = pct(flat, 0.50), pct(flat, 0.95)
	return r, nil
}

// growthPoint is one size of a growth check.
type growthPoint struct {
	check string
	size  int
	p50   time.Duration
	trips float64
}

// growth measures, in process, the first page of an account's orders as the collection grows
// (the other accounts' orders are in it too), and reading one balance as the movements behind it
// grow.
func (h *harness) growth() ([]growthPoint, error) {
	ctx := context.Background()
	var out []growthPoint
	a := h.d.accounts[0]
	page := operation{name: "first page", query: `query($a: ID!) { fulfilmentOrders(accountId: $a, first: 20) { nodes { id status lines { sku { code } } } } }`,
		vars: func(*rand.Rand) map[string]any { return map[string]any{"a": a} }}
	s := h.d.skusOf[a][0]
	balance := operation{name: "balance", query: `query($s: ID!) { sku(id: $s) { balances { onHand available reserved } } }`,
		vars: func(*rand.Rand) map[string]any { return map[string]any{"s": s} }}
	measure := func(check string, size int, op operation) error {
		trips, _, err := h.perCall(5, func(r *rand.Rand) error { return h.localCall(h.counted, op, r) })
		if err != nil {
			return err
		}
		lat, errs, first := drive(1, 2*time.Second, func(r *rand.Rand) error { return h.localCall(h.timed, op, r) })
		if errs > 0 {
			return errors.New(first)
		}
		out = append(out, growthPoint{check, size, pct(lat, 0.5), trips})
		fmt.Printf("growth  %-44s %8d  p50 %-9s trips %.1f\n", check, size, pct(lat, 0.5), trips)
		return nil
	}
	orders := h.d.orders
	for _, target := range []int{orders, 2 * orders, 4 * orders} {
		var docs []any
		for i := orders; i < target; i++ {
			acct := h.d.accounts[1+i%(len(h.d.accounts)-1)]
			docs = append(docs, h.d.newOrder(acct, fmt.Sprintf("growth-%d", i), time.Now().UTC()))
		}
		if len(docs) > 0 {
			if err := insert(ctx, h.db, "fulfilment_orders", docs); err != nil {
				return nil, err
			}
		}
		orders = target
		if err := measure("orders: first page of 20 vs orders stored", target, page); err != nil {
			return nil, err
		}
	}
	moved := 0
	for _, target := range []int{0, 1000 * h.c.scale, 10000 * h.c.scale} {
		var docs []any
		for ; moved < target; moved++ {
			m := clone(h.d.movementTmpl)
			m["_id"], m["accountId"], m["skuId"], m["warehouseId"] = ids.New(ids.Movement), a, s, h.d.warehouse
			m["reason"], m["delta"] = "ADJUSTMENT", bson.M{"onHand": int64(0)}
			docs = append(docs, m)
		}
		if len(docs) > 0 {
			if err := insert(ctx, h.db, "stock_movements", docs); err != nil {
				return nil, err
			}
		}
		if err := measure("balance: one SKU's balances vs its movements", target, balance); err != nil {
			return nil, err
		}
	}
	if err := h.scorecardGrowth(measure); err != nil {
		return nil, err
	}
	return out, nil
}

func (h *harness) table(rows []row, growth []growthPoint, took time.Duration) string {
	var b strings.Builder
	host, _ := os.Hostname()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&b, "Machine: %s, %d CPUs (%s/%s, %s), load average at the end %s; store: embedded FerretDB v1.24 (SQLite) in the harness, the server through one connection.\n",
		host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	fmt.Fprintf(&b, "Data: %d accounts, %d SKUs (one balance each), %d orders, %d usage records, %d shipments with %d tracking events (-scale %d). %d clients, %s per operation (floor: %s). Whole run: %s.\n\n",
		len(h.d.accounts), h.d.skus, h.d.orders, h.d.usage, h.d.shipments, h.d.events, h.c.scale, h.c.clients, h.c.run, h.c.run/2, took.Round(time.Second))
	b.WriteString("| operation | gateway op/s | p50 | p95 | p99 | store round trips/op | floor op/s | floor p50 | floor round trips | p50 gateway/floor | op/s floor/gateway | allocs/op (all) | floor allocs/op | gateway's allocs/op |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %.1f | %s | %s | %s | %.1f | %.1f | %s | %.1f | %.2f | %.2f | %.0f | %.0f | %.0f |\n",
			r.name, r.throughput, r.p50, r.p95, r.p99, r.trips, r.floorThroughput, r.floorP50, r.floorTrips,
			ratio(r.p50, r.floorP50), r.floorThroughput/max(r.throughput, 0.001), r.allocs, r.floorAllocs, max(0, r.allocs-r.floorAllocs))
	}
	b.WriteString("\nallocs/op (all) counts the handler, the driver and the in-process embedded store together; the floor's count is the driver and the store doing the same reads, so the difference is the gateway's own.\n")
	b.WriteString("\n| growth check (in process, one client) | size | p50 | store round trips/op |\n|---|---:|---:|---:|\n")
	for _, g := range growth {
		trips := fmt.Sprintf("%.1f", g.trips)
		if g.trips < 0 {
			trips = "(timed only)"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", g.check, g.size, g.p50, trips)
	}
	return b.String()
}

// invoiceGrowth bills one account's month of N usage records with one invoice run, then
// finalizes the invoice (which freezes every record on it), through the in-process GraphQL
// handler as the platform admin, for each N of -invoice-growth: both should grow linearly with
// N. In process, as the other growth checks: without the server's 30 s request limit (which
// would cut a long run into several calls) and its background work. Each size gets a month of
// its own, so an earlier run's invoice does not hold the records of a later one.
func (h *harness) invoiceGrowth() ([]growthPoint, error) {
	a := h.d.accounts[0]
	var out []growthPoint
	for i, field := range strings.Split(h.c.invoices, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-invoice-growth: %q is not a count", field)
		}
		// Months of 2026 before this one: the demo price books start on 1 January 2026, and the
		// seeded usage is in the current month. The records are spread over the month.
		month := time.Date(2026, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC)
		step := 28 * 24 * time.Hour / time.Duration(n)
		docs := make([]any, n)
		for j := range docs {
			u := clone(h.d.usageTmpl)
			u["_id"], u["accountId"], u["sourceKey"] = ids.New(ids.Usage), a, fmt.Sprintf("bench-invoice:%d:%d", i, j)
			u["occurredAt"], u["invoiceId"] = month.Add(time.Duration(j)*step), ""
			docs[j] = u
		}
		if err := insert(context.Background(), h.db, "usage", docs); err != nil {
			return nil, err
		}

		began := time.Now()
		data, err := h.localDo(h.timed, `mutation($p: String!, $a: ID!) { runInvoices(input: {period: $p, accountId: $a}) { claimed invoices { id } userErrors { code field } } }`,
			map[string]any{"p": month.Format("2006-01"), "a": a})
		if err != nil {
			return nil, fmt.Errorf("run of %d records: %w", n, err)
		}
		took := time.Since(began)
		var run struct {
			RunInvoices struct {
				Claimed  int
				Invoices []struct{ ID string }
			}
		}
		if err := remarshal(data, &run); err != nil || run.RunInvoices.Claimed != n || len(run.RunInvoices.Invoices) != 1 {
			return nil, fmt.Errorf("run of %d records answered %+v (%v): want all claimed on one invoice", n, run, err)
		}
		out = append(out, growthPoint{"invoice run: one account's month vs usage records", n, took.Round(time.Millisecond), -1})
		fmt.Printf("growth  %-44s %8d  took %s (%s per record)\n", "invoice run", n, took.Round(time.Millisecond), (took / time.Duration(n)).Round(time.Microsecond))

		began = time.Now()
		data, err = h.localDo(h.timed, `mutation($id: ID!) { finalizeInvoice(input: {invoiceId: $id}) { invoice { status } userErrors { code field message } } }`,
			map[string]any{"id": run.RunInvoices.Invoices[0].ID})
		if err != nil {
			return nil, fmt.Errorf("finalize of %d records: %w", n, err)
		}
		took = time.Since(began)
		var fin struct {
			FinalizeInvoice struct{ Invoice struct{ Status string } }
		}
		if err := remarshal(data, &fin); err != nil || fin.FinalizeInvoice.Invoice.Status != "FINALIZED" {
			return nil, fmt.Errorf("finalize of %d records answered %+v (%v): want FINALIZED", n, data, err)
		}
		out = append(out, growthPoint{"finalize: one invoice vs the usage records on it", n, took.Round(time.Millisecond), -1})
		fmt.Printf("growth  %-44s %8d  took %s (%s per record)\n", "finalize", n, took.Round(time.Millisecond), (took / time.Duration(n)).Round(time.Microsecond))
	}
	return out, nil
}

// remarshal decodes a response's untyped data into a typed value.
func remarshal(data map[string]any, v any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
