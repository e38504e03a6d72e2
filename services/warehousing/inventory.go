package warehousing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
)

// eventType is the event a movement reason publishes.
func eventType(r Reason) string {
	switch r {
	case ReasonReceipt:
		return "inventory.received"
	case ReasonPutaway:
		return "inventory.put_away"
	case ReasonReserve:
		return "inventory.reserved"
	case ReasonRelease:
		return "inventory.released"
	case ReasonPick:
		return "inventory.picked"
	case ReasonShip:
		return "inventory.shipped"
	case ReasonTransferOut, ReasonTransferIn:
		return "inventory.transferred"
	case ReasonReturn:
		return "inventory.returned"
	case ReasonPledge:
		return "inventory.pledged"
	case ReasonUnpledge:
		return "inventory.unpledged"
	}
	return "inventory.adjusted" // ADJUSTMENT, CYCLE_COUNT, DAMAGE
}

type movementEvent struct {
	MovementID  string   `bson:"movementId"`
	SKUID       string   `bson:"skuId"`
	WarehouseID string   `bson:"warehouseId"`
	Reason      string   `bson:"reason"`
	Delta       deltaDoc `bson:"delta"`
	Source      string   `bson:"source,omitempty"`
	ReasonCode  string   `bson:"reasonCode,omitempty"`
}

// move is one balance change to apply.
type move struct {
	Movement
	// extra narrows the guard (a cycle count's expected onHand).
	extra bson.D
	// lowAt is the SKU's reorder point in the warehouse (0: none), to raise a low-stock event.
	lowAt int64
}

// apply writes one movement: the balance change, the movement itself and its event in ONE
// guarded update (see the package doc), then copies the movement to its collection. A delta
// that only adds creates the balance if needed; one that takes from a bucket matches only while
// that bucket holds enough, and otherwise returns ErrInsufficientStock and writes nothing.
func (s *Service) apply(ctx context.Context, m move) (balanceDoc, error) {
	if m.ID == "" {
		m.ID = ids.New(ids.Movement)
	}
	if m.OccurredAt.IsZero() {
		m.OccurredAt = s.clock.Now()
	}
	raw, err := bson.Marshal(toMovementDoc(m.Movement))
	if err != nil {
		return balanceDoc{}, errs.Internalf("encode movement: %w", err)
	}
	ev, err := events.New(events.Draft{AccountID: m.AccountID, Type: eventType(m.Reason), ObjectID: m.SKUID,
		Actor: m.Actor, OccurredAt: m.OccurredAt, Data: movementEvent{MovementID: m.ID, SKUID: m.SKUID,
			WarehouseID: m.WarehouseID, Reason: string(m.Reason), Delta: deltaDoc(m.Delta), Source: m.Source,
			ReasonCode: string(m.ReasonCode)}})
	if err != nil {
		return balanceDoc{}, err
	}
	id := balanceID(m.SKUID, m.WarehouseID)
	filter := bson.D{{Key: fID, Value: id}, {Key: fAccountID, Value: m.AccountID}}
	guard := m.Delta.guard()
	filter = append(filter, guard...)
	filter = append(filter, m.extra...)
	update := bson.D{
		{Key: "$inc", Value: m.Delta.inc()},
		{Key: "$set", Value: bson.D{{Key: fUpdatedAt, Value: m.OccurredAt}}},
		{Key: "$push", Value: bson.D{
			{Key: fPending, Value: bson.D{{Key: "$each", Value: bson.A{bson.Raw(raw)}}}},
			{Key: events.OutboxField, Value: events.Each(ev)},
		}},
	}
	upsert := len(guard) == 0 && len(m.extra) == 0
	if upsert {
		update = append(update, bson.E{Key: "$setOnInsert", Value: bson.D{
			{Key: fSKUID, Value: m.SKUID}, {Key: fWarehouseID, Value: m.WarehouseID}, {Key: fLowStock, Value: false},
		}})
	}
	opts := options.FindOneAndUpdate().SetReturnDocument(options.After).SetUpsert(upsert)
	var after balanceDoc
	err = s.balances.FindOneAndUpdate(ctx, filter, update, opts).Decode(&after)
	if upsert && mongo.IsDuplicateKeyError(err) {
		// Two first writes of one balance raced on MongoDB; the loser's retry updates it.
		err = s.balances.FindOneAndUpdate(ctx, filter, update, opts).Decode(&after)
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return balanceDoc{}, ErrInsufficientStock
	}
	if err != nil {
		return balanceDoc{}, errs.Internalf("apply %s movement to %s: %w", m.Reason, id, err)
	}
	s.copyMovements(ctx, id, []bson.Raw{raw})
	if m.lowAt > 0 {
		s.markLowStock(ctx, after, m.lowAt)
	}
	s.notify()
	return after, nil
}

