package warehousing

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

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

// ReceiptInput is a new advance shipping notice.
type ReceiptInput struct {
	AccountID       string
	WarehouseID     string
	Reference       string
	PurchaseOrderID string // optional: the procurement purchase order (po_…)
	ShipmentID      string // optional: the inbound transport shipment (shp_…)
	ExpectedAt      *time.Time
	Lines           []ReceiptLine // SKUID and Expected
}

type statusEvent struct {
	From string `bson:"from,omitempty"`
	To   string `bson:"to"`
}

// insertWithEvent inserts a document with its first event in its outbox, in one write.
func (s *Service) insertWithEvent(ctx context.Context, coll *mongo.Collection, doc any, ev events.OutboxEntry) error {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return errs.Internalf("encode %s: %w", coll.Name(), err)
	}
	full := append(bson.D{}, bson.E{Key: events.OutboxField, Value: bson.A{ev}})
	var fields bson.D
	if err := bson.Unmarshal(raw, &fields); err != nil {
		return errs.Internalf("encode %s: %w", coll.Name(), err)
	}
	if _, err := coll.InsertOne(ctx, append(fields, full...)); err != nil {
		return mongodb.MapError(err, "insert "+coll.Name())
	}
	s.notify()
	return nil
}

// statusChange moves a document of coll from one status to another with a guarded update and
// its event ("<kind>.status_changed") in the same write. It decodes the result into out and
// returns INVALID_TRANSITION when the document is no longer in from.
func (s *Service) statusChange(ctx context.Context, coll *mongo.Collection, kind, accountID, id, from, to string, set bson.M, data any, out any) error {
	if data == nil {
		data = statusEvent{From: from, To: to}
	}
	ev, err := events.New(events.Draft{AccountID: accountID, Type: kind + ".status_changed", ObjectID: id,
		Actor: actor(ctx), OccurredAt: s.clock.Now(), Data: data})
	if err != nil {
		return err
	}
	if set == nil {
		set = bson.M{}
	}
	set[fStatus] = to
	set[fUpdatedAt] = s.clock.Now()
	err = coll.FindOneAndUpdate(ctx, bson.M{fID: id, fAccountID: accountID, fStatus: from},
		bson.D{{Key: "$set", Value: set}, events.Push(ev)},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ErrInvalidTransition.WithMessage("it is no longer %s", from)
	}
	if err != nil {
		return mongodb.MapError(err, kind+" transition")
	}
	s.notify()
	return nil
}

// CreateReceipt announces inbound goods (an ASN). Returns NOT_FOUND/FORBIDDEN/ACCOUNT_SUSPENDED
// from access; NOT_FOUND at the field for an unknown warehouse or a SKU that is not the
// account's; WAREHOUSE_INACTIVE; INVALID with a field for bad input (nothing written).
func (s *Service) CreateReceipt(ctx context.Context, in ReceiptInput) (Receipt, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, access.Receipts, access.Write); err != nil {
		return Receipt{}, err
	}
	var err error
	if in.Reference, err = text("input.reference", in.Reference, 100, false); err != nil {
		return Receipt{}, err
	}
	if in.PurchaseOrderID != "" && !ids.HasPrefix(in.PurchaseOrderID, ids.PurchaseOrder) {
		return Receipt{}, errs.InvalidField("input.purchaseOrderId", "not a purchase order id")
	}
	if in.ShipmentID != "" && !ids.HasPrefix(in.ShipmentID, ids.Shipment) {
		return Receipt{}, errs.InvalidField("input.shipmentId", "not a shipment id")
	}
	if _, err := s.activeWarehouse(ctx, in.WarehouseID, "input.warehouseId"); err != nil {
		return Receipt{}, err
	}
	if _, err := s.checkLineSKUs(ctx, in.AccountID, "input.lines", len(in.Lines), func(i int) (string, int64) {
		return in.Lines[i].SKUID, in.Lines[i].Expected
	}); err != nil {
		return Receipt{}, err
	}
	now := s.clock.Now()
	d := receiptDoc{ID: ids.New(ids.Receipt), AccountID: in.AccountID, WarehouseID: in.WarehouseID,
		Reference: in.Reference, PurchaseOrderID: in.PurchaseOrderID, ShipmentID: in.ShipmentID,
		ExpectedAt: in.ExpectedAt, Status: string(ReceiptExpected), CreatedAt: now, UpdatedAt: now}
	for _, l := range in.Lines {
		d.Lines = append(d.Lines, receiptLineDoc{SKUID: l.SKUID, Expected: l.Expected})
	}
	audit.Annotate(ctx, in.AccountID, d.ID)
	ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "receipt.created", ObjectID: d.ID,
		Actor: actor(ctx), OccurredAt: now})
	if err != nil {
		return Receipt{}, err
	}
	if err := s.insertWithEvent(ctx, s.receipts, d, ev); err != nil {
		return Receipt{}, err
	}
	return d.toReceipt(), nil
}

