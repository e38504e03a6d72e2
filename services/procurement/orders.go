package procurement

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/usage"
)

// Events of a purchase order, recorded in its outbox with the change they report.
const (
	EventPOIssued        = "purchase_order.issued"
	EventPOStatusChanged = "purchase_order.status_changed"
)

type poStatusEvent struct {
	From string `bson:"from"`
	To   string `bson:"to"`
}

func poEvent(d poDoc, typ, from, to, actor string, at time.Time) (events.OutboxEntry, error) {
	return events.New(events.Draft{AccountID: d.AccountID, Type: typ, ObjectID: d.ID, Actor: actor, OccurredAt: at,
		Data: poStatusEvent{From: from, To: to}})
}

// LineAward gives one RFQ line to one quote.
type LineAward struct {
	RFQLineID, QuoteID string
}

// AwardInput awards an RFQ: a whole quote (QuoteID, every line it prices) or lines to different
// quotes (Lines). Every awarded line becomes a line of its quote's purchase order.
type AwardInput struct {
	RFQID        string
	QuoteID      string
	Lines        []LineAward
	PaymentTerms PaymentTerms // default 30 % deposit, balance before shipment
	Notes        string
}

// AwardRFQ awards an OPEN or CLOSED RFQ and issues one purchase order per awarded quote; the
// awarded quotes become AWARDED and all others NOT_AWARDED. The award is a guarded update of
// the RFQ's status: of two racing awards exactly one wins, the other gets RFQ_NOT_AWARDABLE
// and nothing of it is written.
//
// Returns NOT_FOUND (the RFQ, or a quote not of this RFQ at its field), FORBIDDEN;
// RFQ_NOT_AWARDABLE for an RFQ already awarded or cancelled; INVALID for an empty award, a
// line twice or not priced by its quote, bad payment terms; FAILED_PRECONDITION for a quote
// whose validity has passed.
func (s *Service) AwardRFQ(ctx context.Context, in AwardInput) ([]PurchaseOrder, error) {
	if (in.QuoteID == "") == (len(in.Lines) == 0) {
		return nil, errs.InvalidField("input.quoteId", "award either a whole quote or lines, one of the two")
	}
	if in.PaymentTerms.Balance == "" {
		in.PaymentTerms = PaymentTerms{DepositPercent: 30, Balance: BalanceBeforeShipment}
	}
	if in.PaymentTerms.DepositPercent < 0 || in.PaymentTerms.DepositPercent > 100 {
		return nil, errs.InvalidField("input.paymentTerms.depositPercent", "between 0 and 100")
	}
	switch in.PaymentTerms.Balance {
	case BalanceBeforeShipment, BalanceOnReceipt, BalanceNet30:
	default:
		return nil, errs.InvalidField("input.paymentTerms.balance", "BEFORE_SHIPMENT, ON_RECEIPT or NET_30")
	}
	notes, err := text("input.notes", in.Notes, maxSpecs, false)
	if err != nil {
		return nil, err
	}
	d, err := s.buyerRFQ(ctx, in.RFQID)
	if err != nil {
		return nil, err
	}
	if err := s.access.Require(ctx, d.AccountID, access.PurchaseOrders, access.Write); err != nil {
		return nil, err
	}
	if d.Status != string(RFQOpen) && d.Status != string(RFQClosed) {
		return nil, ErrNotAwardable.With("input.rfqId", nil)
	}
	docs, err := s.quoteDocs(ctx, bson.M{fRFQID: d.ID})
	if err != nil {
		return nil, err
	}
	byID := map[string]quoteDoc{}
	for _, q := range docs {
		byID[q.ID] = q
	}
	awards := in.Lines
	if in.QuoteID != "" {
		q, ok := byID[in.QuoteID]
		if !ok {
			return nil, ErrNotFound.With("input.quoteId", nil)
		}
		for _, l := range q.Lines {
			awards = append(awards, LineAward{RFQLineID: l.LineID, QuoteID: q.ID})
		}
	}
	now := s.clock.Now()
	perQuote := map[string][]string{}
	var order []string
	seen := map[string]bool{}
	for i, a := range awards {
		f := "input.lines." + itoa(i)
		q, ok := byID[a.QuoteID]
		if !ok {
			return nil, ErrNotFound.With(f+".quoteId", nil)
		}
		if _, ok := q.line(a.RFQLineID); !ok || seen[a.RFQLineID] {
			return nil, errs.InvalidField(f+".rfqLineId", "a line the quote prices, each line once")
		}
		if q.ValidUntil.Before(now) {
			return nil, ErrInvalidTransition.With(f+".quoteId", nil).WithMessage("the quote expired on %s", q.ValidUntil.Format(time.DateOnly))
		}
		seen[a.RFQLineID] = true
		if perQuote[q.ID] == nil {
			order = append(order, q.ID)
		}
		perQuote[q.ID] = append(perQuote[q.ID], a.RFQLineID)
	}
	suppliers := map[string]supplierDoc{}
	for _, qid := range order {
		sd, ok, err := s.supplierDoc(ctx, byID[qid].SupplierID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNotFound.With("input.quoteId", nil)
		}
		suppliers[qid] = sd
	}
	// The award itself: only the first of racing awards moves the RFQ out of OPEN/CLOSED.
	if _, err := s.transition(ctx, d, []RFQStatus{RFQOpen, RFQClosed}, RFQAwarded, bson.M{"awardedAt": now}); err != nil {
		if errs.CodeOf(err) == errs.FailedPrecondition {
			return nil, ErrNotAwardable.With("input.rfqId", err)
		}
		return nil, err
	}
	// From here the award has won: what follows completes it.
	ctx = context.WithoutCancel(ctx)
	var out []PurchaseOrder
	for _, qid := range order {
		q := byID[qid]
		number, err := s.nextNumber(ctx, d.AccountID, now)
		if err != nil {
			return out, err
		}
		id := ids.New(ids.PurchaseOrder)
		po := poDoc{ID: id, Key: id, AccountID: d.AccountID, Number: number, RFQID: d.ID, QuoteID: q.ID,
			SupplierID: q.SupplierID, SupplierCountry: suppliers[qid].Country, WarehouseID: d.WarehouseID,
			Incoterm: q.Incoterm, Currency: q.Currency, DepositPercent: in.PaymentTerms.DepositPercent,
			Balance: string(in.PaymentTerms.Balance), Notes: notes, Status: string(POIssued), AppliedReceipts: []string{},
			IssuedAt: now}
		lead := 0
		for _, lid := range perQuote[qid] {
			rl, _ := d.line(lid)
			ql, _ := q.line(lid)
			po.Lines = append(po.Lines, poLineDoc{LineID: lid, SKUID: rl.SKUID, Description: rl.Description,
				Quantity: rl.Quantity, Unit: rl.Unit, UnitPrice: ql.UnitPrice, LeadDays: ql.LeadDays})
			po.Total += ql.UnitPrice * rl.Quantity
			lead = max(lead, ql.LeadDays)
		}
		po.PromisedShipBy = now.Add(time.Duration(lead) * 24 * time.Hour)
		ev, err := poEvent(po, EventPOIssued, "", string(POIssued), actor(ctx), now)
		if err != nil {
			return out, err
		}
		po.Outbox = []events.OutboxEntry{ev}
		if _, err := s.pos.InsertOne(ctx, po); err != nil {
			return out, internal("insert purchase order", err)
		}
		out = append(out, po.toPO())
	}
	s.notify()
	if _, err := s.quotes.UpdateMany(ctx, bson.M{fRFQID: d.ID, fID: bson.M{"$in": order}},
		bson.M{"$set": bson.M{fStatus: string(QuoteAwarded)}}); err != nil {
		return out, internal("mark awarded quotes", err)
	}
	if _, err := s.quotes.UpdateMany(ctx, bson.M{fRFQID: d.ID, fID: bson.M{"$nin": order}},
		bson.M{"$set": bson.M{fStatus: string(QuoteNotAwarded)}}); err != nil {
		return out, internal("close competing quotes", err)
	}
	return out, nil
}

