package transport

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/usage"
)

// MarkerTTL is how long an applied op's marker stays on a summary document (see the package
// doc). It must be far longer than any store operation's timeout.
const MarkerTTL = time.Hour

// pendingOp is one op of one shipment, in the order it must be applied.
type pendingOp struct {
	shipmentID string
	seq        int64
	op         opDoc
}

// opsOf returns a shipment document's pending ops in sequence order.
func opsOf(d *shipmentDoc) []pendingOp {
	var out []pendingOp
	for k, op := range d.Pending {
		seq, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, pendingOp{shipmentID: d.ID, seq: seq, op: op})
	}
	slices.SortFunc(out, func(a, b pendingOp) int { return int(a.seq - b.seq) })
	return out
}

// applyPending applies the pending ops of the given shipments: in rounds, the i-th op of every
// shipment in round i, so that a shipment's ops reach a summary document in sequence order
// (its marker only moves forward). A shipment whose op fails keeps it and the ones after it for
// ApplyPending. It returns the first failure, after trying every shipment.
func (s *Service) applyPending(ctx context.Context, docs []*shipmentDoc) error {
	queues := make([][]pendingOp, 0, len(docs))
	for _, d := range docs {
		if ops := opsOf(d); len(ops) > 0 {
			queues = append(queues, ops)
		}
	}
	var firstErr error
	blocked := make([]bool, len(queues))
	for round := 0; ; round++ {
		var incs []pendingOp
		var incOwner []int
		var usages []pendingOp
		var usageOwner []int
		for i, q := range queues {
			if blocked[i] || round >= len(q) {
				continue
			}
			if q[round].op.Kind == opInc {
				incs, incOwner = append(incs, q[round]), append(incOwner, i)
			} else {
				usages, usageOwner = append(usages, q[round]), append(usageOwner, i)
			}
		}
		if len(incs)+len(usages) == 0 {
			break
		}
		var done []pendingOp
		ok, err := s.applyIncs(ctx, incs)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		for j, good := range ok {
			if good {
				done = append(done, incs[j])
			} else {
				blocked[incOwner[j]] = true
			}
		}
		for j, u := range usages {
			if err := s.recordUsage(ctx, u); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				blocked[usageOwner[j]] = true
				continue
			}
			done = append(done, u)
		}
		if err := s.unsetPending(ctx, done); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

func incModel(p pendingOp, now time.Time) *mongo.UpdateOneModel {
	inc := bson.D{}
	for _, x := range p.op.Inc {
		inc = append(inc, bson.E{Key: x.Field, Value: x.N})
	}
	set := bson.D{
		{Key: fSeen + "." + p.shipmentID, Value: p.seq},
		{Key: fSeenAt + "." + p.shipmentID, Value: now},
		{Key: fLastOpAt, Value: now},
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(inc) > 0 {
		update = append(update, bson.E{Key: "$inc", Value: inc})
	}
	if p.op.Lane != nil {
		update = append(update, bson.E{Key: "$setOnInsert", Value: p.op.Lane})
	}
	return mongo.NewUpdateOneModel().
		SetFilter(bson.D{{Key: fID, Value: p.op.DocID},
			{Key: fSeen + "." + p.shipmentID, Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gte", Value: p.seq}}}}}}).
		SetUpdate(update).SetUpsert(true)
}

// applyIncs applies inc ops, one bulk write per collection, and reports which are applied (now
// or before). A duplicate key means the guard did not match and the upsert met the existing
// document: either the op was applied already, or another op created the document at the same
// moment; the marker tells which, and the second case is retried.
func (s *Service) applyIncs(ctx context.Context, ops []pendingOp) ([]bool, error) {
	ok := make([]bool, len(ops))
	if len(ops) == 0 {
		return ok, nil
	}
	now := s.clock.Now()
	// First, one combined update per summary document for the ops of several shipments (a
	// batch of tracking events touches few documents): all markers guard it together. If any
	// guard fails, those ops go one by one below.
	groups := map[string][]int{}
	for i, p := range ops {
		groups[p.op.Coll+"\x00"+p.op.DocID] = append(groups[p.op.Coll+"\x00"+p.op.DocID], i)
	}
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		if s.applyCombined(ctx, ops, idx, now) {
			for _, i := range idx {
				ok[i] = true
			}
		}
	}
	byColl := map[string][]int{}
	for i, p := range ops {
		if !ok[i] {
			byColl[p.op.Coll] = append(byColl[p.op.Coll], i)
		}
	}
	var firstErr error
	for coll, idx := range byColl {
		models := make([]mongo.WriteModel, len(idx))
		for j, i := range idx {
			models[j] = incModel(ops[i], now)
		}
		_, err := bulkWrite(ctx, s.db.Collection(coll), models)
		failed := map[int]bool{}
		dup := map[int]bool{}
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
			for _, we := range bwe.WriteErrors {
				if mongo.IsDuplicateKeyError(we) {
					dup[we.Index] = true
				} else {
					failed[we.Index] = true
				}
			}
		default:
			for j := range idx {
				failed[j] = true
			}
			firstErr = internal("apply summary ops", err)
		}
		for j, i := range idx {
			switch {
			case failed[j]:
			case dup[j]:
				applied, err := s.confirmOrRetry(ctx, coll, ops[i], now)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				ok[i] = applied
			default:
				ok[i] = true
			}
		}
	}
	return ok, firstErr
}

// applyCombined applies ops (of different shipments, on one document) in one guarded update.
// It reports false when any guard stopped it (nothing was applied then) or the store failed.
func (s *Service) applyCombined(ctx context.Context, ops []pendingOp, idx []int, now time.Time) bool {
	first := ops[idx[0]].op
	filter := bson.D{{Key: fID, Value: first.DocID}}
	sums := map[string]int64{}
	var fields []string
	set := bson.D{{Key: fLastOpAt, Value: now}}
	for _, i := range idx {
		p := ops[i]
		filter = append(filter, bson.E{Key: fSeen + "." + p.shipmentID,
			Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gte", Value: p.seq}}}}})
		set = append(set, bson.E{Key: fSeen + "." + p.shipmentID, Value: p.seq},
			bson.E{Key: fSeenAt + "." + p.shipmentID, Value: now})
		for _, x := range p.op.Inc {
			if _, ok := sums[x.Field]; !ok {
				fields = append(fields, x.Field)
			}
			sums[x.Field] += x.N
		}
	}
	update := bson.D{{Key: "$set", Value: set}}
	inc := bson.D{}
	for _, f := range fields {
		if sums[f] != 0 {
			inc = append(inc, bson.E{Key: f, Value: sums[f]})
		}
	}
	if len(inc) > 0 {
		update = append(update, bson.E{Key: "$inc", Value: inc})
	}
	if first.Lane != nil {
		update = append(update, bson.E{Key: "$setOnInsert", Value: first.Lane})
	}
	res, err := s.db.Collection(first.Coll).UpdateOne(ctx, filter, update, options.Update().SetUpsert(true))
	return err == nil && (res.MatchedCount == 1 || res.UpsertedCount == 1)
}

func (s *Service) confirmOrRetry(ctx context.Context, coll string, p pendingOp, now time.Time) (bool, error) {
	c := s.db.Collection(coll)
	for range 3 {
		n, err := c.CountDocuments(ctx, bson.D{{Key: fID, Value: p.op.DocID},
			{Key: fSeen + "." + p.shipmentID, Value: bson.D{{Key: "$gte", Value: p.seq}}}})
		if err != nil {
			return false, internal("confirm summary op", err)
		}
		if n > 0 {
			return true, nil
		}
		m := incModel(p, now)
		_, err = c.UpdateOne(ctx, m.Filter, m.Update, options.Update().SetUpsert(true))
		if err == nil {
			return true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, internal("retry summary op", err)
		}
	}
	return false, internal("apply summary op", errors.New("guard keeps colliding"))
}

func (s *Service) recordUsage(ctx context.Context, p pendingOp) error {
	u := p.op.Usage
	if u == nil {
		return nil
	}
	r := usage.Record{Category: usage.Category(u.Category), Code: u.Code, Quantity: usage.Quantity(u.Quantity),
		Unit: u.Unit, OccurredAt: u.OccurredAt, SourceKey: u.SourceKey, Attributes: u.Attributes}
	if u.Amount != nil {
		m := u.Amount.toMoney()
		r.Amount = &m
	}
	r.AccountID = p.op.DocID
	if _, _, err := s.usage.Record(ctx, r); err != nil {
		return internal("record usage "+u.SourceKey, err)
	}
	return nil
}

func (s *Service) unsetPending(ctx context.Context, done []pendingOp) error {
	if len(done) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, len(done))
	for i, p := range done {
		k := fPending + "." + strconv.FormatInt(p.seq, 10)
		models[i] = mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: fID, Value: p.shipmentID}, {Key: k, Value: bson.D{{Key: "$exists", Value: true}}}}).
			SetUpdate(bson.D{{Key: "$unset", Value: bson.D{{Key: k, Value: ""}}},
				{Key: "$inc", Value: bson.D{{Key: fPendingCount, Value: int64(-1)}}}})
	}
	if _, err := bulkWrite(ctx, s.shipments, models); err != nil {
		return internal("clear applied ops", err)
	}
	return nil
}

// ApplyPending finishes the summary ops and usage records that a crash or a store failure left
// queued on up to limit shipments, and returns how many shipments it looked at. Run it
// periodically (every minute, say) from cmd/tradehub; it is safe to run on several instances
// at once. It returns an INTERNAL error if the store fails.
func (s *Service) ApplyPending(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	cur, err := s.shipments.Find(ctx, bson.D{{Key: fPendingCount, Value: bson.D{{Key: "$gt", Value: 0}}}},
		options.Find().SetLimit(int64(limit)).SetProjection(bson.D{{Key: fPending, Value: 1}}))
	if err != nil {
		return 0, internal("find pending ops", err)
	}
	var docs []*shipmentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, internal("read pending ops", err)
	}
	return len(docs), s.applyPending(ctx, docs)
}

