package warehousing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/usage"
)

var idempotencyKey = regexp.MustCompile(`^[\x21-\x7e]{1,100}$`)

// OrderInput is a new fulfilment order.
type OrderInput struct {
	AccountID      string
	WarehouseID    string
	IdempotencyKey string
	Reference      string
	ServiceLevel   ServiceLevel
	ShipTo         ShipTo
	Lines          []OrderLine // SKUID and Quantity
}

// hash is the fingerprint of the request an idempotency key stands for: the same key with a
// different fingerprint is IDEMPOTENCY_KEY_REUSED. It covers every field after normalization, so
// whitespace a client trims on a retry does not count as a different request.
func (in OrderInput) hash() string {
	b, _ := json.Marshal(in) // plain strings and numbers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *Service) checkOrder(ctx context.Context, in OrderInput) (OrderInput, map[string]skuDoc, error) {
	in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	if !idempotencyKey.MatchString(in.IdempotencyKey) {
		return in, nil, errs.InvalidField("input.idempotencyKey", "1 to 100 printable ASCII characters without spaces")
	}
	var err error
	if in.Reference, err = text("input.reference", in.Reference, 100, false); err != nil {
		return in, nil, err
	}
	switch in.ServiceLevel {
	case Economy, Standard, Express:
	default:
		return in, nil, errs.InvalidField("input.serviceLevel", "ECONOMY, STANDARD or EXPRESS")
	}
	if in.ShipTo.Name, err = text("input.shipTo.name", in.ShipTo.Name, maxText, true); err != nil {
		return in, nil, err
	}
	if in.ShipTo.Phone, err = text("input.shipTo.phone", in.ShipTo.Phone, 40, false); err != nil {
		return in, nil, err
	}
	if in.ShipTo.Email, err = text("input.shipTo.email", in.ShipTo.Email, 254, false); err != nil {
		return in, nil, err
	}
	if in.ShipTo.Address, err = checkAddress("input.shipTo.address", in.ShipTo.Address); err != nil {
		return in, nil, err
	}
	if _, err := s.activeWarehouse(ctx, in.WarehouseID, "input.warehouseId"); err != nil {
		return in, nil, err
	}
	skus, err := s.checkLineSKUs(ctx, in.AccountID, "input.lines", len(in.Lines), func(i int) (string, int64) {
		return in.Lines[i].SKUID, in.Lines[i].Quantity
	})
	if err != nil {
		return in, nil, err
	}
	for i := range in.Lines {
		in.Lines[i].Reserved = 0
	}
	return in, skus, nil
}

// checkLineSKUs checks lines of (SKU, quantity): a positive quantity each, every SKU the
// account's own (another account's SKU is NOT_FOUND, like a missing one), no SKU twice.
func (s *Service) checkLineSKUs(ctx context.Context, accountID, prefix string, n int, line func(int) (string, int64)) (map[string]skuDoc, error) {
	if err := checkLines(prefix, n); err != nil {
		return nil, err
	}
	list := make([]string, 0, n)
	seen := map[string]bool{}
	for i := range n {
		id, q := line(i)
		if err := checkID(id, ids.SKU, field(prefix, i, "skuId")); err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, errs.InvalidField(field(prefix, i, "skuId"), "each SKU once per request")
		}
		seen[id] = true
		if err := checkQuantity(field(prefix, i, "quantity"), q); err != nil {
			return nil, err
		}
		list = append(list, id)
	}
	skus, err := s.skuDocs(ctx, accountID, list)
	if err != nil {
		return nil, err
	}
	for i, id := range list {
		if _, ok := skus[id]; !ok {
			return nil, notFound(field(prefix, i, "skuId"))
		}
	}
	return skus, nil
}

type orderEvent struct {
	From string `bson:"from,omitempty"`
	To   string `bson:"to"`
}

func (s *Service) orderEvent(ctx context.Context, d orderDoc, from, to OrderStatus) (events.OutboxEntry, error) {
	return events.New(events.Draft{AccountID: d.AccountID, Type: "order.status_changed", ObjectID: d.ID,
		Actor: actor(ctx), OccurredAt: s.clock.Now(), Data: orderEvent{From: string(from), To: string(to)}})
}