func (s *Service) authorizeReceipt(ctx context.Context, id string, act access.Action) (receiptDoc, error) {
	return loadAuthorized(ctx, s, s.receipts, id, ids.Receipt, access.Receipts, act, "input.receiptId", func(d receiptDoc) string { return d.AccountID })
}

// ReceiveLine is what arrived for one SKU of a receipt.
type ReceiveLine struct {
	SKUID    string
	Received int64 // in good condition
	Damaged  int64
	Lot      string
	Expiry   *time.Time
}

type receivedEvent struct {
	Discrepancy bool `bson:"discrepancy"`
}

type discrepancyLine struct {
	SKUID    string `bson:"skuId"`
	Expected int64  `bson:"expected"`
	Received int64  `bson:"received"`
	Damaged  int64  `bson:"damaged"`
	Over     int64  `bson:"over"`
	Short    int64  `bson:"short"`
}

type discrepancyEvent struct {
	Lines []discrepancyLine `bson:"lines"`
}

// ReceiveReceipt records what arrived for an EXPECTED receipt, once: per SKU the units in good
// condition and the damaged ones (lot required for SKUs that track lots). Lines not given
// arrived short. Good units wait for putaway (RECEIPT: awaitingPutaway up), damaged ones are
// quarantined (damaged up). Over, short or damaged lines raise receipt.discrepancy. Receiving is
// billed per unit.
//
// Returns NOT_FOUND/FORBIDDEN/ACCOUNT_SUSPENDED; TOO_MANY_LINES when given more lines than the
// receipt expects; INVALID for a SKU not on the receipt, a SKU twice, negative or all-zero
// quantities; LOT_REQUIRED; INVALID_TRANSITION when not EXPECTED. Refusals write nothing.
func (s *Service) ReceiveReceipt(ctx context.Context, receiptID string, lines []ReceiveLine) (Receipt, error) {
	d, err := s.authorizeReceipt(ctx, receiptID, access.Write)
	if err != nil {
		return Receipt{}, err
	}
	if len(lines) > len(d.Lines) {
		return Receipt{}, ErrTooManyLines.With("input.lines", nil).WithMessage(
			"the receipt expects %d lines; %d were given", len(d.Lines), len(lines))
	}
	if len(lines) == 0 {
		return Receipt{}, errs.InvalidField("input.lines", "at least one line")
	}
	index := map[string]int{}
	for i, l := range d.Lines {
		index[l.SKUID] = i
	}
	var skuIDs []string
	for _, l := range d.Lines {
		skuIDs = append(skuIDs, l.SKUID)
	}
	skus, err := s.skuDocs(ctx, d.AccountID, skuIDs)
	if err != nil {
		return Receipt{}, err
	}
	got := make([]receiptLineDoc, len(d.Lines))
	copy(got, d.Lines)
	seen := map[string]bool{}
	for i, l := range lines {
		fp := field("input.lines", i)
		at, ok := index[l.SKUID]
		if !ok {
			return Receipt{}, errs.InvalidField(fp+".skuId", "this SKU is not on the receipt")
		}
		if seen[l.SKUID] {
			return Receipt{}, errs.InvalidField(fp+".skuId", "each SKU once")
		}
		seen[l.SKUID] = true
		if l.Received < 0 || l.Damaged < 0 || l.Received > MaxQuantity || l.Damaged > MaxQuantity {
			return Receipt{}, errs.InvalidField(fp+".received", "quantities must be between 0 and %d", MaxQuantity)
		}
		if l.Received+l.Damaged == 0 {
			return Receipt{}, errs.InvalidField(fp+".received", "a line needs received or damaged units; leave out what did not arrive")
		}
		lot, err := text(fp+".lot", l.Lot, 64, false)
		if err != nil {
			return Receipt{}, err
		}
		if skus[l.SKUID].TracksLots && lot == "" {
			return Receipt{}, ErrLotRequired.With(fp+".lot", nil)
		}
		got[at].Received, got[at].Damaged, got[at].Lot, got[at].Expiry = l.Received, l.Damaged, lot, l.Expiry
	}
	if ReceiptStatus(d.Status) != ReceiptExpected {
		return Receipt{}, ErrInvalidTransition.With("input.receiptId", nil).WithMessage("a %s receipt cannot be received", d.Status)
	}
	now := s.clock.Now()
	r := receiptDoc{Lines: got, ReceivedAt: &now}
	disc := r.toReceipt().HasDiscrepancy()
	var out receiptDoc
	err = s.statusChange(ctx, s.receipts, "receipt", d.AccountID, d.ID, string(ReceiptExpected), string(ReceiptReceived),
		bson.M{"lines": got, "receivedAt": now}, nil, &out)
	if err != nil {
		return Receipt{}, err
	}
	ctx = context.WithoutCancel(ctx)
	// receipt.received, and receipt.discrepancy when something did not match, on the receipt.
	evs := []events.OutboxEntry{}
	ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "receipt.received", ObjectID: d.ID,
		Actor: actor(ctx), OccurredAt: now, Data: receivedEvent{Discrepancy: disc}})
	if err == nil {
		evs = append(evs, ev)
	}
	if disc {
		var dl []discrepancyLine
		for _, l := range out.toReceipt().Lines {
			if l.Over() > 0 || l.Short() > 0 || l.Damaged > 0 {
				dl = append(dl, discrepancyLine{SKUID: l.SKUID, Expected: l.Expected, Received: l.Received,
					Damaged: l.Damaged, Over: l.Over(), Short: l.Short()})
			}
		}
		if ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "receipt.discrepancy", ObjectID: d.ID,
			Actor: actor(ctx), OccurredAt: now, Data: discrepancyEvent{Lines: dl}}); err == nil {
			evs = append(evs, ev)
		}
	}
	if _, err := s.receipts.UpdateOne(ctx, bson.M{fID: d.ID}, bson.D{events.Push(evs...)}); err != nil {
		s.logger.ErrorContext(ctx, "receipt events", "receipt", d.ID, "error", err)
	}
	for i, l := range got {
		if l.Received+l.Damaged == 0 {
			continue
		}
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.WarehouseID,
			Reason: ReasonReceipt, Delta: Delta{AwaitingPutaway: l.Received, Damaged: l.Damaged}, Actor: actor(ctx),
			Source: d.ID, Lot: l.Lot}}); err != nil {
			return Receipt{}, errs.Internalf("receive %s on %s: %w", l.SKUID, d.ID, err)
		}
		s.recordUsage(ctx, usage.Record{AccountID: d.AccountID, Category: usage.Warehousing, Code: "receiving.unit",
			Quantity: usage.Units(l.Received + l.Damaged), Unit: "unit", OccurredAt: now,
			SourceKey: "receiving:" + d.ID + ":" + strconv.Itoa(i), Attributes: map[string]string{"receipt": d.ID, "sku": l.SKUID, "warehouse": d.WarehouseID}})
	}
	s.notify()
	s.receiptReceived(ctx, out.toReceipt())
	return out.toReceipt(), nil
}

