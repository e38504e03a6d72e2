package usage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// Collection holds the usage records.
const Collection = "usage"

// Field names, in one place.
const (
	fID         = "_id"
	fAccountID  = "accountId"
	fCategory   = "category"
	fCode       = "code"
	fQuantity   = "quantity" // millionths of the unit, as Quantity
	fUnit       = "unit"
	fAmount     = "amount" // {minor, currency}, absent when the record has no amount
	fMinor      = "minor"
	fCurrency   = "currency"
	fOccurredAt = "occurredAt"
	fSourceKey  = "sourceKey"
	fInvoiceID  = "invoiceId" // "" until claimed: stored, so that {invoiceId: ""} can use an index
	fCreatedAt  = "createdAt"
)

type recordDoc struct {
	ID         string            `bson:"_id"`
	AccountID  string            `bson:"accountId"`
	Category   string            `bson:"category"`
	Code       string            `bson:"code"`
	Quantity   int64             `bson:"quantity"`
	Unit       string            `bson:"unit"`
	Amount     *amountDoc        `bson:"amount,omitempty"`
	OccurredAt time.Time         `bson:"occurredAt"`
	SourceKey  string            `bson:"sourceKey"`
	Attributes map[string]string `bson:"attributes,omitempty"`
	InvoiceID  string            `bson:"invoiceId"`
	CreatedAt  time.Time         `bson:"createdAt"`
}

type amountDoc struct {
	Minor    int64  `bson:"minor"`
	Currency string `bson:"currency"`
}

func toDoc(r Record) recordDoc {
	d := recordDoc{
		ID: r.ID, AccountID: r.AccountID, Category: string(r.Category), Code: r.Code,
		Quantity: int64(r.Quantity), Unit: r.Unit, OccurredAt: r.OccurredAt, SourceKey: r.SourceKey,
		Attributes: r.Attributes, InvoiceID: r.InvoiceID, CreatedAt: r.CreatedAt,
	}
	if r.Amount != nil {
		d.Amount = &amountDoc{Minor: r.Amount.Amount, Currency: r.Amount.Currency.Code()}
	}
	return d
}

func fromDoc(d recordDoc) (Record, error) {
	r := Record{
		ID: d.ID, AccountID: d.AccountID, Category: Category(d.Category), Code: d.Code,
		Quantity: Quantity(d.Quantity), Unit: d.Unit, OccurredAt: d.OccurredAt.UTC(),
		SourceKey: d.SourceKey, Attributes: d.Attributes, InvoiceID: d.InvoiceID,
		CreatedAt: d.CreatedAt.UTC(),
	}
	if d.Amount != nil {
		c, err := money.ParseCurrency(d.Amount.Currency)
		if err != nil {
			return Record{}, fmt.Errorf("usage record %s: stored currency: %w", d.ID, err)
		}
		m := money.New(d.Amount.Minor, c)
		r.Amount = &m
	}
	return r, nil
}

// Indexes are the indexes of the usage collection; ensure them at start-up.
//
// The source key is unique per account rather than globally: on a cluster sharded by accountId a
// unique index must start with the shard key, and keys name the account anyway.
func Indexes() []mongodb.Indexes {
	return []mongodb.Indexes{{
		Collection: Collection,
		Models: []mongo.IndexModel{
			{
				Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fSourceKey, Value: 1}},
				Options: options.Index().SetName("account_sourceKey").SetUnique(true),
			},
			{
				// List, and the period match of Totals.
				Keys:    bson.D{{Key: fAccountID, Value: 1}, {Key: fOccurredAt, Value: 1}, {Key: fID, Value: 1}},
				Options: options.Index().SetName("account_occurredAt_id"),
			},
			{
				// What an invoice run claims, and what a claimed invoice lists; _id completes
				// List's sort order.
				Keys: bson.D{{Key: fAccountID, Value: 1}, {Key: fInvoiceID, Value: 1},
					{Key: fOccurredAt, Value: 1}, {Key: fID, Value: 1}},
				Options: options.Index().SetName("account_invoiceId_occurredAt_id"),
			},
		},
	}}
}

