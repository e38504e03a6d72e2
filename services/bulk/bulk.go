// Package bulk runs bulk exports, like Shopify's bulkOperationRunQuery: a caller submits a
// GraphQL query over one connection of an account (say, every shipment of a month with its
// events), and Tradehub pages through it in the background, through the same GraphQL executor
// and with the caller's own permissions, writing each node as one line of JSON (JSON Lines) to
// a file in the data folder, which the caller downloads from an authenticated HTTP route once
// the export has COMPLETED.
//
// # Rules
//
//   - Exports do not draw on the caller's query-cost bucket: they are throttled by running one
//     at a time per account, one page of cursor.MaxLimit items after another, and bounded by
//     MaxObjects and MaxFileBytes. A page's own price is still bounded (MaxPageCost), so that a
//     query nesting large connections is refused when submitted.
//   - Status: CREATED → RUNNING → COMPLETED | FAILED | CANCELED; a finished export's file is
//     deleted after Retention (status EXPIRED). FAILED and CANCELED exports keep no file.
//   - Durable: the export is a document; a worker claims it with a lease that it renews after
//     every page. If the process stops, the lease lapses and a worker (here after a restart, or
//     on another instance) starts the export again from the beginning, truncating the file; after
//     MaxAttempts starts it is FAILED. Nothing is ever half-completed.
//   - One export per account at a time: a lock document whose _id is the account id (a unique
//     claim, so two instances cannot both start one).
//   - Access: running and cancelling needs BulkExports write on the account, reading and
//     downloading BulkExports read; foreign or missing exports are NOT_FOUND alike. The query
//     itself runs as the caller, so it returns only what the caller may read.
package bulk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
)

// Status is where an export is in its life.
type Status string

const (
	Created   Status = "CREATED"
	Running   Status = "RUNNING"
	Completed Status = "COMPLETED"
	Failed    Status = "FAILED"
	Canceled  Status = "CANCELED"
	Expired   Status = "EXPIRED"
)

// Limits and timings.
const (
	// MaxObjects bounds the lines of one export (Config may lower it).
	MaxObjects = 1_000_000
	// MaxFileBytes bounds an export's file (1 GiB, which also keeps fileSize within GraphQL's Int).
	MaxFileBytes = 1 << 30
	// MaxPageCost is the most one page of the query may cost (graph/cost's price).
	MaxPageCost = 25_000
	// MaxQueryBytes bounds the submitted query.
	MaxQueryBytes = 10_000
	// Retention is how long a finished export's file can be downloaded.
	Retention = 7 * 24 * time.Hour
	// Lease is how long a worker holds an export without renewing it.
	Lease = 2 * time.Minute
	// MaxAttempts is how many times an export is started before it fails.
	MaxAttempts = 3
)

// Failure codes (Export.ErrorCode).
const (
	ErrCodeTooManyObjects = "TOO_MANY_OBJECTS"
	ErrCodeFileTooLarge   = "FILE_TOO_LARGE"
	ErrCodeQuery          = "QUERY_FAILED"
	ErrCodeInterrupted    = "INTERRUPTED"
	ErrCodeInternal       = "INTERNAL"
)

// Errors.
var (
	ErrNotFound = errs.Sentinel(errs.NotFound, "", "no such bulk export")
	// ErrAlreadyRunning: the account has an export that has not finished.
	ErrAlreadyRunning = errs.Sentinel(errs.Conflict, "BULK_EXPORT_IN_PROGRESS", "an export of this account is already running: wait for it or cancel it")
	// ErrNotCancelable: the export has already finished.
	ErrNotCancelable = errs.Sentinel(errs.FailedPrecondition, "", "the export has already finished")
)

// Export is one bulk export.
type Export struct {
	ID          string
	AccountID   string
	Query       string
	Status      Status
	ObjectCount int64
	FileSize    int64
	// ErrorCode and ErrorMessage say why a FAILED export failed.
	ErrorCode    string
	ErrorMessage string
	CreatedBy    string
	CreatedAt    time.Time
	StartedAt    *time.Time
	CompletedAt  *time.Time
	// ExpiresAt is when a finished export's file is deleted.
	ExpiresAt *time.Time
}

// Downloadable reports whether the file can be fetched.
func (e Export) Downloadable() bool { return e.Status == Completed }

// Page is one page of the exported connection.
type Page struct {
	Items     []json.RawMessage
	EndCursor string
	HasNext   bool
}

// Query is what the service needs from the GraphQL layer (graph.BulkQueries): checking a
// submitted query, and running one page of it as the caller in ctx.
type Query interface {
	// Check returns INVALID (field input.query) unless doc is one query operation selecting
	// exactly one connection field, without variables or paging arguments, whose page of
	// pageSize items costs at most MaxPageCost.
	Check(doc string, pageSize int) error
	// Page runs doc for pageSize items after the cursor ("" for the first page). Errors in the
	// response are returned as errors (with their code when they have one).
	Page(ctx context.Context, doc string, after string, pageSize int) (Page, error)
}