// copyMovements copies movements from a balance's pending array to the movements collection and
// pulls them from the array. Failures are only logged: the movements stay pending, and Settle
// copies them later. Copying one twice is harmless (its id is its _id).
func (s *Service) copyMovements(ctx context.Context, balance string, raws []bson.Raw) {
	ctx = context.WithoutCancel(ctx)
	var done bson.A
	for _, raw := range raws {
		if _, err := s.movements.InsertOne(ctx, raw); err != nil && !mongo.IsDuplicateKeyError(err) {
			s.logger.WarnContext(ctx, "copy stock movement; Settle will retry", "balance", balance, "error", err)
			break
		}
		done = append(done, raw)
	}
	if len(done) == 0 {
		return
	}
	// $pullAll matches the exact stored documents (a conditional $pull is only an equality test
	// on FerretDB v1).
	if _, err := s.balances.UpdateOne(ctx, bson.D{{Key: fID, Value: balance}},
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: fPending, Value: done}}}}); err != nil {
		s.logger.WarnContext(ctx, "pull copied stock movements; Settle will retry", "balance", balance, "error", err)
	}
}

// Settle copies every movement still pending in a balance document (left by a crash or a store
// hiccup between a change and its copy) into the movements collection. filter narrows the
// balances (nil: all). It is idempotent and safe to run at any time, concurrently with traffic.
// It does no authorization: jobs and the service's own queries call it. It returns how many
// movements it copied and an INTERNAL error if the store fails.
func (s *Service) Settle(ctx context.Context, filter bson.D) (int, error) {
	f := bson.D{{Key: fPending + "." + fID, Value: bson.D{{Key: "$gt", Value: ""}}}}
	f = append(f, filter...)
	cur, err := s.balances.Find(ctx, f, options.Find().SetProjection(bson.D{{Key: fPending, Value: 1}}))
	if err != nil {
		return 0, errs.Internalf("settle movements: %w", err)
	}
	defer cur.Close(ctx)
	n := 0
	for cur.Next(ctx) {
		raw := cur.Current
		id, _ := raw.Lookup(fID).StringValueOK()
		arr, ok := raw.Lookup(fPending).ArrayOK()
		if !ok {
			continue
		}
		values, err := arr.Values()
		if err != nil {
			return n, errs.Internalf("settle movements of %s: %w", id, err)
		}
		var raws []bson.Raw
		for _, v := range values {
			if d, ok := v.DocumentOK(); ok {
				raws = append(raws, append(bson.Raw(nil), d...))
			}
		}
		s.copyMovements(ctx, id, raws)
		n += len(raws)
	}
	if err := cur.Err(); err != nil {
		return n, errs.Internalf("settle movements: %w", err)
	}
	return n, nil
}

type lowStockEvent struct {
	SKUID       string `bson:"skuId"`
	WarehouseID string `bson:"warehouseId"`
	Available   int64  `bson:"available"`
	Point       int64  `bson:"reorderPoint"`
}

