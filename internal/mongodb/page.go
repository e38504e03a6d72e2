package mongodb

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
)

// Keyset describes how a collection is paged: by (Field, _id), where Field's value converts to
// and from the cursor's string key. Keyset pagination costs the same at any depth, unlike skip.
type Keyset[D any] struct {
	Field string
	// Key returns a document's cursor.
	Key func(D) cursor.Cursor
	// Value turns a cursor's key back into the stored value for comparisons (e.g. parse a time).
	Value func(key string) (any, error)
}

// FindPage runs one keyset-paginated find over filter and returns the page in ascending order.
// It fetches one row more than the page to tell whether another page follows; on a forward page
// HasPreviousPage is true when an `after` was given (Relay allows this approximation), and
// symmetrically backwards.
func FindPage[D any](ctx context.Context, coll *mongo.Collection, filter bson.M, ks Keyset[D], w cursor.Window) (cursor.Result[D], error) {
	var res cursor.Result[D]
	and := bson.A{filter}
	for _, b := range []struct {
		c  *cursor.Cursor
		op string
	}{{w.After, "$gt"}, {w.Before, "$lt"}} {
		if b.c == nil {
			continue
		}
		v, err := ks.Value(b.c.Key)
		if err != nil {
			return res, fmt.Errorf("page %s: cursor key: %w", coll.Name(), err)
		}
		and = append(and, bson.M{"$or": bson.A{
			bson.M{ks.Field: bson.M{b.op: v}},
			bson.M{ks.Field: v, "_id": bson.M{b.op: b.c.ID}},
		}})
	}
	dir := 1
	if !w.Forward {
		dir = -1
	}
	opts := options.Find().
		SetSort(bson.D{{Key: ks.Field, Value: dir}, {Key: "_id", Value: dir}}).
		SetLimit(int64(w.Limit + 1))
	cur, err := coll.Find(ctx, bson.M{"$and": and}, opts)
	if err != nil {
		return res, MapError(err, "page "+coll.Name())
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return res, MapError(err, "page "+coll.Name())
	}
	more := len(docs) > w.Limit
	if more {
		docs = docs[:w.Limit]
	}
	if w.Forward {
		res.HasNextPage, res.HasPreviousPage = more, w.After != nil
	} else {
		slices.Reverse(docs)
		res.HasPreviousPage, res.HasNextPage = more, w.Before != nil
	}
	res.Items = docs
	for _, d := range docs {
		res.Cursors = append(res.Cursors, cursor.Encode(ks.Key(d)))
	}
	return res, nil
}

// StringKey is the Value function of a string sort field.
func StringKey(key string) (any, error) { return key, nil }