// CreateFulfilmentOrder creates an order and reserves its stock all-or-nothing: RESERVED when
// every line could be reserved, BACKORDERED (nothing reserved) when one could not, to be
// reserved when stock arrives. A replay (same account and idempotency key, same request) returns
// the first order and changes nothing.
//
// Returns NOT_FOUND/FORBIDDEN/ACCOUNT_SUSPENDED from access; INVALID with a field for bad input;
// NOT_FOUND at the field for an unknown warehouse or a SKU that is not the account's;
// WAREHOUSE_INACTIVE; IDEMPOTENCY_KEY_REUSED when the key was used for a different request. Bad
// input writes nothing.
func (s *Service) CreateFulfilmentOrder(ctx context.Context, in OrderInput) (Order, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, access.Orders, access.Write); err != nil {
		return Order{}, err
	}
	in, skus, err := s.checkOrder(ctx, in)
	if err != nil {
		return Order{}, err
	}
	now := s.clock.Now()
	d := orderDoc{ID: ids.New(ids.Order), AccountID: in.AccountID, WarehouseID: in.WarehouseID,
		IdempotencyKey: in.IdempotencyKey, PayloadHash: in.hash(), Reference: in.Reference,
		Status: string(OrderPending), ServiceLevel: string(in.ServiceLevel),
		ShipTo: shipToDoc{Name: in.ShipTo.Name, Phone: in.ShipTo.Phone, Email: in.ShipTo.Email,
			Address: toAddressDoc(in.ShipTo.Address)},
		CreatedAt: now, UpdatedAt: now}
	for _, l := range in.Lines {
		d.Lines = append(d.Lines, orderLineDoc{SKUID: l.SKUID, Quantity: l.Quantity})
	}
	ev, err := s.orderEvent(ctx, d, "", OrderPending)
	if err != nil {
		return Order{}, err
	}
	err = s.insertWithEvent(ctx, s.orders, d, ev)
	if errs.CodeOf(err) == errs.Conflict {
		var first orderDoc
		ferr := s.orders.FindOne(ctx, bson.M{fAccountID: in.AccountID, fIdemKey: in.IdempotencyKey}).Decode(&first)
		if ferr != nil {
			return Order{}, mongodb.MapError(ferr, "find order by idempotency key")
		}
		if first.PayloadHash != d.PayloadHash {
			return Order{}, ErrIdempotencyKeyReuse.With("input.idempotencyKey", nil)
		}
		audit.Annotate(ctx, in.AccountID, first.ID)
		if OrderStatus(first.Status) == OrderPending {
			// The first request may have died between its reservations and the order's status
			// change: a stale PENDING order is reconciled from its movements and finished here.
			return s.reconcile(ctx, first)
		}
		return first.toOrder(), nil
	}
	if err != nil {
		return Order{}, err
	}
	audit.Annotate(ctx, in.AccountID, d.ID)
	// The order is PENDING: this call holds it, so nothing else allocates it meanwhile.
	out, _, err := s.allocate(ctx, d, skus, OrderPending, nil)
	return out, err
}

// allocate reserves an order's lines all-or-nothing. The caller holds the order in status held
// (PENDING for a new order; PENDING too when claimed from the backorder queue or by a
// reconciler). has is what each line already holds (nil: nothing; a reconciler passes what the
// order's movements say). It ends RESERVED, or BACKORDERED with every reservation released;
// short is the SKU that was short. When d.Claim is set, the final change is guarded on it.
func (s *Service) allocate(ctx context.Context, d orderDoc, skus map[string]skuDoc, held OrderStatus, has []int64) (o Order, short string, err error) {
	ctx = context.WithoutCancel(ctx) // a half-done reservation must be finished or undone
	reserved := make([]int64, len(d.Lines))
	copy(reserved, has)
	for i, l := range d.Lines {
		need := l.Quantity - reserved[i]
		if need == 0 {
			continue
		}
		delta := Delta{Available: -need, Reserved: need}
		reason := ReasonReserve
		if need < 0 {
			reason = ReasonRelease // holds more than the line: give back the excess
		}
		_, err := s.apply(ctx, move{lowAt: skus[l.SKUID].reorderPoint(d.WarehouseID), Movement: Movement{
			AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.WarehouseID, Reason: reason,
			Delta: delta, Actor: actor(ctx), Source: d.ID}})
		if errors.Is(err, ErrInsufficientStock) && need > 0 {
			short = l.SKUID
			break
		}
		if err != nil {
			// Undo what was reserved, then report the failure; the order stays PENDING, and a
			// reconciler works out from its movements what it still holds.
			s.releaseLines(ctx, d, reserved, ReasonRelease)
			return Order{}, "", err
		}
		reserved[i] = l.Quantity
	}
	to := OrderReserved
	if short != "" {
		s.releaseLines(ctx, d, reserved, ReasonRelease)
		clear(reserved)
		to = OrderBackordered
	}
	set := bson.M{fStatus: string(to), fUpdatedAt: s.clock.Now()}
	for i := range d.Lines {
		set[field("lines", i, "reserved")] = reserved[i]
	}
	var guard bson.M
	if d.Claim != "" {
		guard = bson.M{fClaim: d.Claim}
	}
	out, err := s.transitionIf(ctx, d, held, to, set, guard)
	return out, short, err
}