// markLowStock flips the balance's low-stock flag when available crosses the reorder point, and
// publishes inventory.low_stock when it falls below. The flip is guarded by the flag's old value,
// so one crossing raises one event however many writers see it.
func (s *Service) markLowStock(ctx context.Context, b balanceDoc, point int64) {
	low := b.Available < point
	if low == b.LowStock {
		return
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: fLowStock, Value: low}}}}
	if low {
		ev, err := events.New(events.Draft{AccountID: b.AccountID, Type: "inventory.low_stock", ObjectID: b.SKUID,
			OccurredAt: s.clock.Now(), Data: lowStockEvent{SKUID: b.SKUID, WarehouseID: b.WarehouseID,
				Available: b.Available, Point: point}})
		if err != nil {
			s.logger.ErrorContext(ctx, "low stock event", "error", err)
			return
		}
		update = append(update, events.Push(ev))
	}
	_, err := s.balances.UpdateOne(context.WithoutCancel(ctx),
		bson.D{{Key: fID, Value: b.ID}, {Key: fLowStock, Value: b.LowStock}}, update)
	if err != nil {
		s.logger.WarnContext(ctx, "mark low stock", "balance", b.ID, "error", err)
	}
}

// reorderPoint returns the SKU's reorder point in a warehouse, or 0.
func (d skuDoc) reorderPoint(warehouseID string) int64 {
	for _, r := range d.ReorderPoints {
		if r.WarehouseID == warehouseID {
			return r.Point
		}
	}
	return 0
}

// BalanceFilter narrows InventoryBalances.
type BalanceFilter struct {
	SKUID       string
	WarehouseID string
	LowStock    bool // only balances below their reorder point
}

// InventoryBalances lists an account's balances in id order (SKU, then warehouse). Returns
// NOT_FOUND for an account the caller may not read, INVALID for bad page arguments.
func (s *Service) InventoryBalances(ctx context.Context, accountID string, f BalanceFilter, page cursor.Page) (cursor.Result[Balance], error) {
	if err := s.access.Require(ctx, accountID, access.Inventory, access.Read); err != nil {
		return cursor.Result[Balance]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Balance]{}, err
	}
	filter := bson.M{fAccountID: accountID}
	if f.SKUID != "" {
		filter[fSKUID] = f.SKUID
	}
	if f.WarehouseID != "" {
		filter[fWarehouseID] = f.WarehouseID
	}
	if f.LowStock {
		filter[fLowStock] = true
	}
	res, err := mongodb.FindPage(ctx, s.balances, filter, balanceKeyset, w)
	if err != nil {
		return cursor.Result[Balance]{}, err
	}
	return mapResult(res, balanceDoc.toBalance), nil
}

// BalancesOfSKUs returns the balances of the given SKUs in every warehouse, keyed by SKU id, in
// one query. No authorization: for relations of SKUs the caller was allowed to see.
func (s *Service) BalancesOfSKUs(ctx context.Context, skuIDs []string) (map[string][]Balance, error) {
	cur, err := s.balances.Find(ctx, bson.M{fSKUID: bson.M{"$in": skuIDs}},
		options.Find().SetSort(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return nil, mongodb.MapError(err, "find balances")
	}
	var docs []balanceDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find balances")
	}
	out := make(map[string][]Balance, len(skuIDs))
	for _, d := range docs {
		out[d.SKUID] = append(out[d.SKUID], d.toBalance())
	}
	return out, nil
}

// Balance returns one balance, or a zero balance when the SKU never had stock there. Returns
// NOT_FOUND for a SKU the caller may not see.
func (s *Service) Balance(ctx context.Context, skuID, warehouseID string) (Balance, error) {
	sku, err := s.SKU(ctx, skuID)
	if err != nil {
		return Balance{}, err
	}
	var d balanceDoc
	err = s.balances.FindOne(ctx, bson.M{fID: balanceID(skuID, warehouseID), fAccountID: sku.AccountID}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Balance{ID: balanceID(skuID, warehouseID), AccountID: sku.AccountID, SKUID: skuID, WarehouseID: warehouseID}, nil
	}
	if err != nil {
		return Balance{}, mongodb.MapError(err, "find balance")
	}
	return d.toBalance(), nil
}