// nextNumber takes the account's next PO number of the year: one counter document per account
// and year, incremented atomically ($inc in a single-document update). It is called only after
// the award won its guarded update, so a number is never taken for an award that then fails
// validation: numbers are gapless unless the store fails between the $inc and the insert.
func (s *Service) nextNumber(ctx context.Context, accountID string, now time.Time) (string, error) {
	var c struct {
		Seq int64 `bson:"seq"`
	}
	year := now.Year()
	err := s.counters.FindOneAndUpdate(ctx, bson.M{fID: fmt.Sprintf("po:%s:%d", accountID, year)},
		bson.M{"$inc": bson.M{"seq": 1}}, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return "", internal("po counter", err)
	}
	return fmt.Sprintf("PO-%d-%06d", year, c.Seq), nil
}

// poView is how the caller relates to a PO.
type poView struct{ buyer, supplier bool }

func (s *Service) loadPO(ctx context.Context, id, field string) (poDoc, poView, error) {
	if !ids.HasPrefix(id, ids.PurchaseOrder) {
		return poDoc{}, poView{}, ErrNotFound.With(field, nil)
	}
	var d poDoc
	err := s.pos.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return poDoc{}, poView{}, ErrNotFound.With(field, nil)
	}
	if err != nil {
		return poDoc{}, poView{}, internal("find purchase order", err)
	}
	if s.access.Require(ctx, d.AccountID, access.PurchaseOrders, access.Read) == nil {
		return d, poView{buyer: true}, nil
	}
	if sup, ok := s.cfg.SupplierOf(ctx); ok && sup == d.SupplierID && s.access.Require(ctx, sup, access.PurchaseOrders, access.Read) == nil {
		return d, poView{supplier: true}, nil
	}
	return poDoc{}, poView{}, ErrNotFound.With(field, nil)
}