// releaseLines gives back what an order holds: reserved units (RELEASE) to available stock.
func (s *Service) releaseLines(ctx context.Context, d orderDoc, qty []int64, reason Reason) {
	for i, q := range qty {
		if q == 0 {
			continue
		}
		l := d.Lines[i]
		_, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID,
			WarehouseID: d.WarehouseID, Reason: reason, Delta: Delta{Available: q, Reserved: -q},
			Actor: actor(ctx), Source: d.ID}})
		if err != nil {
			// Only a store outage gets here; the movements name the order for reconciliation.
			s.logger.ErrorContext(ctx, "release reserved stock", "order", d.ID, "sku", l.SKUID, "error", err)
		}
	}
}

// transition moves an order from one status to another with a guarded update, its event in the
// same write. It returns INVALID_TRANSITION when the order is no longer in from.
func (s *Service) transition(ctx context.Context, d orderDoc, from, to OrderStatus, set bson.M) (Order, error) {
	return s.transitionIf(ctx, d, from, to, set, nil)
}

// transitionIf is transition with more conditions on the order (guard; nil: none).
func (s *Service) transitionIf(ctx context.Context, d orderDoc, from, to OrderStatus, set, guard bson.M) (Order, error) {
	ev, err := s.orderEvent(ctx, d, from, to)
	if err != nil {
		return Order{}, err
	}
	if set == nil {
		set = bson.M{}
	}
	set[fStatus] = string(to)
	set[fUpdatedAt] = s.clock.Now()
	var out orderDoc
	filter := bson.M{fID: d.ID, fAccountID: d.AccountID, fStatus: string(from)}
	for k, v := range guard {
		filter[k] = v
	}
	err = s.orders.FindOneAndUpdate(ctx, filter,
		bson.D{{Key: "$set", Value: set}, events.Push(ev)},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Order{}, ErrInvalidTransition.WithMessage("the order is no longer %s", from)
	}
	if err != nil {
		return Order{}, mongodb.MapError(err, "order transition")
	}
	s.notify()
	return out.toOrder(), nil
}

// allocateBackorders reserves the warehouse's backorders that wait for skuID, oldest first,
// after stock of it arrived. It stops at the first order that is short of skuID, so a younger
// order never takes the stock an older one waits for; an order short of another SKU is passed
// over (it waits for that SKU's arrival). Failures are logged: the orders stay BACKORDERED and
// the next arrival retries them.
func (s *Service) allocateBackorders(ctx context.Context, accountID, warehouseID, skuID string) {
	ctx = context.WithoutCancel(ctx)
	cur, err := s.orders.Find(ctx, bson.M{fAccountID: accountID, fWarehouseID: warehouseID,
		fStatus: string(OrderBackordered), fLinesSKU: skuID},
		options.Find().SetSort(bson.D{{Key: fCreatedAt, Value: 1}, {Key: fID, Value: 1}}).SetLimit(200))
	if err != nil {
		s.logger.ErrorContext(ctx, "find backorders", "error", err)
		return
	}
	var queue []orderDoc
	if err := cur.All(ctx, &queue); err != nil {
		s.logger.ErrorContext(ctx, "find backorders", "error", err)
		return
	}
	for _, d := range queue {
		// Claim it: only one allocator works on an order at a time.
		claimed, err := s.transition(ctx, d, OrderBackordered, OrderPending, nil)
		if err != nil {
			continue // taken by another allocator, or cancelled meanwhile
		}
		var list []string
		for _, l := range claimed.Lines {
			list = append(list, l.SKUID)
		}
		skus, err := s.skuDocs(ctx, accountID, list)
		if err != nil {
			s.logger.ErrorContext(ctx, "allocate backorder", "order", d.ID, "error", err)
			_, _ = s.transition(ctx, d, OrderPending, OrderBackordered, nil)
			return
		}
		d.Status = string(OrderPending)
		_, short, err := s.allocate(ctx, d, skus, OrderPending, nil)
		if err != nil {
			s.logger.ErrorContext(ctx, "allocate backorder", "order", d.ID, "error", err)
			return
		}
		if short == skuID {
			return
		}
	}
}