// Movements lists a SKU's movements, oldest first, optionally in one warehouse. It first
// settles the SKU's pending movements, so the history is complete. Returns NOT_FOUND for a SKU
// the caller may not see.
func (s *Service) Movements(ctx context.Context, skuID, warehouseID string, page cursor.Page) (cursor.Result[Movement], error) {
	sku, err := s.findSKU(ctx, skuID, "skuId")
	if err != nil {
		return cursor.Result[Movement]{}, err
	}
	if err := s.requireObject(ctx, sku.AccountID, access.Inventory, access.Read, "skuId"); err != nil {
		return cursor.Result[Movement]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Movement]{}, err
	}
	if _, err := s.Settle(ctx, bson.D{{Key: fAccountID, Value: sku.AccountID}, {Key: fSKUID, Value: skuID}}); err != nil {
		return cursor.Result[Movement]{}, err
	}
	filter := bson.M{fAccountID: sku.AccountID, fSKUID: skuID}
	if warehouseID != "" {
		filter[fWarehouseID] = warehouseID
	}
	res, err := mongodb.FindPage(ctx, s.movements, filter, movementKeyset, w)
	if err != nil {
		return cursor.Result[Movement]{}, err
	}
	return mapResult(res, movementDoc.toMovement), nil
}

func mapResult[D, T any](r cursor.Result[D], f func(D) T) cursor.Result[T] {
	out := cursor.Result[T]{Cursors: r.Cursors, HasNextPage: r.HasNextPage, HasPreviousPage: r.HasPreviousPage, Items: []T{}}
	for _, d := range r.Items {
		out.Items = append(out.Items, f(d))
	}
	return out
}

// AdjustInput is a manual change of a balance's on-hand stock.
type AdjustInput struct {
	SKUID       string
	WarehouseID string
	Delta       int64 // units added (positive) or removed (negative)
	Reason      AdjustmentReason
	Note        string
}

// AdjustInventory adds or removes on-hand units with a reason code. DAMAGED moves units from
// available stock to damaged; the other codes add or remove available units. A change of more
// than the large-adjustment threshold needs inventory_adjust_large (FORBIDDEN otherwise).
//
// Returns NOT_FOUND (field input.skuId / input.warehouseId) for a SKU or warehouse the caller may
// not see, FORBIDDEN or ACCOUNT_SUSPENDED from access, INVALID for a zero delta, an unknown
// reason or a positive DAMAGED delta, and INSUFFICIENT_STOCK when removing more than is
// available (nothing is written then).
func (s *Service) AdjustInventory(ctx context.Context, in AdjustInput) (Balance, error) {
	sku, err := s.authorizeSKU(ctx, in.SKUID, "input.skuId", access.Inventory)
	if err != nil {
		return Balance{}, err
	}
	switch in.Reason {
	case AdjustFound, AdjustLost, AdjustDamaged, AdjustExpired, AdjustCorrection:
	default:
		return Balance{}, errs.InvalidField("input.reason", "unknown reason code")
	}
	switch {
	case in.Delta == 0:
		return Balance{}, errs.InvalidField("input.delta", "must not be zero")
	case in.Delta > MaxQuantity || in.Delta < -MaxQuantity:
		return Balance{}, errs.InvalidField("input.delta", "at most %d units", MaxQuantity)
	case in.Reason == AdjustDamaged && in.Delta > 0:
		return Balance{}, errs.InvalidField("input.delta", "damage removes units: give a negative delta")
	}
	note, err := text("input.note", in.Note, maxLongText, false)
	if err != nil {
		return Balance{}, err
	}
	if err := s.requireLarge(ctx, sku.AccountID, in.Delta); err != nil {
		return Balance{}, err
	}
	if _, err := s.activeWarehouse(ctx, in.WarehouseID, "input.warehouseId"); err != nil {
		return Balance{}, err
	}
	m := move{lowAt: sku.reorderPoint(in.WarehouseID), Movement: Movement{AccountID: sku.AccountID, SKUID: sku.ID,
		WarehouseID: in.WarehouseID, Reason: ReasonAdjustment, Delta: Delta{OnHand: in.Delta, Available: in.Delta},
		Actor: actor(ctx), ReasonCode: in.Reason, Note: note}}
	if in.Reason == AdjustDamaged {
		m.Reason = ReasonDamage
		m.Delta = Delta{OnHand: in.Delta, Available: in.Delta, Damaged: -in.Delta}
	}
	after, err := s.apply(ctx, m)
	if err != nil {
		return Balance{}, err
	}
	if in.Delta > 0 {
		s.allocateBackorders(ctx, sku.AccountID, in.WarehouseID, sku.ID)
		return s.balanceNow(ctx, after.ID, after)
	}
	return after.toBalance(), nil
}