// PutawayReceipt moves a RECEIVED receipt's good units into storage (PUTAWAY: awaitingPutaway
// down, onHand and available up) and marks it PUT_AWAY; then the warehouse's backorders for
// those SKUs are retried. Returns NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED, INVALID_TRANSITION.
func (s *Service) PutawayReceipt(ctx context.Context, receiptID string) (Receipt, error) {
	d, err := s.authorizeReceipt(ctx, receiptID, access.Write)
	if err != nil {
		return Receipt{}, err
	}
	if ReceiptStatus(d.Status) != ReceiptReceived {
		return Receipt{}, ErrInvalidTransition.With("input.receiptId", nil).WithMessage("a %s receipt cannot be put away", d.Status)
	}
	var out receiptDoc
	if err := s.statusChange(ctx, s.receipts, "receipt", d.AccountID, d.ID, string(ReceiptReceived), string(ReceiptPutAway),
		bson.M{"putAwayAt": s.clock.Now()}, nil, &out); err != nil {
		return Receipt{}, err
	}
	ctx = context.WithoutCancel(ctx)
	var skuIDs []string
	for _, l := range d.Lines {
		skuIDs = append(skuIDs, l.SKUID)
	}
	skus, err := s.skuDocs(ctx, d.AccountID, skuIDs)
	if err != nil {
		return Receipt{}, err
	}
	for _, l := range d.Lines {
		if l.Received == 0 {
			continue
		}
		if _, err := s.apply(ctx, move{lowAt: skus[l.SKUID].reorderPoint(d.WarehouseID), Movement: Movement{
			AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.WarehouseID, Reason: ReasonPutaway,
			Delta: Delta{AwaitingPutaway: -l.Received, OnHand: l.Received, Available: l.Received},
			Actor: actor(ctx), Source: d.ID, Lot: l.Lot}}); err != nil {
			return Receipt{}, errs.Internalf("put away %s of %s: %w", l.SKUID, d.ID, err)
		}
		s.allocateBackorders(ctx, d.AccountID, d.WarehouseID, l.SKUID)
	}
	return out.toReceipt(), nil
}