// authorizeOrder loads an order and requires orders write in its account; another account's
// order is NOT_FOUND at input.orderId, exactly like a missing one.
func (s *Service) authorizeOrder(ctx context.Context, id string) (orderDoc, error) {
	audit.Annotate(ctx, "", id)
	d, err := s.findOrder(ctx, id, "input.orderId")
	if err != nil {
		return d, err
	}
	audit.Annotate(ctx, d.AccountID, id)
	return d, s.requireObject(ctx, d.AccountID, access.Orders, access.Write, "input.orderId")
}

func (s *Service) findOrder(ctx context.Context, id, fieldPath string) (orderDoc, error) {
	if err := checkID(id, ids.Order, fieldPath); err != nil {
		return orderDoc{}, err
	}
	var d orderDoc
	err := s.orders.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, notFound(fieldPath)
	}
	if err != nil {
		return d, mongodb.MapError(err, "find order")
	}
	return d, nil
}

func invalidTransition(d orderDoc, to OrderStatus) error {
	return ErrInvalidTransition.With("input.orderId", nil).WithMessage("a %s order cannot become %s", d.Status, to)
}

// PickFulfilmentOrder marks a RESERVED order PICKED: its reserved units leave their locations
// (PICK: reserved and onHand down, picked up). Returns NOT_FOUND, FORBIDDEN,
// ACCOUNT_SUSPENDED, INVALID_TRANSITION from any other status.
func (s *Service) PickFulfilmentOrder(ctx context.Context, orderID string) (Order, error) {
	d, err := s.authorizeOrder(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if OrderStatus(d.Status) != OrderReserved {
		return Order{}, invalidTransition(d, OrderPicked)
	}
	set := bson.M{}
	for i := range d.Lines {
		set[field("lines", i, "reserved")] = int64(0)
	}
	out, err := s.transition(ctx, d, OrderReserved, OrderPicked, set)
	if err != nil {
		return Order{}, err
	}
	ctx = context.WithoutCancel(ctx)
	for _, l := range d.Lines {
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID,
			WarehouseID: d.WarehouseID, Reason: ReasonPick, Delta: Delta{Reserved: -l.Reserved, OnHand: -l.Reserved, Picked: l.Reserved},
			Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Order{}, errs.Internalf("pick %s of order %s: %w", l.SKUID, d.ID, err)
		}
	}
	return out, nil
}

