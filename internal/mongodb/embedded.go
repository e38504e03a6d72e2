package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB v1 server (SQLite handler) running in this process on a loopback port.
// It speaks the MongoDB wire protocol, so the same driver code serves it and a real deployment.
//
// Connect to it with exactly one driver connection (Options.SingleConnection): FerretDB v1 reads,
// changes and writes a document back without re-checking the filter, so a guarded update is only
// atomic when every operation is serialized through one connection (see ARCHITECTURE.md).
type Embedded struct {
	dir    string // the SQLite files
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// EmbeddedOptions configure StartEmbedded.
type EmbeddedOptions struct {
	// Dir holds the SQLite files, one per database; created if missing. Data survives restarts.
	Dir string
	// Addr is the loopback listen address; empty means 127.0.0.1 on a free port.
	Addr string
	// Logger receives FerretDB's own logs. Nil discards everything below Error, which keeps
	// FerretDB quiet unless something is wrong.
	Logger *slog.Logger
}

// StartEmbedded starts the embedded store and returns once it accepts connections.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	if opts.Dir == "" {
		return nil, errors.New("embedded store: data folder is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store: data folder %q: %w", opts.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded store: create data folder: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(dir) + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: start FerretDB: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{dir: dir, uri: f.MongoDBURI(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx) // returns after ctx is cancelled and every connection has ended
	}()
	return e, nil
}

// URI is the mongodb:// address of the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Stop closes the listener, waits for open connections to end (bounded by ctx) and closes the
// SQLite files. Disconnect driver clients first so that nothing is mid-write.
func (e *Embedded) Stop(ctx context.Context) error {
	e.cancel()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded store: stop: %w", ctx.Err())
	case <-time.After(30 * time.Second):
		return errors.New("embedded store: stop: connections did not end within 30s")
	}
}