func findBySourceKey(ctx context.Context, coll *mongo.Collection, accountID, key string) (recordDoc, error) {
	var d recordDoc
	err := coll.FindOne(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fSourceKey, Value: key}}).Decode(&d)
	return d, err
}

// listFilter selects an account's records by f and the window's bounds, which are already
// parsed: after and before are (occurredAt, _id) positions, nil when not given.
func listFilter(accountID string, f Filter, after, before *position) bson.D {
	and := bson.A{bson.D{{Key: fAccountID, Value: accountID}}}
	if f.Uninvoiced {
		and = append(and, bson.D{{Key: fInvoiceID, Value: ""}})
	}
	if f.Category != "" {
		and = append(and, bson.D{{Key: fCategory, Value: string(f.Category)}})
	}
	if !f.From.IsZero() {
		and = append(and, bson.D{{Key: fOccurredAt, Value: bson.D{{Key: "$gte", Value: f.From}}}})
	}
	if !f.To.IsZero() {
		and = append(and, bson.D{{Key: fOccurredAt, Value: bson.D{{Key: "$lt", Value: f.To}}}})
	}
	if after != nil {
		and = append(and, keyset(*after, "$gt"))
	}
	if before != nil {
		and = append(and, keyset(*before, "$lt"))
	}
	return bson.D{{Key: "$and", Value: and}}
}

// keyset matches the rows after (op "$gt") or before ("$lt") p in (occurredAt, _id) order.
func keyset(p position, op string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: fOccurredAt, Value: bson.D{{Key: op, Value: p.at}}}},
		bson.D{{Key: fOccurredAt, Value: p.at}, {Key: fID, Value: bson.D{{Key: op, Value: p.id}}}},
	}}}
}

