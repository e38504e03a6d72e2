package bulk

import (
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// Collections.
const (
	CollExports = "bulk_exports"
	// CollLocks holds one document per account with an unfinished export (_id: account id).
	CollLocks = "bulk_export_locks"
)

const (
	fAccountID   = "accountId"
	fStatus      = "status"
	fCreatedAt   = "createdAt"
	fStartedAt   = "startedAt"
	fCompletedAt = "completedAt"
	fExpiresAt   = "expiresAt"
	fLeaseUntil  = "leaseUntil"
	fOwner       = "owner"
	fAttempts    = "attempts"
	fObjectCount = "objectCount"
	fFileSize    = "fileSize"
	fErrorCode   = "errorCode"
	fErrorMsg    = "errorMessage"
)

type exportDoc struct {
	ID        string `bson:"_id"`
	AccountID string `bson:"accountId"`
	Query     string `bson:"query"`
	Status    Status `bson:"status"`
	// The caller, to run the query as them: a user, or an API key (and its creator).
	CreatedBy     string     `bson:"createdBy"`
	PrincipalKind string     `bson:"principalKind"`
	APIKeyID      string     `bson:"apiKeyId,omitempty"`
	CreatedAt     time.Time  `bson:"createdAt"`
	StartedAt     *time.Time `bson:"startedAt,omitempty"`
	CompletedAt   *time.Time `bson:"completedAt,omitempty"`
	ExpiresAt     *time.Time `bson:"expiresAt,omitempty"`
	LeaseUntil    *time.Time `bson:"leaseUntil,omitempty"`
	Owner         string     `bson:"owner,omitempty"`
	Attempts      int        `bson:"attempts"`
	ObjectCount   int64      `bson:"objectCount"`
	FileSize      int64      `bson:"fileSize"`
	ErrorCode     string     `bson:"errorCode,omitempty"`
	ErrorMessage  string     `bson:"errorMessage,omitempty"`
}

type lockDoc struct {
	ID       string `bson:"_id"`
	ExportID string `bson:"exportId"`
}

func (d exportDoc) toExport() Export {
	return Export{ID: d.ID, AccountID: d.AccountID, Query: d.Query, Status: d.Status, ObjectCount: d.ObjectCount,
		FileSize: d.FileSize, ErrorCode: d.ErrorCode, ErrorMessage: d.ErrorMessage, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt, StartedAt: d.StartedAt, CompletedAt: d.CompletedAt, ExpiresAt: d.ExpiresAt}
}

// principal is the caller the export runs as.
func (d exportDoc) principal() *auth.Principal {
	return &auth.Principal{Kind: auth.Kind(d.PrincipalKind), UserID: d.CreatedBy, APIKeyID: d.APIKeyID}
}

var exportKeyset = mongodb.Keyset[exportDoc]{
	Field: fCreatedAt,
	Key: func(d exportDoc) cursor.Cursor {
		return cursor.Cursor{Key: d.CreatedAt.UTC().Format(time.RFC3339Nano), ID: d.ID}
	},
	Value: func(k string) (any, error) { return time.Parse(time.RFC3339Nano, k) },
}

// Indexes are the exports' indexes.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{{Collection: CollExports, Models: []mongo.IndexModel{
		{
			// An account's exports in creation order (List).
			Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fCreatedAt, Value: 1}, {Key: "_id", Value: 1}},
			Options: options.Index().SetName("account_created"),
		},
		{
			// The worker's claim of unfinished exports.
			Keys:    bson.D{{Key: fStatus, Value: 1}, {Key: fLeaseUntil, Value: 1}},
			Options: options.Index().SetName("status_lease"),
		},
		{
			// The expiry sweep.
			Keys:    bson.D{{Key: fExpiresAt, Value: 1}},
			Options: options.Index().SetName("expires"),
		},
	}}}
}