// CancelReceipt cancels an EXPECTED receipt. Returns NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED,
// INVALID_TRANSITION.
func (s *Service) CancelReceipt(ctx context.Context, receiptID string) (Receipt, error) {
	d, err := s.authorizeReceipt(ctx, receiptID, access.Write)
	if err != nil {
		return Receipt{}, err
	}
	var out receiptDoc
	if err := s.statusChange(ctx, s.receipts, "receipt", d.AccountID, d.ID, string(ReceiptExpected), string(ReceiptCanceled),
		nil, nil, &out); err != nil {
		return Receipt{}, ErrInvalidTransition.With("input.receiptId", err).WithMessage("a %s receipt cannot be cancelled", d.Status)
	}
	return out.toReceipt(), nil
}

// Receipt returns a receipt the caller may see; NOT_FOUND otherwise.
func (s *Service) Receipt(ctx context.Context, id string) (Receipt, error) {
	d, err := s.authorizeReceipt(ctx, id, access.Read)
	if err != nil {
		return Receipt{}, err
	}
	return d.toReceipt(), nil
}

// Receipts lists an account's receipts, oldest first, optionally of one status. Returns
// NOT_FOUND for an account the caller may not read, INVALID for bad page arguments.
func (s *Service) Receipts(ctx context.Context, accountID string, status ReceiptStatus, page cursor.Page) (cursor.Result[Receipt], error) {
	res, err := listPage(ctx, s, accountID, access.Receipts, s.receipts, string(status), receiptKeyset, page)
	return mapResult(res, receiptDoc.toReceipt), err
}

// listPage is the shared shape of the account-scoped lists.
func listPage[D any](ctx context.Context, s *Service, accountID string, res access.Resource, coll *mongo.Collection, status string, ks mongodb.Keyset[D], page cursor.Page) (cursor.Result[D], error) {
	if err := s.access.Require(ctx, accountID, res, access.Read); err != nil {
		return cursor.Result[D]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[D]{}, err
	}
	filter := bson.M{fAccountID: accountID}
	if status != "" {
		filter[fStatus] = status
	}
	return mongodb.FindPage(ctx, coll, filter, ks, w)
}

// visible loads documents by id and keeps those the caller may read (node(id:)).
func visible[D any](ctx context.Context, s *Service, coll *mongo.Collection, res access.Resource, list []string, account func(D) string, id func(D) string) (map[string]D, error) {
	cur, err := coll.Find(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, mongodb.MapError(err, "find "+coll.Name())
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find "+coll.Name())
	}
	out := map[string]D{}
	for _, d := range docs {
		if s.access.Can(ctx, account(d), res, access.Read) {
			out[id(d)] = d
		}
	}
	return out, nil
}

// VisibleReceipts loads the receipts among ids that the caller may read.
func (s *Service) VisibleReceipts(ctx context.Context, list []string) (map[string]Receipt, error) {
	m, err := visible(ctx, s, s.receipts, access.Receipts, list,
		func(d receiptDoc) string { return d.AccountID }, func(d receiptDoc) string { return d.ID })
	out := map[string]Receipt{}
	for k, d := range m {
		out[k] = d.toReceipt()
	}
	return out, err
}

