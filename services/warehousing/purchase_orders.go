package warehousing

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
)

// What procurement needs of warehousing: announcing a purchase order's goods, and hearing that
// they were received. Kept apart so that the receiving code stays about receiving.

// OnReceiptReceived registers f to be told, after ReceiveReceipt succeeded, of the received
// receipt (procurement updates the purchase order it references). Register at start-up,
// before serving; f runs synchronously in the receiving request and must not fail it.
func (s *Service) OnReceiptReceived(f func(ctx context.Context, r Receipt)) {
	s.receiptHooks = append(s.receiptHooks, f)
}

func (s *Service) receiptReceived(ctx context.Context, r Receipt) {
	for _, f := range s.receiptHooks {
		f(ctx, r)
	}
}

// CreatePurchaseOrderReceipt announces a shipped purchase order's goods at the warehouse (an
// EXPECTED receipt referencing the PO). It is CreateReceipt without the caller's access check:
// procurement has already authorized the caller on the purchase order, and the supplier who
// ships it has no role in the buying account. The account's SKUs and the warehouse are checked
// as in CreateReceipt (NOT_FOUND at the field, WAREHOUSE_INACTIVE, INVALID).
func (s *Service) CreatePurchaseOrderReceipt(ctx context.Context, in ReceiptInput) (Receipt, error) {
	if !ids.HasPrefix(in.AccountID, ids.Account) || !ids.HasPrefix(in.PurchaseOrderID, ids.PurchaseOrder) {
		return Receipt{}, errs.InvalidField("input.purchaseOrderId", "not a purchase order of an account")
	}
	audit.Annotate(ctx, in.AccountID, "")
	var err error
	if in.Reference, err = text("input.reference", in.Reference, 100, false); err != nil {
		return Receipt{}, err
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
		Reference: in.Reference, PurchaseOrderID: in.PurchaseOrderID, ExpectedAt: in.ExpectedAt,
		Status: string(ReceiptExpected), CreatedAt: now, UpdatedAt: now}
	for _, l := range in.Lines {
		d.Lines = append(d.Lines, receiptLineDoc{SKUID: l.SKUID, Expected: l.Expected})
	}
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

// PurchaseOrderReceipts loads receipts by id without a caller, for procurement's sweep that
// catches up on receipts whose receiving hook did not complete (a crash between the two). Only
// receipts that reference a purchase order are returned.
func (s *Service) PurchaseOrderReceipts(ctx context.Context, list []string) (map[string]Receipt, error) {
	cur, err := s.receipts.Find(ctx, bson.M{fID: bson.M{"$in": list}, "purchaseOrderId": bson.M{"$gt": ""}})
	if err != nil {
		return nil, mongodb.MapError(err, "find purchase order receipts")
	}
	var docs []receiptDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find purchase order receipts")
	}
	out := map[string]Receipt{}
	for _, d := range docs {
		out[d.ID] = d.toReceipt()
	}
	return out, nil
}