// PurchaseOrder returns a PO the caller may see: the buyer's people and staff, or the
// supplier's own users; NOT_FOUND otherwise.
func (s *Service) PurchaseOrder(ctx context.Context, id string) (PurchaseOrder, error) {
	d, _, err := s.loadPO(ctx, id, "id")
	if err != nil {
		return PurchaseOrder{}, err
	}
	return d.toPO(), nil
}

// PurchaseOrdersByID returns the visible POs among list.
func (s *Service) PurchaseOrdersByID(ctx context.Context, list []string) (map[string]PurchaseOrder, error) {
	out := map[string]PurchaseOrder{}
	for _, id := range list {
		d, _, err := s.loadPO(ctx, id, "id")
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = d.toPO()
	}
	return out, nil
}

// PurchaseOrders lists the account's POs (read on its purchase_orders), optionally of a status.
func (s *Service) PurchaseOrders(ctx context.Context, accountID string, status POStatus, page cursor.Page) (cursor.Result[PurchaseOrder], error) {
	if err := s.access.Require(ctx, accountID, access.PurchaseOrders, access.Read); err != nil {
		return cursor.Result[PurchaseOrder]{}, err
	}
	f := bson.M{fAccountID: accountID}
	if status != "" {
		f[fStatus] = string(status)
	}
	return s.poPage(ctx, f, page)
}

// SupplierPurchaseOrders lists the POs awarded to the caller's supplier (empty for others).
func (s *Service) SupplierPurchaseOrders(ctx context.Context, page cursor.Page) (cursor.Result[PurchaseOrder], error) {
	if _, err := s.SignedIn(ctx); err != nil {
		return cursor.Result[PurchaseOrder]{}, err
	}
	sup, ok := s.cfg.SupplierOf(ctx)
	if !ok || s.access.Require(ctx, sup, access.PurchaseOrders, access.Read) != nil {
		return cursor.Result[PurchaseOrder]{Items: []PurchaseOrder{}}, nil
	}
	return s.poPage(ctx, bson.M{fSupplierID: sup}, page)
}

func (s *Service) poPage(ctx context.Context, f bson.M, page cursor.Page) (cursor.Result[PurchaseOrder], error) {
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[PurchaseOrder]{}, err
	}
	res, err := mongodb.FindPage(ctx, s.pos, f, idKeyset(func(d poDoc) string { return d.ID }), w)
	if err != nil {
		return cursor.Result[PurchaseOrder]{}, err
	}
	out := cursor.Result[PurchaseOrder]{Cursors: res.Cursors, HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage, Items: []PurchaseOrder{}}
	for _, d := range res.Items {
		out.Items = append(out.Items, d.toPO())
	}
	return out, nil
}