// TransferInput is stock to move between two warehouses.
type TransferInput struct {
	AccountID       string
	FromWarehouseID string
	ToWarehouseID   string
	Lines           []TransferLine
}

// CreateTransfer sends stock from one warehouse to another, all-or-nothing: every line leaves
// the source's available stock (TRANSFER_OUT: available and onHand down, inTransferOut up) and
// is announced at the destination (TRANSFER_IN: inTransferIn up); if a line is short, the lines
// already sent are returned and INSUFFICIENT_STOCK is reported (the transfer is not created).
//
// Returns NOT_FOUND/FORBIDDEN/ACCOUNT_SUSPENDED; NOT_FOUND at the field for unknown warehouses
// or SKUs; INVALID for the same warehouse twice or bad lines; WAREHOUSE_INACTIVE;
// INSUFFICIENT_STOCK.
func (s *Service) CreateTransfer(ctx context.Context, in TransferInput) (Transfer, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, access.Transfers, access.Write); err != nil {
		return Transfer{}, err
	}
	if _, err := s.activeWarehouse(ctx, in.FromWarehouseID, "input.fromWarehouseId"); err != nil {
		return Transfer{}, err
	}
	if _, err := s.activeWarehouse(ctx, in.ToWarehouseID, "input.toWarehouseId"); err != nil {
		return Transfer{}, err
	}
	if in.FromWarehouseID == in.ToWarehouseID {
		return Transfer{}, errs.InvalidField("input.toWarehouseId", "must differ from the source warehouse")
	}
	if _, err := s.checkLineSKUs(ctx, in.AccountID, "input.lines", len(in.Lines), func(i int) (string, int64) {
		return in.Lines[i].SKUID, in.Lines[i].Quantity
	}); err != nil {
		return Transfer{}, err
	}
	d := transferDoc{ID: ids.New(ids.Transfer), AccountID: in.AccountID, FromWarehouseID: in.FromWarehouseID,
		ToWarehouseID: in.ToWarehouseID, Status: string(TransferInTransit), CreatedAt: s.clock.Now()}
	d.UpdatedAt = d.CreatedAt
	audit.Annotate(ctx, in.AccountID, d.ID)
	ctx2 := context.WithoutCancel(ctx)
	sent := 0
	var failure error
	for _, l := range in.Lines {
		_, err := s.apply(ctx2, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.FromWarehouseID,
			Reason: ReasonTransferOut, Delta: Delta{Available: -l.Quantity, OnHand: -l.Quantity, InTransferOut: l.Quantity},
			Actor: actor(ctx), Source: d.ID}})
		if err != nil {
			failure = err
			break
		}
		sent++
	}
	if failure != nil {
		for _, l := range in.Lines[:sent] {
			if _, err := s.apply(ctx2, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.FromWarehouseID,
				Reason: ReasonTransferOut, Delta: Delta{Available: l.Quantity, OnHand: l.Quantity, InTransferOut: -l.Quantity},
				Actor: actor(ctx), Source: d.ID, Note: "transfer not created: a line was short"}}); err != nil {
				s.logger.ErrorContext(ctx, "undo transfer line", "transfer", d.ID, "sku", l.SKUID, "error", err)
			}
		}
		if errors.Is(failure, ErrInsufficientStock) {
			i := sent
			return Transfer{}, ErrInsufficientStock.With(field("input.lines", i, "quantity"), nil)
		}
		return Transfer{}, failure
	}
	for _, l := range in.Lines {
		d.Lines = append(d.Lines, transferLineDoc(l))
		if _, err := s.apply(ctx2, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.ToWarehouseID,
			Reason: ReasonTransferIn, Delta: Delta{InTransferIn: l.Quantity}, Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Transfer{}, errs.Internalf("announce transfer %s at destination: %w", d.ID, err)
		}
	}
	ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "transfer.created", ObjectID: d.ID,
		Actor: actor(ctx), OccurredAt: d.CreatedAt})
	if err != nil {
		return Transfer{}, err
	}
	if err := s.insertWithEvent(ctx2, s.transfers, d, ev); err != nil {
		return Transfer{}, err
	}
	return d.toTransfer(), nil
}