// GCMarkers removes the op markers older than MarkerTTL from the summary documents changed in
// the last two days, keeping any marker whose shipment still has a pending op for that
// document (it would otherwise be applied twice). Run it periodically (hourly) from
// cmd/tradehub. It returns how many markers it removed.
func (s *Service) GCMarkers(ctx context.Context) (int, error) {
	now := s.clock.Now()
	removed := 0
	for _, coll := range []*mongo.Collection{s.scores, s.pool} {
		cur, err := coll.Find(ctx, bson.D{{Key: fLastOpAt, Value: bson.D{{Key: "$gte", Value: now.Add(-48 * time.Hour)}}}},
			options.Find().SetProjection(bson.D{{Key: fSeen, Value: 1}, {Key: fSeenAt, Value: 1}}))
		if err != nil {
			return removed, internal("find markers", err)
		}
		var docs []struct {
			ID     string               `bson:"_id"`
			Seen   map[string]int64     `bson:"seen"`
			SeenAt map[string]time.Time `bson:"seenAt"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return removed, internal("read markers", err)
		}
		for _, d := range docs {
			var old []string
			for shp, at := range d.SeenAt {
				if at.Before(now.Add(-MarkerTTL)) {
					old = append(old, shp)
				}
			}
			if len(old) == 0 {
				continue
			}
			busy, err := s.shipmentsWithPendingFor(ctx, old, d.ID)
			if err != nil {
				return removed, err
			}
			for _, shp := range old {
				if busy[shp] {
					continue
				}
				res, err := coll.UpdateOne(ctx, bson.D{{Key: fID, Value: d.ID}, {Key: fSeen + "." + shp, Value: d.Seen[shp]}},
					bson.D{{Key: "$unset", Value: bson.D{{Key: fSeen + "." + shp, Value: ""}, {Key: fSeenAt + "." + shp, Value: ""}}}})
				if err != nil {
					return removed, internal("remove marker", err)
				}
				removed += int(res.ModifiedCount)
			}
		}
	}
	return removed, nil
}

func (s *Service) shipmentsWithPendingFor(ctx context.Context, ids []string, docID string) (map[string]bool, error) {
	cur, err := s.shipments.Find(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: fPendingCount, Value: bson.D{{Key: "$gt", Value: 0}}}},
		options.Find().SetProjection(bson.D{{Key: fPending, Value: 1}}))
	if err != nil {
		return nil, internal("find pending shipments", err)
	}
	var docs []*shipmentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read pending shipments", err)
	}
	busy := map[string]bool{}
	for _, d := range docs {
		for _, op := range d.Pending {
			if op.DocID == docID {
				busy[d.ID] = true
			}
		}
	}
	return busy, nil
}

// usageOp builds a pending usage record for an account.
func usageOp(accountID string, cat usage.Category, code, unit string, qty usage.Quantity, amount *money.Money,
	at time.Time, key string, attrs map[string]string) opDoc {
	u := &usageOpDoc{Category: string(cat), Code: code, Quantity: int64(qty), Unit: unit, OccurredAt: at,
		SourceKey: key, Attributes: attrs}
	if amount != nil {
		m := toMoneyDoc(*amount)
		u.Amount = &m
	}
	return opDoc{Kind: opUsage, DocID: accountID, Usage: u}
}

// bulkChunk is the most models one bulk write sends. FerretDB v1.24 stalls past the client's
// timeout on an unordered bulk of a few hundred guarded upserts of one document (measured
// here: 100 take 70 ms, 250 never finish), while the same updates one by one take about a
// millisecond each; chunks of 50 keep the round trips few on MongoDB and the embedded store
// responsive.
const bulkChunk = 50

// bulkWrite runs an unordered bulk write in chunks. It returns the matched count and, like the
// driver, a mongo.BulkWriteException whose write errors carry indexes into models.
func bulkWrite(ctx context.Context, coll *mongo.Collection, models []mongo.WriteModel) (int64, error) {
	var matched int64
	var all mongo.BulkWriteException
	for from := 0; from < len(models); from += bulkChunk {
		to := min(from+bulkChunk, len(models))
		res, err := coll.BulkWrite(ctx, models[from:to], options.BulkWrite().SetOrdered(false))
		if res != nil {
			matched += res.MatchedCount
		}
		if err == nil {
			continue
		}
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return matched, err
		}
		for _, we := range bwe.WriteErrors {
			we.Index += from
			all.WriteErrors = append(all.WriteErrors, we)
		}
	}
	if len(all.WriteErrors) > 0 {
		return matched, all
	}
	return matched, nil
}
