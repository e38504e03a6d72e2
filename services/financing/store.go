package financing

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsoncodec"
	"go.mongodb.org/mongo-driver/bson/bsonrw"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// Collections.
const (
	CollProducts   = "financing_products"
	CollFacilities = "financing_facilities"
	CollRequests   = "financing_requests" // carries an outbox: declare it to the events relay
	CollLoans      = "financing_loans"    // carries an outbox: declare it to the events relay
	CollClaims     = "financing_claims"
)

// Field names of the stored documents. The domain types are stored inline (the driver lowercases
// their field names); these are the ones queries use.
const (
	fID         = "_id"
	fVersion    = "version"
	fAccountID  = "accountid"
	fPartnerID  = "partnerid"
	fProductID  = "productid"
	fStatus     = "status"
	fOutstand   = "outstanding.amount"
	fHeadroom   = "headroom"
	fRequestID  = "requestid"
	fCollateral = "collateral.collateralref.id"
	fOwner      = "owner"
	// A loan's, for its account's repayment history.
	fRepaidAt             = "repaidat"
	fDueDate              = "duedate"
	fCurrency             = "currency"
	fOutstandingPrincipal = "outstanding.principal"
)

// registry stores money.Currency as its ISO code, so that domain types with money.Money fields
// can be stored inline.
var registry = func() *bsoncodec.Registry {
	r := bson.NewRegistry()
	t := reflect.TypeOf(money.Currency{})
	r.RegisterTypeEncoder(t, bsoncodec.ValueEncoderFunc(func(_ bsoncodec.EncodeContext, w bsonrw.ValueWriter, v reflect.Value) error {
		return w.WriteString(v.Interface().(money.Currency).Code())
	}))
	r.RegisterTypeDecoder(t, bsoncodec.ValueDecoderFunc(func(_ bsoncodec.DecodeContext, rd bsonrw.ValueReader, v reflect.Value) error {
		s, err := rd.ReadString()
		if err != nil {
			return err
		}
		if s == "" {
			v.Set(reflect.ValueOf(money.Currency{}))
			return nil
		}
		c, err := money.ParseCurrency(s)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(c))
		return nil
	}))
	return r
}()

type productDoc struct {
	ID      string `bson:"_id"`
	Product `bson:",inline"`
}

type facilityDoc struct {
	ID string `bson:"_id"`
	// Headroom is limit − outstanding, stored so that a drawdown can guard on it.
	Headroom int64 `bson:"headroom"`
	Facility `bson:",inline"`
}

type requestDoc struct {
	ID      string `bson:"_id"`
	Version int64  `bson:"version"`
	Request `bson:",inline"`
}

type loanDoc struct {
	ID      string `bson:"_id"`
	Version int64  `bson:"version"`
	Loan    `bson:",inline"`
}

// claimDoc holds a piece of collateral for one request, then its loan: its _id is the
// collateral's key, so a second claim is a duplicate key.
type claimDoc struct {
	ID        string    `bson:"_id"`
	AccountID string    `bson:"accountId"`
	Owner     string    `bson:"owner"` // the request id
	LoanID    string    `bson:"loanId,omitempty"`
	At        time.Time `bson:"at"`
}

// Indexes are the financing collections' indexes.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{
		{Collection: CollProducts, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fPartnerID, Value: 1}, {Key: fID, Value: 1}}, Options: options.Index()},
		}},
		{Collection: CollFacilities, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fProductID, Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: fPartnerID, Value: 1}, {Key: fAccountID, Value: 1}}, Options: options.Index()},
		}},
		{Collection: CollRequests, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fID, Value: -1}}, Options: options.Index()},
			{Keys: bson.D{{Key: fPartnerID, Value: 1}, {Key: fStatus, Value: 1}}, Options: options.Index()},
		}},
		{Collection: CollLoans, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fRequestID, Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fID, Value: -1}}, Options: options.Index()},
			{Keys: bson.D{{Key: fPartnerID, Value: 1}, {Key: fStatus, Value: 1}}, Options: options.Index()},
			{Keys: bson.D{{Key: fStatus, Value: 1}}, Options: options.Index()},
			{Keys: bson.D{{Key: fCollateral, Value: 1}}, Options: options.Index()},
		}},
		{Collection: CollClaims, Models: []mongo.IndexModel{
			{Keys: bson.D{{Key: fOwner, Value: 1}}, Options: options.Index()},
		}},
	}
}

func findAll[T any](ctx context.Context, c *mongo.Collection, filter bson.D, opts ...*options.FindOptions) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, errs.Internalf("financing: find in %s: %w", c.Name(), err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Internalf("financing: decode %s: %w", c.Name(), err)
	}
	return out, nil
}

func findOne[T any](ctx context.Context, c *mongo.Collection, filter bson.D) (T, error) {
	var out T
	err := c.FindOne(ctx, filter).Decode(&out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return out, ErrNotFound
	}
	if err != nil {
		return out, errs.Internalf("financing: find in %s: %w", c.Name(), err)
	}
	return out, nil
}

// setOf returns a $set of every field of v except _id and the outbox, for version-guarded
// updates of a document that carries an outbox (which must never be replaced wholesale).
func setOf(v any) (bson.D, error) {
	raw, err := bson.MarshalWithRegistry(registry, v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	out := d[:0]
	for _, e := range d {
		if e.Key != fID && e.Key != "outbox" && e.Key != fVersion {
			out = append(out, e)
		}
	}
	return out, nil
}