// PackFulfilmentOrder records a PICKED order's packages and marks it PACKED, and records the
// pick/pack usage (one order, and one per line beyond the first). Returns NOT_FOUND, FORBIDDEN,
// ACCOUNT_SUSPENDED, INVALID (no packages, or a package without a positive weight and
// dimensions), INVALID_TRANSITION.
func (s *Service) PackFulfilmentOrder(ctx context.Context, orderID string, packages []Package) (Order, error) {
	d, err := s.authorizeOrder(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if len(packages) == 0 || len(packages) > MaxLines {
		return Order{}, errs.InvalidField("input.packages", "1 to %d packages", MaxLines)
	}
	var docs []packageDoc
	for i, p := range packages {
		if p.WeightGrams <= 0 || p.LengthMM <= 0 || p.WidthMM <= 0 || p.HeightMM <= 0 ||
			p.WeightGrams > 1e7 || p.LengthMM > 1e5 || p.WidthMM > 1e5 || p.HeightMM > 1e5 {
			return Order{}, errs.InvalidField(field("input.packages", i), "weight and dimensions must be positive and realistic")
		}
		docs = append(docs, packageDoc(p))
	}
	if OrderStatus(d.Status) != OrderPicked {
		return Order{}, invalidTransition(d, OrderPacked)
	}
	out, err := s.transition(ctx, d, OrderPicked, OrderPacked, bson.M{"packages": docs})
	if err != nil {
		return Order{}, err
	}
	s.recordUsage(ctx, usage.Record{AccountID: d.AccountID, Category: usage.Warehousing, Code: "pickpack.order",
		Quantity: usage.Units(1), Unit: "order", OccurredAt: s.clock.Now(), SourceKey: "pickpack:" + d.ID,
		Attributes: map[string]string{"order": d.ID, "warehouse": d.WarehouseID}})
	if extra := len(d.Lines) - 1; extra > 0 {
		s.recordUsage(ctx, usage.Record{AccountID: d.AccountID, Category: usage.Warehousing, Code: "pickpack.extra_line",
			Quantity: usage.Units(int64(extra)), Unit: "line", OccurredAt: s.clock.Now(), SourceKey: "pickpack_lines:" + d.ID,
			Attributes: map[string]string{"order": d.ID, "warehouse": d.WarehouseID}})
	}
	return out, nil
}

// recordUsage writes a usage record after the change it bills. A failure is logged, not
// returned: the change is done, and the record's source key makes a later re-record safe.
func (s *Service) recordUsage(ctx context.Context, r usage.Record) {
	if s.usage == nil {
		return
	}
	if _, _, err := s.usage.Record(context.WithoutCancel(ctx), r); err != nil {
		s.logger.ErrorContext(ctx, "record usage", "source", r.SourceKey, "error", err)
	}
}

// ShipFulfilmentOrder marks a PACKED order SHIPPED with its carrier and tracking number (until
// transport books shipments itself); its picked units leave the warehouse (SHIP). Returns
// NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED, INVALID (carrier or tracking number missing),
// INVALID_TRANSITION.
func (s *Service) ShipFulfilmentOrder(ctx context.Context, orderID, carrier, tracking string) (Order, error) {
	d, err := s.authorizeOrder(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if carrier, err = text("input.carrier", carrier, 100, true); err != nil {
		return Order{}, err
	}
	if tracking, err = text("input.trackingNumber", tracking, 100, true); err != nil {
		return Order{}, err
	}
	if OrderStatus(d.Status) != OrderPacked {
		return Order{}, invalidTransition(d, OrderShipped)
	}
	now := s.clock.Now()
	out, err := s.transition(ctx, d, OrderPacked, OrderShipped, bson.M{"carrier": carrier, "trackingNumber": tracking, "shippedAt": now})
	if err != nil {
		return Order{}, err
	}
	ctx = context.WithoutCancel(ctx)
	for _, l := range d.Lines {
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID,
			WarehouseID: d.WarehouseID, Reason: ReasonShip, Delta: Delta{Picked: -l.Quantity},
			Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Order{}, errs.Internalf("ship %s of order %s: %w", l.SKUID, d.ID, err)
		}
	}
	return out, nil
}

// DeliverFulfilmentOrder marks a SHIPPED order DELIVERED. Returns NOT_FOUND, FORBIDDEN,
// ACCOUNT_SUSPENDED, INVALID_TRANSITION.
func (s *Service) DeliverFulfilmentOrder(ctx context.Context, orderID string) (Order, error) {
	d, err := s.authorizeOrder(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if OrderStatus(d.Status) != OrderShipped {
		return Order{}, invalidTransition(d, OrderDelivered)
	}
	return s.transition(ctx, d, OrderShipped, OrderDelivered, bson.M{"deliveredAt": s.clock.Now()})
}

// CancelFulfilmentOrder cancels an order that has not shipped: reserved units go back to
// available stock (RELEASE), and picked or packed units go back to their locations (RELEASE,
// picked down, onHand and available up); then the warehouse's backorders for those SKUs are
// retried. Returns NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED, INVALID_TRANSITION (shipped,
// delivered, already cancelled, or being allocated right now).
func (s *Service) CancelFulfilmentOrder(ctx context.Context, orderID string) (Order, error) {
	d, err := s.authorizeOrder(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	from := OrderStatus(d.Status)
	switch from {
	case OrderBackordered, OrderReserved, OrderPicked, OrderPacked:
	default:
		return Order{}, invalidTransition(d, OrderCancelled)
	}
	set := bson.M{"cancelledAt": s.clock.Now()}
	for i := range d.Lines {
		set[field("lines", i, "reserved")] = int64(0)
	}
	out, err := s.transition(ctx, d, from, OrderCancelled, set)
	if err != nil {
		return Order{}, err
	}
	ctx = context.WithoutCancel(ctx)
	for _, l := range d.Lines {
		var delta Delta
		switch from {
		case OrderReserved:
			delta = Delta{Reserved: -l.Reserved, Available: l.Reserved}
		case OrderPicked, OrderPacked:
			delta = Delta{Picked: -l.Quantity, OnHand: l.Quantity, Available: l.Quantity}
		default:
			continue
		}
		if delta == (Delta{}) {
			continue
		}
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID,
			WarehouseID: d.WarehouseID, Reason: ReasonRelease, Delta: delta, Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Order{}, errs.Internalf("release %s of order %s: %w", l.SKUID, d.ID, err)
		}
	}
	if from != OrderBackordered {
		for _, l := range d.Lines {
			s.allocateBackorders(ctx, d.AccountID, d.WarehouseID, l.SKUID)
		}
	}
	return out, nil
}

// FulfilmentOrder returns an order the caller may see; NOT_FOUND otherwise.
func (s *Service) FulfilmentOrder(ctx context.Context, id string) (Order, error) {
	d, err := s.findOrder(ctx, id, "id")
	if err != nil {
		return Order{}, err
	}
	if err := s.requireObject(ctx, d.AccountID, access.Orders, access.Read, "id"); err != nil {
		return Order{}, err
	}
	return d.toOrder(), nil
}

// FulfilmentOrders lists an account's orders, oldest first, optionally of some statuses.
// Returns NOT_FOUND for an account the caller may not read, INVALID for bad page arguments.
func (s *Service) FulfilmentOrders(ctx context.Context, accountID string, statuses []OrderStatus, page cursor.Page) (cursor.Result[Order], error) {
	if err := s.access.Require(ctx, accountID, access.Orders, access.Read); err != nil {
		return cursor.Result[Order]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Order]{}, err
	}
	filter := bson.M{fAccountID: accountID}
	if len(statuses) > 0 {
		list := make([]string, len(statuses))
		for i, st := range statuses {
			list[i] = string(st)
		}
		filter[fStatus] = bson.M{"$in": list}
	}
	res, err := mongodb.FindPage(ctx, s.orders, filter, orderKeyset, w)
	if err != nil {
		return cursor.Result[Order]{}, err
	}
	return mapResult(res, orderDoc.toOrder), nil
}

// VisibleOrders loads the orders among ids that the caller may read (node(id:)).
func (s *Service) VisibleOrders(ctx context.Context, list []string) (map[string]Order, error) {
	cur, err := s.orders.Find(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, mongodb.MapError(err, "find orders")
	}
	var docs []orderDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find orders")
	}
	out := map[string]Order{}
	for _, d := range docs {
		if s.access.Can(ctx, d.AccountID, access.Orders, access.Read) {
			out[d.ID] = d.toOrder()
		}
	}
	return out, nil
}