func (s *Service) authorizeTransfer(ctx context.Context, id string, act access.Action) (transferDoc, error) {
	return loadAuthorized(ctx, s, s.transfers, id, ids.Transfer, access.Transfers, act, "input.transferId", func(d transferDoc) string { return d.AccountID })
}

// ReceiveTransfer completes an IN_TRANSIT transfer: the units leave the source's in-transit
// stock and enter the destination's available stock; then the destination's backorders for
// those SKUs are retried. Returns NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED, INVALID_TRANSITION.
func (s *Service) ReceiveTransfer(ctx context.Context, transferID string) (Transfer, error) {
	d, err := s.authorizeTransfer(ctx, transferID, access.Write)
	if err != nil {
		return Transfer{}, err
	}
	var out transferDoc
	if TransferStatus(d.Status) != TransferInTransit {
		return Transfer{}, ErrInvalidTransition.With("input.transferId", nil).WithMessage("a %s transfer cannot be received", d.Status)
	}
	if err := s.statusChange(ctx, s.transfers, "transfer", d.AccountID, d.ID, string(TransferInTransit), string(TransferReceived),
		bson.M{"receivedAt": s.clock.Now()}, nil, &out); err != nil {
		return Transfer{}, err
	}
	ctx = context.WithoutCancel(ctx)
	for _, l := range d.Lines {
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.FromWarehouseID,
			Reason: ReasonTransferOut, Delta: Delta{InTransferOut: -l.Quantity}, Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Transfer{}, errs.Internalf("complete transfer %s at source: %w", d.ID, err)
		}
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.ToWarehouseID,
			Reason: ReasonTransferIn, Delta: Delta{InTransferIn: -l.Quantity, OnHand: l.Quantity, Available: l.Quantity},
			Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Transfer{}, errs.Internalf("complete transfer %s at destination: %w", d.ID, err)
		}
		s.allocateBackorders(ctx, d.AccountID, d.ToWarehouseID, l.SKUID)
	}
	return out.toTransfer(), nil
}

// Transfer returns a transfer the caller may see; NOT_FOUND otherwise.
func (s *Service) Transfer(ctx context.Context, id string) (Transfer, error) {
	d, err := s.authorizeTransfer(ctx, id, access.Read)
	if err != nil {
		return Transfer{}, err
	}
	return d.toTransfer(), nil
}

// Transfers lists an account's transfers, oldest first. Errors as Receipts.
func (s *Service) Transfers(ctx context.Context, accountID string, status TransferStatus, page cursor.Page) (cursor.Result[Transfer], error) {
	res, err := listPage(ctx, s, accountID, access.Transfers, s.transfers, string(status), transferKeyset, page)
	return mapResult(res, transferDoc.toTransfer), err
}

// VisibleTransfers loads the transfers among ids that the caller may read.
func (s *Service) VisibleTransfers(ctx context.Context, list []string) (map[string]Transfer, error) {
	m, err := visible(ctx, s, s.transfers, access.Transfers, list,
		func(d transferDoc) string { return d.AccountID }, func(d transferDoc) string { return d.ID })
	out := map[string]Transfer{}
	for k, d := range m {
		out[k] = d.toTransfer()
	}
	return out, err
}

// ReturnInput is a return authorization.
type ReturnInput struct {
	AccountID   string
	WarehouseID string
	OrderID     string // optional: the order the goods were shipped with
	Reason      string
	Lines       []ReturnLine // SKUID and Quantity
}

