package bulk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/internal/mongodb/mongotest"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/bulk"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

const account = "acct_01jxxxxxxxxxxxxxxxxxxxxxxx"

// allowOne lets every caller do everything in one account, and nothing elsewhere.
type allowOne struct{}

func (allowOne) Require(_ context.Context, domain string, _ access.Resource, _ access.Action) error {
	if domain == account {
		return nil
	}
	return errs.E(errs.NotFound, "not found")
}

// items is a connection of n numbered items served in pages; block, when set, makes every
// page wait for it (or for the context).
type items struct {
	n     int
	block chan struct{}
	pages int
}

func (q *items) Check(doc string, _ int) error {
	if !strings.HasPrefix(doc, "{") {
		return errs.InvalidField("input.query", "not a query")
	}
	return nil
}

func (q *items) Page(ctx context.Context, _ string, after string, size int) (bulk.Page, error) {
	if _, ok := auth.PrincipalFrom(ctx); !ok {
		return bulk.Page{}, errs.E(errs.Unauthenticated, "no caller")
	}
	if q.block != nil {
		select {
		case <-q.block:
		case <-ctx.Done():
			return bulk.Page{}, ctx.Err()
		}
	}
	q.pages++
	start := 0
	if after != "" {
		fmt.Sscan(after, &start)
	}
	var p bulk.Page
	for i := start; i < min(start+size, q.n); i++ {
		p.Items = append(p.Items, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)))
	}
	p.HasNext = start+size < q.n
	p.EndCursor = fmt.Sprint(start + size)
	return p, nil
}

type env struct {
	svc   *bulk.Service
	db    *mongo.Database
	dir   string
	clock *clock.Fake
	q     *items
}

func newEnv(t *testing.T, q *items, maxObjects int64) env {
	t.Helper()
	db := mongotest.DB(t)
	if err := mongodb.EnsureIndexes(context.Background(), db, bulk.Indexes()...); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	svc, err := bulk.New(bulk.Config{DB: db, Access: allowOne{}, Query: q, Dir: dir, PageSize: 3, MaxObjects: maxObjects,
		Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return env{svc: svc, db: db, dir: dir, clock: clk, q: q}
}

func caller() context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: "usr_1"})
}

func (e env) file(t *testing.T, id string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(e.dir + "/" + id + ".jsonl")
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

func TestRunPagesToAFile(t *testing.T) {
	e := newEnv(t, &items{n: 7}, 0)
	ex, err := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"})
	if err != nil || ex.Status != bulk.Created {
		t.Fatalf("run: %+v %v", ex, err)
	}
	// One export per account at a time.
	if _, err := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"}); !errs.IsCode(err, errs.Conflict) {
		t.Errorf("second run: %v", err)
	}
	if ran, err := e.svc.RunNext(context.Background()); !ran || err != nil {
		t.Fatalf("RunNext: %v %v", ran, err)
	}
	got, err := e.svc.Get(caller(), ex.ID)
	if err != nil || got.Status != bulk.Completed || got.ObjectCount != 7 || e.q.pages != 3 || got.ExpiresAt == nil ||
		!got.ExpiresAt.Equal(got.CompletedAt.Add(bulk.Retention)) {
		t.Fatalf("after the run: %+v (pages %d) %v", got, e.q.pages, err)
	}
	body, _ := e.file(t, ex.ID)
	if want := `{"n":0}` + "\n"; !strings.HasPrefix(body, want) || strings.Count(body, "\n") != 7 || int64(len(body)) != got.FileSize {
		t.Errorf("file %q (size %d)", body, got.FileSize)
	}
	// Finished: the account may run another.
	if _, err := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"}); err != nil {
		t.Errorf("run after completion: %v", err)
	}
	// Another account's export is not found; neither is a bad query accepted.
	other := auth.WithPrincipal(context.Background(), &auth.Principal{Kind: auth.KindUser, UserID: "usr_2"})
	if _, err := e.svc.Run(other, bulk.RunInput{AccountID: "acct_other", Query: "{ items }"}); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("foreign account: %v", err)
	}
}

