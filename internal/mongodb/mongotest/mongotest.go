// Package mongotest gives each test its own database on one embedded store per test binary, so
// tests talk to a real MongoDB-compatible server without sharing state.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }
//
// and call mongotest.DB(t) in each test. Setting MONGODB_URI runs the same tests against a real
// MongoDB deployment instead.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/mongodb"
)

// server is the one store of this test binary. It is package state because TestMain and the
// tests share it by design; nothing outside tests imports this package.
var server struct {
	mu       sync.Mutex
	uri      string
	embedded bool
	client   *mongodb.Store
}

// Run starts the embedded store (unless MONGODB_URI is set), runs the tests and stops it.
func Run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tradehub-test-store-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mongotest:", err)
		return 2
	}
	defer os.RemoveAll(dir)

	var emb *mongodb.Embedded
	server.uri = os.Getenv("MONGODB_URI")
	if server.uri == "" {
		emb, err = mongodb.StartEmbedded(mongodb.EmbeddedOptions{Dir: dir})
		if err != nil {
			fmt.Fprintln(os.Stderr, "mongotest:", err)
			return 2
		}
		server.uri = emb.URI()
		server.embedded = true
	}
	code := m.Run()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if server.client != nil {
		_ = server.client.Close(ctx)
	}
	if emb != nil {
		_ = emb.Stop(ctx)
	}
	return code
}

// URI is the test store's address; Embedded reports whether it is the embedded server.
func URI() string    { return server.uri }
func Embedded() bool { return server.embedded }

// DB returns a fresh, uniquely named database on the shared client; it is dropped when the test
// ends. The client has one connection on the embedded store, as in production.
func DB(t testing.TB) *mongo.Database {
	t.Helper()
	server.mu.Lock()
	if server.client == nil {
		if server.uri == "" {
			server.mu.Unlock()
			t.Fatal("mongotest: no store; call mongotest.Run from TestMain")
		}
		c, err := mongodb.Connect(context.Background(), mongodb.Options{
			URI: server.uri, Database: "unused", SingleConnection: server.embedded,
		})
		if err != nil {
			server.mu.Unlock()
			t.Fatalf("mongotest: %v", err)
		}
		server.client = c
	}
	client := server.client.Client
	server.mu.Unlock()
	return fresh(t, client)
}

// Store connects a separate client with a command monitor (to count round trips) and returns a
// fresh database on it. On the embedded store that client is a second connection, so use it only
// where the test does not depend on guarded updates racing across the two clients.
func Store(t testing.TB, monitor *event.CommandMonitor) *mongodb.Store {
	t.Helper()
	s, err := mongodb.Connect(context.Background(), mongodb.Options{
		URI: server.uri, Database: "unused", SingleConnection: server.embedded, Monitor: monitor,
	})
	if err != nil {
		t.Fatalf("mongotest: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	s.DB = fresh(t, s.Client)
	return s
}

func fresh(t testing.TB, client *mongo.Client) *mongo.Database {
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := client.Database("t_" + hex.EncodeToString(b[:]))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
	})
	return db
}