// CreateReturn authorizes a return (RMA) to a warehouse. Returns NOT_FOUND/FORBIDDEN/
// ACCOUNT_SUSPENDED; NOT_FOUND at the field for an unknown warehouse, order or SKU;
// WAREHOUSE_INACTIVE; INVALID for bad lines.
func (s *Service) CreateReturn(ctx context.Context, in ReturnInput) (Return, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, access.Returns, access.Write); err != nil {
		return Return{}, err
	}
	var err error
	if in.Reason, err = text("input.reason", in.Reason, maxText, false); err != nil {
		return Return{}, err
	}
	if _, err := s.activeWarehouse(ctx, in.WarehouseID, "input.warehouseId"); err != nil {
		return Return{}, err
	}
	if in.OrderID != "" {
		o, err := s.findOrder(ctx, in.OrderID, "input.orderId")
		if err != nil {
			return Return{}, err
		}
		if o.AccountID != in.AccountID {
			return Return{}, notFound("input.orderId")
		}
	}
	if _, err := s.checkLineSKUs(ctx, in.AccountID, "input.lines", len(in.Lines), func(i int) (string, int64) {
		return in.Lines[i].SKUID, in.Lines[i].Quantity
	}); err != nil {
		return Return{}, err
	}
	now := s.clock.Now()
	d := returnDoc{ID: ids.New(ids.Return), AccountID: in.AccountID, WarehouseID: in.WarehouseID, OrderID: in.OrderID,
		Reason: in.Reason, Status: string(ReturnExpected), CreatedAt: now, UpdatedAt: now}
	for _, l := range in.Lines {
		d.Lines = append(d.Lines, returnLineDoc{SKUID: l.SKUID, Quantity: l.Quantity})
	}
	audit.Annotate(ctx, in.AccountID, d.ID)
	ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "return.created", ObjectID: d.ID,
		Actor: actor(ctx), OccurredAt: now})
	if err != nil {
		return Return{}, err
	}
	if err := s.insertWithEvent(ctx, s.returns, d, ev); err != nil {
		return Return{}, err
	}
	return d.toReturn(), nil
}

func (s *Service) authorizeReturn(ctx context.Context, id string, act access.Action) (returnDoc, error) {
	return loadAuthorized(ctx, s, s.returns, id, ids.Return, access.Returns, act, "input.returnId", func(d returnDoc) string { return d.AccountID })
}

// ReceiveReturn records the units that came back on an EXPECTED return (RETURN: awaiting
// putaway up), marks it RECEIVED and bills returns handling per unit. quantities is per line of
// the return, in order; a line may come back short but not over. Returns NOT_FOUND, FORBIDDEN,
// ACCOUNT_SUSPENDED, INVALID (wrong number of lines, a quantity out of range, nothing at all),
// INVALID_TRANSITION.
func (s *Service) ReceiveReturn(ctx context.Context, returnID string, quantities []int64) (Return, error) {
	d, err := s.authorizeReturn(ctx, returnID, access.Write)
	if err != nil {
		return Return{}, err
	}
	if len(quantities) != len(d.Lines) {
		return Return{}, errs.InvalidField("input.quantities", "one quantity per line of the return (%d)", len(d.Lines))
	}
	var total int64
	lines := make([]returnLineDoc, len(d.Lines))
	for i, q := range quantities {
		if q < 0 || q > d.Lines[i].Quantity {
			return Return{}, errs.InvalidField(field("input.quantities", i), "between 0 and the %d units authorized", d.Lines[i].Quantity)
		}
		lines[i] = d.Lines[i]
		lines[i].Received = q
		total += q
	}
	if total == 0 {
		return Return{}, errs.InvalidField("input.quantities", "nothing came back: leave the return EXPECTED")
	}
	if ReturnStatus(d.Status) != ReturnExpected {
		return Return{}, ErrInvalidTransition.With("input.returnId", nil).WithMessage("a %s return cannot be received", d.Status)
	}
	now := s.clock.Now()
	var out returnDoc
	if err := s.statusChange(ctx, s.returns, "return", d.AccountID, d.ID, string(ReturnExpected), string(ReturnReceived),
		bson.M{"lines": lines, "receivedAt": now}, nil, &out); err != nil {
		return Return{}, err
	}
	ctx = context.WithoutCancel(ctx)
	for _, l := range lines {
		if l.Received == 0 {
			continue
		}
		if _, err := s.apply(ctx, move{Movement: Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.WarehouseID,
			Reason: ReasonReturn, Delta: Delta{AwaitingPutaway: l.Received}, Actor: actor(ctx), Source: d.ID}}); err != nil {
			return Return{}, errs.Internalf("receive return %s: %w", d.ID, err)
		}
	}
	s.recordUsage(ctx, usage.Record{AccountID: d.AccountID, Category: usage.Warehousing, Code: "returns.unit",
		Quantity: usage.Units(total), Unit: "unit", OccurredAt: now, SourceKey: "returns:" + d.ID,
		Attributes: map[string]string{"return": d.ID, "warehouse": d.WarehouseID}})
	return out.toReturn(), nil
}