// writePO loads a PO for a change by the buyer (write on the account's purchase_orders) or,
// when supplierMay, by the supplier's own user. NOT_FOUND when the caller cannot see it,
// FORBIDDEN when it can but may not do this.
func (s *Service) writePO(ctx context.Context, id string, supplierMay bool) (poDoc, error) {
	d, v, err := s.loadPO(ctx, id, "input.purchaseOrderId")
	if err != nil {
		return poDoc{}, err
	}
	audit.Annotate(ctx, d.AccountID, d.ID)
	if v.buyer {
		if err := s.access.Require(ctx, d.AccountID, access.PurchaseOrders, access.Write); err != nil {
			return poDoc{}, err
		}
		return d, nil
	}
	if !supplierMay {
		return poDoc{}, access.ErrForbidden
	}
	if err := s.access.Require(ctx, d.SupplierID, access.PurchaseOrders, access.Write); err != nil {
		return poDoc{}, notFound(err, "input.purchaseOrderId")
	}
	return d, nil
}

// poTransition moves a PO between statuses with a guarded update on the stored status.
func (s *Service) poTransition(ctx context.Context, d poDoc, from []POStatus, to POStatus, set bson.M) (poDoc, error) {
	if !slices.Contains(from, POStatus(d.Status)) {
		return poDoc{}, ErrInvalidTransition.With("input.purchaseOrderId", nil).WithMessage("a %s purchase order cannot become %s", d.Status, to)
	}
	if set == nil {
		set = bson.M{}
	}
	set[fStatus] = string(to)
	upd := bson.D{{Key: "$set", Value: set}}
	if to != POStatus(d.Status) {
		ev, err := poEvent(d, EventPOStatusChanged, d.Status, string(to), actor(ctx), s.clock.Now())
		if err != nil {
			return poDoc{}, err
		}
		upd = append(upd, events.Push(ev))
	}
	var out poDoc
	err := s.pos.FindOneAndUpdate(ctx, bson.M{fID: d.ID, fStatus: d.Status}, upd,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if err == mongo.ErrNoDocuments {
		return poDoc{}, ErrInvalidTransition.With("input.purchaseOrderId", nil).WithMessage("the purchase order changed meanwhile; reload it")
	}
	if err != nil {
		return poDoc{}, internal("po transition", err)
	}
	s.notify()
	return out, nil
}

// UpdatePurchaseOrder amends the notes and payment terms of an ISSUED PO (before the supplier
// confirms it): the buyer only. Returns NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, INVALID.
func (s *Service) UpdatePurchaseOrder(ctx context.Context, id string, notes *string, terms *PaymentTerms) (PurchaseOrder, error) {
	set := bson.M{}
	if notes != nil {
		n, err := text("input.notes", *notes, maxSpecs, false)
		if err != nil {
			return PurchaseOrder{}, err
		}
		set["notes"] = n
	}
	if terms != nil {
		if terms.DepositPercent < 0 || terms.DepositPercent > 100 {
			return PurchaseOrder{}, errs.InvalidField("input.paymentTerms.depositPercent", "between 0 and 100")
		}
		switch terms.Balance {
		case BalanceBeforeShipment, BalanceOnReceipt, BalanceNet30:
		default:
			return PurchaseOrder{}, errs.InvalidField("input.paymentTerms.balance", "BEFORE_SHIPMENT, ON_RECEIPT or NET_30")
		}
		set["depositPercent"], set["balance"] = terms.DepositPercent, string(terms.Balance)
	}
	d, err := s.writePO(ctx, id, false)
	if err != nil {
		return PurchaseOrder{}, err
	}
	out, err := s.poTransition(ctx, d, []POStatus{POIssued}, POIssued, set)
	if err != nil {
		return PurchaseOrder{}, err
	}
	return out.toPO(), nil
}

// ConfirmPurchaseOrder is the supplier's acceptance of an ISSUED PO (its own user, or the
// buyer's side recording it). It records the procurement commission's usage: one
// purchase_order whose Amount is the PO total, source key "procurement:<poID>" (invoicing
// applies the price book's percentage and minimum). Returns NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION.
func (s *Service) ConfirmPurchaseOrder(ctx context.Context, id string) (PurchaseOrder, error) {
	d, err := s.writePO(ctx, id, true)
	if err != nil {
		return PurchaseOrder{}, err
	}
	now := s.clock.Now()
	out, err := s.poTransition(ctx, d, []POStatus{POIssued}, POConfirmed, bson.M{"confirmedAt": now})
	if err != nil {
		return PurchaseOrder{}, err
	}
	s.recordCommission(context.WithoutCancel(ctx), out, now)
	return out.toPO(), nil
}

func (s *Service) recordCommission(ctx context.Context, d poDoc, at time.Time) {
	if s.cfg.Usage == nil {
		return
	}
	total := money.New(d.Total, money.MustCurrency(d.Currency))
	if _, _, err := s.cfg.Usage.Record(ctx, usage.Record{AccountID: d.AccountID, Category: usage.Procurement,
		Code: "procurement.commission", Quantity: usage.Units(1), Unit: "purchase_order", Amount: &total, OccurredAt: at,
		SourceKey: "procurement:" + d.ID, Attributes: map[string]string{"purchaseOrder": d.ID, "number": d.Number, "supplier": d.SupplierID}}); err != nil {
		s.log.ErrorContext(ctx, "procurement: record commission usage", "po", d.ID, "error", err)
	}
}

// ShipPurchaseOrder marks a CONFIRMED PO shipped (the supplier, or the buyer recording it) and
// announces the goods at the destination warehouse: an inbound receipt (ASN) with one line per
// SKU, referencing the PO, expected at expectedAt. Every line needs a SKU (SKU_REQUIRED).
// Returns NOT_FOUND, FORBIDDEN, INVALID_TRANSITION; warehousing's errors for the receipt, in
// which case the PO stays CONFIRMED.
func (s *Service) ShipPurchaseOrder(ctx context.Context, id string, expectedAt *time.Time) (PurchaseOrder, error) {
	d, err := s.writePO(ctx, id, true)
	if err != nil {
		return PurchaseOrder{}, err
	}
	if d.Status != string(POConfirmed) {
		return PurchaseOrder{}, ErrInvalidTransition.With("input.purchaseOrderId", nil).WithMessage("only a CONFIRMED purchase order can ship; this one is %s", d.Status)
	}
	for i, l := range d.Lines {
		if l.SKUID == "" {
			return PurchaseOrder{}, ErrSKURequired.With("input.purchaseOrderId", nil).WithMessage("line %d (%s) has no SKU", i+1, l.Description)
		}
	}
	if s.cfg.Inbound == nil {
		return PurchaseOrder{}, errs.Internalf("procurement: no inbound receiving wired")
	}
	req := InboundRequest{AccountID: d.AccountID, WarehouseID: d.WarehouseID, PurchaseOrderID: d.ID,
		Reference: d.Number, ExpectedAt: expectedAt}
	for _, l := range d.Lines {
		req.Lines = append(req.Lines, InboundLine{SKUID: l.SKUID, Quantity: l.Quantity})
	}
	// The receipt first, then the guarded status change that records it: a failed receipt
	// leaves the PO CONFIRMED; a lost race leaves an orphan EXPECTED receipt that the winner's
	// receipt does not depend on (warehousing can cancel it).
	receiptID, err := s.cfg.Inbound.CreateInbound(ctx, req)
	if err != nil {
		return PurchaseOrder{}, err
	}
	out, err := s.poTransition(ctx, d, []POStatus{POConfirmed}, POShipped, bson.M{"shippedAt": s.clock.Now(), "receiptId": receiptID})
	if err != nil {
		return PurchaseOrder{}, err
	}
	return out.toPO(), nil
}

// CancelPurchaseOrder cancels a PO not shipped yet (the buyer only).
func (s *Service) CancelPurchaseOrder(ctx context.Context, id string) (PurchaseOrder, error) {
	d, err := s.writePO(ctx, id, false)
	if err != nil {
		return PurchaseOrder{}, err
	}
	out, err := s.poTransition(ctx, d, []POStatus{POIssued, POConfirmed}, POCancelled, bson.M{"cancelledAt": s.clock.Now()})
	if err != nil {
		return PurchaseOrder{}, err
	}
	return out.toPO(), nil
}

// ClosePurchaseOrder closes a RECEIVED or PARTIALLY_RECEIVED PO (the buyer accepts what came).
func (s *Service) ClosePurchaseOrder(ctx context.Context, id string) (PurchaseOrder, error) {
	d, err := s.writePO(ctx, id, false)
	if err != nil {
		return PurchaseOrder{}, err
	}
	out, err := s.poTransition(ctx, d, []POStatus{POReceived, POPartiallyReceived}, POClosed, bson.M{"closedAt": s.clock.Now()})
	if err != nil {
		return PurchaseOrder{}, err
	}
	return out.toPO(), nil
}

// ReceivedLine is what a warehouse received of one SKU of a PO's receipt.
type ReceivedLine struct {
	SKUID              string
	Received, Rejected int64
}

// ApplyReceipt records what the destination warehouse received against a SHIPPED PO (called by
// warehousing's receipt hook, wired in cmd/tradehub; there is no caller to authorize). It is
// idempotent per receipt: the PO update is guarded on the receipt id not yet applied, and only
// the update that applied it adds the delivery to the supplier's score counters ($inc on the
// supplier document). The PO becomes RECEIVED when every line arrived in full (accepted or
// rejected), else PARTIALLY_RECEIVED. Returns NOT_FOUND for an unknown PO, nil for a replay.
func (s *Service) ApplyReceipt(ctx context.Context, poID, receiptID string, lines []ReceivedLine, at time.Time) error {
	var d poDoc
	if err := s.pos.FindOne(ctx, bson.M{fID: poID}).Decode(&d); err != nil {
		return mongodb.MapError(err, "find purchase order")
	}
	if slices.Contains(d.AppliedReceipts, receiptID) {
		return nil
	}
	if d.Status != string(POShipped) && d.Status != string(POPartiallyReceived) {
		return ErrInvalidTransition.WithMessage("a %s purchase order cannot be received", d.Status)
	}
	got := map[string]ReceivedLine{}
	for _, l := range lines {
		g := got[l.SKUID]
		g.Received += l.Received
		g.Rejected += l.Rejected
		got[l.SKUID] = g
	}
	full := true
	var sc scoreDoc
	newLines := append([]poLineDoc(nil), d.Lines...)
	for i := range newLines {
		l := &newLines[i]
		g := got[l.SKUID]
		l.Received += g.Received
		l.Rejected += g.Rejected
		delivered := l.Received + l.Rejected
		if delivered < l.Quantity {
			full = false
		}
		diff := delivered - l.Quantity
		if diff < 0 {
			diff = -diff
		}
		sc.Ordered += l.Quantity
		sc.Accurate += max(0, l.Quantity-diff)
		sc.Received += g.Received
		sc.Rejected += g.Rejected
	}
	status := POPartiallyReceived
	if full {
		status = POReceived
	}
	push := bson.M{fReceipts: receiptID}
	if string(status) != d.Status {
		ev, err := poEvent(d, EventPOStatusChanged, d.Status, string(status), "", at)
		if err != nil {
			return err
		}
		push[events.OutboxField] = events.Each(ev)
	}
	res, err := s.pos.UpdateOne(ctx, bson.M{fID: d.ID, fStatus: d.Status, fReceipts: bson.M{"$ne": receiptID}},
		bson.M{"$set": bson.M{"lines": newLines, fStatus: string(status), "receivedAt": at}, "$push": push})
	if err != nil {
		return internal("apply receipt", err)
	}
	if res.ModifiedCount != 1 {
		return nil // applied meanwhile by a concurrent call
	}
	s.notify()
	// The score counts each PO once, at its first receipt: on time when shipped by the promised
	// date (issue + the longest quoted lead time).
	inc := bson.M{"score.received": sc.Received, "score.rejected": sc.Rejected}
	if len(d.AppliedReceipts) == 0 {
		inc["score.orders"] = 1
		inc["score.ordered"] = sc.Ordered
		inc["score.accurate"] = sc.Accurate
		if d.ShippedAt != nil && !d.ShippedAt.After(d.PromisedShipBy) {
			inc["score.onTime"] = 1
		}
	}
	if _, err := s.suppliers.UpdateOne(ctx, bson.M{fID: d.SupplierID}, bson.M{"$inc": inc}); err != nil {
		return internal("update supplier score", err)
	}
	return nil
}

// PurchaseOrdersForCollateral lists the account's POs that financing may lend against:
// CONFIRMED, SHIPPED or PARTIALLY_RECEIVED. Requires read on the account's purchase orders.
func (s *Service) PurchaseOrdersForCollateral(ctx context.Context, accountID string) ([]POCollateral, error) {
	if err := s.access.Require(ctx, accountID, access.PurchaseOrders, access.Read); err != nil {
		return nil, err
	}
	cur, err := s.pos.Find(ctx, bson.M{fAccountID: accountID, fStatus: bson.M{"$in": bson.A{string(POConfirmed), string(POShipped), string(POPartiallyReceived)}}},
		options.Find().SetSort(bson.D{{Key: fKey, Value: 1}}))
	if err != nil {
		return nil, internal("find collateral pos", err)
	}
	var docs []poDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("find collateral pos", err)
	}
	out := []POCollateral{}
	for _, d := range docs {
		out = append(out, collateralOf(d.toPO()))
	}
	return out, nil
}