func findRecords(ctx context.Context, coll *mongo.Collection, filter bson.D, forward bool, limit int) ([]Record, error) {
	dir := 1
	if !forward {
		dir = -1
	}
	cur, err := coll.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: fOccurredAt, Value: dir}, {Key: fID, Value: dir}}).
		SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("find usage: %w", err)
	}
	var docs []recordDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	out := make([]Record, len(docs))
	for i, d := range docs {
		if out[i], err = fromDoc(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// totalKey identifies a Total.
type totalKey struct {
	Category string `bson:"category"`
	Code     string `bson:"code"`
	Unit     string `bson:"unit"`
}

// sumTotals adds up an account's usage in [from, to) on the store.
//
// It runs two aggregations, each a $group with ONE $sum: FerretDB v1.24 computes only the first
// accumulator of a $group and returns 0 for the others (measured: {$sum: "$quantity"} then
// {$sum: "$amount.minor"} gave the right quantity and 0 for the amount, and the reverse order
// the reverse). One accumulator per $group is right on both stores, and the work stays on the
// server, where MongoDB serves the match from the (accountId, occurredAt, _id) index.
//
// Both read the records created at or before asOf, so that records arriving meanwhile do not make
// the two sums disagree. (A record created just before or at asOf whose insert lands between the two
// reads still can; the second read then reports a group the first did not see, or counts its
// amount only. Totals of a period that has ended are stable.)
func sumTotals(ctx context.Context, coll *mongo.Collection, accountID string, from, to, asOf time.Time) ([]Total, error) {
	match := bson.D{
		{Key: fAccountID, Value: accountID},
		{Key: fOccurredAt, Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
		{Key: fCreatedAt, Value: bson.D{{Key: "$lte", Value: asOf}}},
	}
	type quantityRow struct {
		Key totalKey      `bson:"_id"`
		Sum bson.RawValue `bson:"sum"`
	}
	var quantities []quantityRow
	err := aggregate(ctx, coll, &quantities, match, bson.D{
		{Key: "_id", Value: bson.D{
			{Key: fCategory, Value: "$" + fCategory}, {Key: fCode, Value: "$" + fCode}, {Key: fUnit, Value: "$" + fUnit},
		}},
		{Key: "sum", Value: bson.D{{Key: "$sum", Value: "$" + fQuantity}}},
	})
	if err != nil {
		return nil, fmt.Errorf("sum quantities: %w", err)
	}

	type amountRow struct {
		Key struct {
			Category string `bson:"category"`
			Code     string `bson:"code"`
			Unit     string `bson:"unit"`
			Currency string `bson:"currency"`
		} `bson:"_id"`
		Sum bson.RawValue `bson:"sum"`
	}
	var amounts []amountRow
	withAmount := append(slices.Clone(match), bson.E{Key: fAmount + "." + fCurrency, Value: bson.D{{Key: "$exists", Value: true}}})
	err = aggregate(ctx, coll, &amounts, withAmount, bson.D{
		{Key: "_id", Value: bson.D{
			{Key: fCategory, Value: "$" + fCategory}, {Key: fCode, Value: "$" + fCode}, {Key: fUnit, Value: "$" + fUnit},
			{Key: fCurrency, Value: "$" + fAmount + "." + fCurrency},
		}},
		{Key: "sum", Value: bson.D{{Key: "$sum", Value: "$" + fAmount + "." + fMinor}}},
	})
	if err != nil {
		return nil, fmt.Errorf("sum amounts: %w", err)
	}

	totals := make(map[totalKey]*Total, len(quantities))
	for _, q := range quantities {
		n, err := exactSum(q.Sum)
		if err != nil {
			return nil, fmt.Errorf("sum quantities of %s %s: %w", q.Key.Category, q.Key.Code, err)
		}
		totals[q.Key] = &Total{Category: Category(q.Key.Category), Code: q.Key.Code, Unit: q.Key.Unit, Quantity: Quantity(n)}
	}
	for _, a := range amounts {
		t := totals[totalKey{Category: a.Key.Category, Code: a.Key.Code, Unit: a.Key.Unit}]
		if t == nil {
			return nil, fmt.Errorf("amounts of %s %s without quantities: a record arrived between the two sums; try again",
				a.Key.Category, a.Key.Code)
		}
		n, err := exactSum(a.Sum)
		if err != nil {
			return nil, fmt.Errorf("sum amounts of %s %s: %w", a.Key.Category, a.Key.Code, err)
		}
		c, err := money.ParseCurrency(a.Key.Currency)
		if err != nil {
			return nil, fmt.Errorf("sum amounts of %s %s: stored currency: %w", a.Key.Category, a.Key.Code, err)
		}
		t.Amounts = append(t.Amounts, money.New(n, c))
	}

	out := make([]Total, 0, len(totals))
	for _, t := range totals {
		slices.SortFunc(t.Amounts, func(a, b money.Money) int {
			return cmp.Compare(a.Currency.Code(), b.Currency.Code())
		})
		out = append(out, *t)
	}
	order := Categories()
	slices.SortFunc(out, func(a, b Total) int {
		if c := slices.Index(order, a.Category) - slices.Index(order, b.Category); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return cmp.Compare(a.Unit, b.Unit)
	})
	return out, nil
}

func aggregate(ctx context.Context, coll *mongo.Collection, out any, match, group bson.D) error {
	cur, err := coll.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: match}},
		{{Key: "$group", Value: group}},
	})
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// exactSum reads a $sum of int64 fields. Both stores return a double when the sum leaves the
// int64 range, which would no longer be exact: that is an error, not a total.
func exactSum(v bson.RawValue) (int64, error) {
	switch v.Type {
	case bsontype.Int32:
		return int64(v.Int32()), nil
	case bsontype.Int64:
		return v.Int64(), nil
	}
	return 0, fmt.Errorf("the sum is a %s, not an integer: it overflows int64", v.Type)
}