// ResolveReturn ends a RECEIVED return: restock puts the units back into available stock
// (RETURN: awaitingPutaway down, onHand and available up, then backorders are retried);
// otherwise they are written off as damaged (DAMAGE: awaitingPutaway down, damaged up). Returns
// NOT_FOUND, FORBIDDEN, ACCOUNT_SUSPENDED, INVALID_TRANSITION.
func (s *Service) ResolveReturn(ctx context.Context, returnID string, restock bool) (Return, error) {
	d, err := s.authorizeReturn(ctx, returnID, access.Write)
	if err != nil {
		return Return{}, err
	}
	to := ReturnWrittenOff
	if restock {
		to = ReturnRestocked
	}
	if ReturnStatus(d.Status) != ReturnReceived {
		return Return{}, ErrInvalidTransition.With("input.returnId", nil).WithMessage("a %s return cannot be %s", d.Status, strings.ToLower(string(to)))
	}
	var out returnDoc
	if err := s.statusChange(ctx, s.returns, "return", d.AccountID, d.ID, string(ReturnReceived), string(to),
		bson.M{"resolvedAt": s.clock.Now()}, nil, &out); err != nil {
		return Return{}, err
	}
	ctx = context.WithoutCancel(ctx)
	for _, l := range d.Lines {
		if l.Received == 0 {
			continue
		}
		m := Movement{AccountID: d.AccountID, SKUID: l.SKUID, WarehouseID: d.WarehouseID, Reason: ReasonDamage,
			Delta: Delta{AwaitingPutaway: -l.Received, Damaged: l.Received}, Actor: actor(ctx), Source: d.ID}
		if restock {
			m.Reason = ReasonReturn
			m.Delta = Delta{AwaitingPutaway: -l.Received, OnHand: l.Received, Available: l.Received}
		}
		if _, err := s.apply(ctx, move{Movement: m}); err != nil {
			return Return{}, errs.Internalf("resolve return %s: %w", d.ID, err)
		}
		if restock {
			s.allocateBackorders(ctx, d.AccountID, d.WarehouseID, l.SKUID)
		}
	}
	return out.toReturn(), nil
}

// ReturnByID returns a return the caller may see; NOT_FOUND otherwise.
func (s *Service) ReturnByID(ctx context.Context, id string) (Return, error) {
	d, err := s.authorizeReturn(ctx, id, access.Read)
	if err != nil {
		return Return{}, err
	}
	return d.toReturn(), nil
}

// Returns lists an account's returns, oldest first. Errors as Receipts.
func (s *Service) Returns(ctx context.Context, accountID string, status ReturnStatus, page cursor.Page) (cursor.Result[Return], error) {
	res, err := listPage(ctx, s, accountID, access.Returns, s.returns, string(status), returnKeyset, page)
	return mapResult(res, returnDoc.toReturn), err
}

// VisibleReturns loads the returns among ids that the caller may read.
func (s *Service) VisibleReturns(ctx context.Context, list []string) (map[string]Return, error) {
	m, err := visible(ctx, s, s.returns, access.Returns, list,
		func(d returnDoc) string { return d.AccountID }, func(d returnDoc) string { return d.ID })
	out := map[string]Return{}
	for k, d := range m {
		out[k] = d.toReturn()
	}
	return out, err
}

// loadAuthorized loads one tenant document by id and checks that the caller may do act on it,
// annotating the audit entry with its account: the common first step of every method on a
// receipt, transfer or return. A malformed, missing or foreign id is NOT_FOUND at writeField
// for changes, or at "id" for reads.
func loadAuthorized[D any](ctx context.Context, s *Service, coll *mongo.Collection, id string, prefix ids.Prefix,
	res access.Resource, act access.Action, writeField string, accountOf func(D) string) (D, error) {
	var d D
	audit.Annotate(ctx, "", id)
	fieldPath := writeField
	if act == access.Read {
		fieldPath = "id"
	}
	if err := checkID(id, prefix, fieldPath); err != nil {
		return d, err
	}
	err := coll.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, notFound(fieldPath)
	}
	if err != nil {
		return d, mongodb.MapError(err, "find "+coll.Name())
	}
	audit.Annotate(ctx, accountOf(d), id)
	return d, s.requireObject(ctx, accountOf(d), res, act, fieldPath)
}