// PurchaseOrderForCollateral returns one PO of the account for financing; NOT_FOUND for a
// missing id or one of another account.
func (s *Service) PurchaseOrderForCollateral(ctx context.Context, accountID, poID string) (POCollateral, error) {
	if err := s.access.Require(ctx, accountID, access.PurchaseOrders, access.Read); err != nil {
		return POCollateral{}, notFound(err, "purchaseOrderId")
	}
	if !ids.HasPrefix(poID, ids.PurchaseOrder) {
		return POCollateral{}, ErrNotFound.With("purchaseOrderId", nil)
	}
	var d poDoc
	err := s.pos.FindOne(ctx, bson.M{fID: poID, fAccountID: accountID}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return POCollateral{}, ErrNotFound.With("purchaseOrderId", nil)
	}
	if err != nil {
		return POCollateral{}, internal("find collateral po", err)
	}
	return collateralOf(d.toPO()), nil
}

func collateralOf(p PurchaseOrder) POCollateral {
	return POCollateral{ID: p.ID, Number: p.Number, Status: string(p.Status), SupplierID: p.SupplierID,
		SupplierCountry: p.SupplierCountry, DestinationWarehouseID: p.DestinationWarehouseID,
		Confirmed: p.Total, Received: p.ReceivedValue()}
}