// A process that stopped mid-export leaves it RUNNING with a lease; once the lease lapses the
// next worker runs it again from the start, and after MaxAttempts starts it fails cleanly.
func TestInterruptedExportsResumeOrFail(t *testing.T) {
	e := newEnv(t, &items{n: 4}, 0)
	now := e.clock.Now()
	stale := now.Add(-time.Minute)
	resumeID, giveUpID := ids.New(ids.BulkOperation), ids.New(ids.BulkOperation)
	for id, attempts := range map[string]int{resumeID: 1, giveUpID: bulk.MaxAttempts} {
		_, err := e.db.Collection(bulk.CollExports).InsertOne(context.Background(), bson.M{"_id": id, "accountId": account,
			"query": "{ items }", "status": bulk.Running, "createdBy": "usr_1", "principalKind": "USER", "createdAt": now,
			"leaseUntil": stale, "owner": "bulk_01jdeadprocessxxxxxxxxxxxx", "attempts": attempts, "objectCount": 2, "fileSize": 16})
		if err != nil {
			t.Fatal(err)
		}
		// What the dead process had written.
		if err := os.WriteFile(e.dir+"/"+id+".jsonl", []byte("{\"n\":0}\n{\"n\":1}\n{\"partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if ran, err := e.svc.RunNext(context.Background()); !ran || err != nil {
			t.Fatalf("RunNext: %v %v", ran, err)
		}
	}
	resumed, _ := e.svc.Get(caller(), resumeID)
	body, _ := e.file(t, resumed.ID)
	if resumed.Status != bulk.Completed || resumed.ObjectCount != 4 || strings.Contains(body, "partial") || strings.Count(body, "\n") != 4 {
		t.Errorf("resumed: %+v %q", resumed, body)
	}
	gaveUp, _ := e.svc.Get(caller(), giveUpID)
	if gaveUp.Status != bulk.Failed || gaveUp.ErrorCode != bulk.ErrCodeInterrupted {
		t.Errorf("gave up: %+v", gaveUp)
	}
	if _, ok := e.file(t, gaveUp.ID); ok {
		t.Error("a failed export kept its file")
	}
	// A lease still held by a live worker is left alone.
	if _, err := e.db.Collection(bulk.CollExports).InsertOne(context.Background(), bson.M{"_id": ids.New(ids.BulkOperation), "accountId": account,
		"query": "{ items }", "status": bulk.Running, "createdBy": "usr_1", "principalKind": "USER", "createdAt": now,
		"leaseUntil": now.Add(time.Minute), "owner": "bulk_01jliveprocessxxxxxxxxxxx", "attempts": 1}); err != nil {
		t.Fatal(err)
	}
	if ran, _ := e.svc.RunNext(context.Background()); ran {
		t.Error("a held export was taken over")
	}
}

func TestCancelStopsTheRunAndDeletesTheFile(t *testing.T) {
	q := &items{n: 100, block: make(chan struct{})}
	e := newEnv(t, q, 0)
	ex, err := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = e.svc.RunNext(context.Background())
	}()
	// Wait until the worker holds it.
	for {
		got, _ := e.svc.Get(caller(), ex.ID)
		if got.Status == bulk.Running {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	c, err := e.svc.Cancel(caller(), ex.ID)
	if err != nil || c.Status != bulk.Canceled {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	<-done
	if _, ok := e.file(t, ex.ID); ok {
		t.Error("a canceled export kept its file")
	}
	if got, _ := e.svc.Get(caller(), ex.ID); got.Status != bulk.Canceled {
		t.Errorf("status after the worker stopped: %s", got.Status)
	}
	if _, err := e.svc.Cancel(caller(), ex.ID); !errs.IsCode(err, errs.FailedPrecondition) {
		t.Errorf("cancel again: %v", err)
	}
	close(q.block)
	if _, err := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"}); err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

func TestTooManyObjectsFails(t *testing.T) {
	e := newEnv(t, &items{n: 10}, 5)
	ex, _ := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"})
	_, _ = e.svc.RunNext(context.Background())
	got, _ := e.svc.Get(caller(), ex.ID)
	if got.Status != bulk.Failed || got.ErrorCode != bulk.ErrCodeTooManyObjects {
		t.Errorf("%+v", got)
	}
	if _, ok := e.file(t, ex.ID); ok {
		t.Error("a failed export kept its file")
	}
}

func TestSweepExpiresAfterRetention(t *testing.T) {
	e := newEnv(t, &items{n: 2}, 0)
	ex, _ := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"})
	_, _ = e.svc.RunNext(context.Background())
	e.clock.Advance(bulk.Retention - time.Hour)
	if n, err := e.svc.Sweep(context.Background()); n != 0 || err != nil {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	if f, _, err := e.svc.Open(caller(), ex.ID); err != nil {
		t.Fatalf("open before expiry: %v", err)
	} else {
		f.Close()
	}
	e.clock.Advance(2 * time.Hour)
	if n, err := e.svc.Sweep(context.Background()); n != 1 || err != nil {
		t.Fatalf("sweep: %d %v", n, err)
	}
	got, _ := e.svc.Get(caller(), ex.ID)
	if _, ok := e.file(t, ex.ID); ok || got.Status != bulk.Expired {
		t.Errorf("after expiry: %+v, file kept %v", got, ok)
	}
	if _, _, err := e.svc.Open(caller(), ex.ID); !errs.IsCode(err, errs.NotFound) {
		t.Errorf("open after expiry: %v", err)
	}
}

// A shutdown in the middle of an export gives it up at once (no lease to wait out): the next
// start (a new Service over the same store and folder) runs it from the beginning.
func TestShutdownGivesTheExportUpForTheNextStart(t *testing.T) {
	q := &items{n: 5, block: make(chan struct{})}
	e := newEnv(t, q, 0)
	ex, err := e.svc.Run(caller(), bulk.RunInput{AccountID: account, Query: "{ items }"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.svc.Work(ctx)
	}()
	for {
		got, _ := e.svc.Get(caller(), ex.ID)
		if got.Status == bulk.Running {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-done

	restarted, err := bulk.New(bulk.Config{DB: e.db, Access: allowOne{}, Query: &items{n: 5}, Dir: e.dir, PageSize: 3,
		Clock: e.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if ran, err := restarted.RunNext(context.Background()); !ran || err != nil {
		t.Fatalf("after the restart: ran %v, %v", ran, err)
	}
	got, _ := restarted.Get(caller(), ex.ID)
	body, _ := e.file(t, ex.ID)
	if got.Status != bulk.Completed || got.ObjectCount != 5 || strings.Count(body, "\n") != 5 {
		t.Errorf("after the restart: %+v %q", got, body)
	}
}