// CountInput is a cycle count: how many units are really on hand.
type CountInput struct {
	SKUID       string
	WarehouseID string
	Counted     int64
	Note        string
}

// CountInventory records a cycle count: the on-hand stock becomes the counted quantity, and the
// difference is a CYCLE_COUNT movement (none when the count agrees). A count may not go below
// the units reserved or pledged (COUNT_BELOW_COMMITTED): those must be released first. A
// difference larger than the threshold needs inventory_adjust_large (FORBIDDEN otherwise).
// Returns NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED, INVALID (a negative count), and CONFLICT when
// the balance keeps changing while it is counted.
func (s *Service) CountInventory(ctx context.Context, in CountInput) (Balance, error) {
	sku, err := s.authorizeSKU(ctx, in.SKUID, "input.skuId", access.Inventory)
	if err != nil {
		return Balance{}, err
	}
	if in.Counted < 0 || in.Counted > MaxQuantity {
		return Balance{}, errs.InvalidField("input.counted", "must be between 0 and %d", MaxQuantity)
	}
	note, err := text("input.note", in.Note, maxLongText, false)
	if err != nil {
		return Balance{}, err
	}
	if _, err := s.activeWarehouse(ctx, in.WarehouseID, "input.warehouseId"); err != nil {
		return Balance{}, err
	}
	id := balanceID(sku.ID, in.WarehouseID)
	// The count's guard compares onHand, which must exist as a field for that.
	if err := s.ensureBalance(ctx, sku.AccountID, sku.ID, in.WarehouseID); err != nil {
		return Balance{}, err
	}
	for range 5 {
		cur, err := s.balanceNow(ctx, id, balanceDoc{ID: id, AccountID: sku.AccountID, SKUID: sku.ID, WarehouseID: in.WarehouseID})
		if err != nil {
			return Balance{}, err
		}
		delta := in.Counted - cur.OnHand
		if delta == 0 {
			return cur, nil
		}
		if in.Counted < cur.Reserved+cur.Pledged {
			return Balance{}, ErrBelowCommitted.With("input.counted", nil).WithMessage(
				"the count is below the %d units reserved or pledged; release them first", cur.Reserved+cur.Pledged)
		}
		if err := s.requireLarge(ctx, sku.AccountID, delta); err != nil {
			return Balance{}, err
		}
		// Guarded by the onHand that was read: a change in between makes the count retry.
		m := move{lowAt: sku.reorderPoint(in.WarehouseID), extra: bson.D{{Key: fOnHand, Value: cur.OnHand}},
			Movement: Movement{AccountID: sku.AccountID, SKUID: sku.ID, WarehouseID: in.WarehouseID,
				Reason: ReasonCycleCount, Delta: Delta{OnHand: delta, Available: delta}, Actor: actor(ctx),
				ReasonCode: AdjustCycleCount, Note: note}}
		after, err := s.apply(ctx, m)
		if errors.Is(err, ErrInsufficientStock) {
			continue
		}
		if err != nil {
			return Balance{}, err
		}
		if delta > 0 {
			s.allocateBackorders(ctx, sku.AccountID, in.WarehouseID, sku.ID)
			return s.balanceNow(ctx, after.ID, after)
		}
		return after.toBalance(), nil
	}
	return Balance{}, errs.E(errs.Conflict, "the stock kept changing while it was counted; count again")
}