// trimUpper normalizes a code.
func trimUpper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ReceivedReceipt is what a warehouse received on a PO's receipt; Received false while it is
// still expected.
type ReceivedReceipt struct {
	ID, PurchaseOrderID string
	Received            bool
	ReceivedAt          time.Time
	Lines               []ReceivedLine
}

// ReceiptSource reads receipts without a caller (warehousing, adapted in cmd/tradehub).
type ReceiptSource interface {
	PurchaseOrderReceipts(ctx context.Context, ids []string) (map[string]ReceivedReceipt, error)
}

// SyncReceipts applies the receiving of SHIPPED purchase orders whose receipt was received but
// not applied (the receiving hook runs after the receipt's write; a crash in between would leave
// the PO behind). ApplyReceipt is idempotent, so running this at any time is safe. It looks at
// up to limit POs and returns how many it brought up to date.
func (s *Service) SyncReceipts(ctx context.Context, src ReceiptSource, limit int) (int, error) {
	cur, err := s.pos.Find(ctx, bson.M{fStatus: string(POShipped), "receiptId": bson.M{"$gt": ""}},
		options.Find().SetLimit(int64(limit)).SetProjection(bson.M{"receiptId": 1}))
	if err != nil {
		return 0, internal("find shipped pos", err)
	}
	var docs []struct {
		ID        string `bson:"_id"`
		ReceiptID string `bson:"receiptId"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return 0, internal("find shipped pos", err)
	}
	if len(docs) == 0 {
		return 0, nil
	}
	var list []string
	for _, d := range docs {
		list = append(list, d.ReceiptID)
	}
	receipts, err := src.PurchaseOrderReceipts(ctx, list)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		r, ok := receipts[d.ReceiptID]
		if !ok || !r.Received || r.PurchaseOrderID != d.ID {
			continue
		}
		if err := s.ApplyReceipt(ctx, d.ID, r.ID, r.Lines, r.ReceivedAt); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