// MaxBulkOrders caps CreateFulfilmentOrders, like Shopify's input lists (250).
const MaxBulkOrders = 250

// BulkOrderResult is one order of a bulk intake: the order, or why it was refused.
type BulkOrderResult struct {
	Order Order
	Err   error // a user-correctable refusal (errs.Error), with its field under "input.orders.<i>"
}

// CreateFulfilmentOrders takes orders from a seller's platform in one request. Each order stands
// alone: a refused one does not stop the others, and each is idempotent by its own key, so a
// platform that lost the answer sends the same batch again and gets the same orders. The caller
// must be allowed to write orders in the account (checked once, first); a failure that is not the
// order's fault (INTERNAL) stops the batch and is returned, with the orders before it kept.
// Returns INVALID for an empty or oversized batch.
func (s *Service) CreateFulfilmentOrders(ctx context.Context, accountID string, orders []OrderInput) ([]BulkOrderResult, error) {
	audit.Annotate(ctx, accountID, "")
	if err := s.access.Require(ctx, accountID, access.Orders, access.Write); err != nil {
		return nil, err
	}
	if len(orders) == 0 || len(orders) > MaxBulkOrders {
		return nil, errs.InvalidField("input.orders", "send 1 to %d orders", MaxBulkOrders)
	}
	out := make([]BulkOrderResult, len(orders))
	for i, in := range orders {
		in.AccountID = accountID
		o, err := s.CreateFulfilmentOrder(ctx, in)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || e.Code == errs.Internal || e.Code == errs.Unauthenticated || e.Code == errs.Forbidden {
				return out[:i], fmt.Errorf("bulk order %d: %w", i, err)
			}
			c := *e
			if len(c.Field) > 0 && c.Field[0] == "input" {
				c.Field = append([]string{"input", "orders", strconv.Itoa(i)}, c.Field[1:]...)
			}
			out[i].Err = &c
			continue
		}
		out[i].Order = o
	}
	return out, nil
}