// requireLarge asks for inventory_adjust_large when delta is beyond the threshold. A caller who
// may adjust but not that much gets FORBIDDEN (it can see the inventory, so NOT_FOUND would
// mislead).
func (s *Service) requireLarge(ctx context.Context, accountID string, delta int64) error {
	if delta <= s.large && delta >= -s.large {
		return nil
	}
	err := s.access.Require(ctx, accountID, access.InventoryAdjustLarge, access.Write)
	if errs.CodeOf(err) == errs.NotFound {
		return access.ErrForbidden.WithMessage("changes of more than %d units need an OWNER or ADMIN", s.large)
	}
	return err
}

// ensureBalance creates a balance with every bucket at zero if it does not exist.
func (s *Service) ensureBalance(ctx context.Context, accountID, skuID, warehouseID string) error {
	set := bson.D{{Key: fAccountID, Value: accountID}, {Key: fSKUID, Value: skuID}, {Key: fWarehouseID, Value: warehouseID},
		{Key: fLowStock, Value: false}}
	for _, f := range []string{fAwaiting, fOnHand, fReserved, fPledged, fAvailable, fPicked, fDamaged, fInTransferOut, fInTransferIn} {
		set = append(set, bson.E{Key: f, Value: int64(0)})
	}
	_, err := s.balances.UpdateOne(ctx, bson.D{{Key: fID, Value: balanceID(skuID, warehouseID)}},
		bson.D{{Key: "$setOnInsert", Value: set}}, options.Update().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return errs.Internalf("ensure balance %s: %w", balanceID(skuID, warehouseID), err)
	}
	return nil
}

// balanceNow reads a balance; def is returned when it does not exist yet.
func (s *Service) balanceNow(ctx context.Context, id string, def balanceDoc) (Balance, error) {
	var d balanceDoc
	err := s.balances.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return def.toBalance(), nil
	}
	if err != nil {
		return Balance{}, mongodb.MapError(err, "read balance")
	}
	return d.toBalance(), nil
}

