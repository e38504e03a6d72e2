package warehousing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
)

// PendingLease is how long an order may stay PENDING under the request (or backorder
// allocator) that holds it before a reconciler may take it over. A request allocates in
// milliseconds; one that has not moved its order on after a minute failed half-way (the store
// went away between a reservation and the status change) and will not come back to it. The lease
// must stay far above the store's command timeout: a request stalled past it could still apply a
// reservation after a reconciler read the order's movements.
const PendingLease = time.Minute

// reconcile finishes a PENDING order whose holder failed half-way: if it is stale (its last
// change is older than PendingLease) it is claimed with a guarded update (one reconciler wins;
// the others, and a replay that finds it fresh, get the order as it is), what it holds is worked
// out from its stock movements (they name the order), and it is finished from there: the missing
// units reserved and the order RESERVED with each line's reserved units, or everything released
// and the order BACKORDERED when stock is short. A failure leaves it PENDING for the next try,
// which works out its holdings again from the movements.
func (s *Service) reconcile(ctx context.Context, d orderDoc) (Order, error) {
	ctx = context.WithoutCancel(ctx)
	now := s.clock.Now()
	token, err := claimToken()
	if err != nil {
		return Order{}, err
	}
	var claimed orderDoc
	err = s.orders.FindOneAndUpdate(ctx,
		bson.M{fID: d.ID, fAccountID: d.AccountID, fStatus: string(OrderPending), fUpdatedAt: bson.M{"$lte": now.Add(-PendingLease)}},
		bson.M{"$set": bson.M{fUpdatedAt: now, fClaim: token}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&claimed)
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Fresh (its holder may still be at work), claimed by another reconciler, or finished.
		var cur orderDoc
		if err := s.orders.FindOne(ctx, bson.M{fID: d.ID}).Decode(&cur); err != nil {
			return Order{}, mongodb.MapError(err, "find order")
		}
		return cur.toOrder(), nil
	}
	if err != nil {
		return Order{}, mongodb.MapError(err, "claim pending order")
	}
	has, err := s.orderHoldings(ctx, claimed)
	if err != nil {
		return Order{}, err
	}
	list := make([]string, len(claimed.Lines))
	for i, l := range claimed.Lines {
		list[i] = l.SKUID
	}
	skus, err := s.skuDocs(ctx, claimed.AccountID, list)
	if err != nil {
		return Order{}, err
	}
	out, _, err := s.allocate(ctx, claimed, skus, OrderPending, has)
	if err != nil {
		return Order{}, err
	}
	s.logger.InfoContext(ctx, "reconciled a pending order", "order", claimed.ID, "held", has, "status", out.Status)
	return out, nil
}

func claimToken() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", errs.Internalf("claim token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// orderHoldings is what each line of a PENDING order holds reserved, from the movements that
// name the order: those copied to the movements collection and those still pending in the
// balances (a movement in both counts once).
func (s *Service) orderHoldings(ctx context.Context, d orderDoc) ([]int64, error) {
	held := map[string]int64{}
	seen := map[string]bool{}
	add := func(m movementDoc) {
		if m.Source != d.ID || m.WarehouseID != d.WarehouseID || seen[m.ID] {
			return
		}
		seen[m.ID] = true
		held[m.SKUID] += m.Delta.Reserved
	}
	cur, err := s.movements.Find(ctx, bson.M{fAccountID: d.AccountID, fSource: d.ID})
	if err != nil {
		return nil, mongodb.MapError(err, "find order movements")
	}
	var copied []movementDoc
	if err := cur.All(ctx, &copied); err != nil {
		return nil, mongodb.MapError(err, "find order movements")
	}
	for _, m := range copied {
		add(m)
	}
	for _, l := range d.Lines {
		var b struct {
			Pending []movementDoc `bson:"pendingMovements"`
		}
		err := s.balances.FindOne(ctx, bson.M{fID: balanceID(l.SKUID, d.WarehouseID), fAccountID: d.AccountID},
			options.FindOne().SetProjection(bson.M{fPending: 1})).Decode(&b)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, mongodb.MapError(err, "find order balance")
		}
		for _, m := range b.Pending {
			add(m)
		}
	}
	out := make([]int64, len(d.Lines))
	for i, l := range d.Lines {
		out[i] = held[l.SKUID]
		if out[i] < 0 {
			return nil, errs.Internalf("order %s holds %d of %s", d.ID, out[i], l.SKUID)
		}
	}
	return out, nil
}

// ReconcilePendingOrders reconciles the PENDING orders (of every account) whose holder has not
// moved them on for PendingLease, oldest first, up to limit; see reconcile. It does no
// authorization: a job calls it. It returns how many it finished; failures of single orders are
// logged and left for the next run.
func (s *Service) ReconcilePendingOrders(ctx context.Context, limit int64) (int, error) {
	cur, err := s.orders.Find(ctx,
		bson.M{fStatus: string(OrderPending), fUpdatedAt: bson.M{"$lte": s.clock.Now().Add(-PendingLease)}},
		options.Find().SetSort(bson.D{{Key: fUpdatedAt, Value: 1}}).SetLimit(limit))
	if err != nil {
		return 0, mongodb.MapError(err, "find pending orders")
	}
	var stale []orderDoc
	if err := cur.All(ctx, &stale); err != nil {
		return 0, mongodb.MapError(err, "find pending orders")
	}
	n := 0
	for _, d := range stale {
		o, err := s.reconcile(ctx, d)
		if err != nil {
			s.logger.ErrorContext(ctx, "reconcile pending order", "order", d.ID, "error", err)
			continue
		}
		if o.Status != OrderPending {
			n++
		}
	}
	return n, nil
}