// Valuation values an account's available stock at each SKU's unit value, per SKU and
// warehouse, with totals per currency. It does NO authorization: it is the interface financing
// calls (with its own rules about who may see collateral); people reach it through
// InventoryValuation. Returns INTERNAL if the store fails or a value overflows int64.
func (s *Service) Valuation(ctx context.Context, accountID string) (Valuation, error) {
	cur, err := s.balances.Find(ctx, bson.M{fAccountID: accountID, fAvailable: bson.M{"$gt": 0}},
		options.Find().SetSort(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return Valuation{}, mongodb.MapError(err, "valuation balances")
	}
	var docs []balanceDoc
	if err := cur.All(ctx, &docs); err != nil {
		return Valuation{}, mongodb.MapError(err, "valuation balances")
	}
	var skuIDs []string
	for _, d := range docs {
		skuIDs = append(skuIDs, d.SKUID)
	}
	skus, err := s.skuDocs(ctx, accountID, skuIDs)
	if err != nil {
		return Valuation{}, err
	}
	v := Valuation{AccountID: accountID, AsOf: s.clock.Now(), Lines: []ValuationLine{}}
	totals := map[string]money.Money{}
	for _, d := range docs {
		sku, ok := skus[d.SKUID]
		if !ok {
			continue
		}
		unit := sku.UnitValue.toMoney()
		// Exact: units × minor units, checked for overflow; nothing to round.
		value, err := unit.MulRat(d.Available, 1, money.HalfUp)
		if err != nil {
			return Valuation{}, errs.Internalf("value %s: %w", d.ID, err)
		}
		v.Lines = append(v.Lines, ValuationLine{SKUID: d.SKUID, WarehouseID: d.WarehouseID, Available: d.Available,
			UnitValue: unit, Value: value})
		code := unit.Currency.Code()
		t, ok := totals[code]
		if !ok {
			t = money.New(0, unit.Currency)
		}
		if t, err = t.Add(value); err != nil {
			return Valuation{}, errs.Internalf("total valuation of %s: %w", accountID, err)
		}
		totals[code] = t
	}
	codes := make([]string, 0, len(totals))
	for c := range totals {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		v.Totals = append(v.Totals, totals[c])
	}
	return v, nil
}

// InventoryValuation is Valuation for a person: it needs inventory read on the account
// (NOT_FOUND otherwise).
func (s *Service) InventoryValuation(ctx context.Context, accountID string) (Valuation, error) {
	if err := s.access.Require(ctx, accountID, access.Inventory, access.Read); err != nil {
		return Valuation{}, err
	}
	return s.Valuation(ctx, accountID)
}

// MovementSums adds up, bucket by bucket, every movement of a balance (copied and pending). The
// invariant of the package is that it equals the balance; tests and audits check it.
func (s *Service) MovementSums(ctx context.Context, skuID, warehouseID string) (Delta, error) {
	var sum Delta
	add := func(d deltaDoc) {
		sum.AwaitingPutaway += d.AwaitingPutaway
		sum.OnHand += d.OnHand
		sum.Reserved += d.Reserved
		sum.Pledged += d.Pledged
		sum.Available += d.Available
		sum.Picked += d.Picked
		sum.Damaged += d.Damaged
		sum.InTransferOut += d.InTransferOut
		sum.InTransferIn += d.InTransferIn
	}
	seen := map[string]bool{}
	cur, err := s.movements.Find(ctx, bson.M{fSKUID: skuID, fWarehouseID: warehouseID})
	if err != nil {
		return sum, mongodb.MapError(err, "sum movements")
	}
	var docs []movementDoc
	if err := cur.All(ctx, &docs); err != nil {
		return sum, mongodb.MapError(err, "sum movements")
	}
	var b struct {
		Pending []movementDoc `bson:"pendingMovements"`
	}
	err = s.balances.FindOne(ctx, bson.M{fID: balanceID(skuID, warehouseID)}).Decode(&b)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return sum, mongodb.MapError(err, "sum movements")
	}
	for _, d := range append(docs, b.Pending...) {
		if !seen[d.ID] {
			seen[d.ID] = true
			add(d.Delta)
		}
	}
	return sum, nil
}

// Sum returns the delta of balance b's buckets, for comparing with MovementSums.
func (b Balance) Sum() Delta {
	return Delta{AwaitingPutaway: b.AwaitingPutaway, OnHand: b.OnHand, Reserved: b.Reserved, Pledged: b.Pledged,
		Available: b.Available, Picked: b.Picked, Damaged: b.Damaged, InTransferOut: b.InTransferOut,
		InTransferIn: b.InTransferIn}
}

// Check reports a balance that breaks an invariant: a negative bucket, or available other than
// onHand − reserved − pledged.
func (b Balance) Check() error {
	for _, v := range []int64{b.AwaitingPutaway, b.OnHand, b.Reserved, b.Pledged, b.Available, b.Picked, b.Damaged, b.InTransferOut, b.InTransferIn} {
		if v < 0 {
			return fmt.Errorf("balance %s has a negative bucket: %+v", b.ID, b)
		}
	}
	if b.Available != b.OnHand-b.Reserved-b.Pledged {
		return fmt.Errorf("balance %s: available %d != onHand %d - reserved %d - pledged %d", b.ID, b.Available, b.OnHand, b.Reserved, b.Pledged)
	}
	return nil
}

// sinceDay is the start of t's UTC day.
func sinceDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
