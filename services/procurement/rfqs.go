package procurement

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/transport/customs"
)

// RFQLineInput is one line of a new RFQ. TargetUnitPrice is in the RFQ currency.
type RFQLineInput struct {
	SKUID           string
	Description     string
	Quantity        int64
	Unit            string
	TargetUnitPrice *string // decimal
	RequiredBy      *time.Time
	Specifications  string
	HSCode          string
	UnitWeightGrams int64
}

// RFQInput creates a DRAFT RFQ.
type RFQInput struct {
	AccountID              string
	Title                  string
	DestinationWarehouseID string
	Incoterm               Incoterm // default FOB
	Currency               string
	ResponseDeadline       time.Time
	ShowTargetPrices       bool
	Lines                  []RFQLineInput
	SupplierIDs            []string
}

// CreateRFQ creates a DRAFT RFQ: write on the account's RFQs. Returns INVALID with a field for
// bad input (no lines, more than MaxInvitedSuppliers suppliers, an unknown currency, a deadline
// in the past, a SKU twice…); NOT_FOUND at the field for a SKU, warehouse or supplier the caller
// cannot see; SUPPLIER_SUSPENDED; access errors. Nothing is written on refusal.
func (s *Service) CreateRFQ(ctx context.Context, in RFQInput) (RFQ, error) {
	audit.Annotate(ctx, in.AccountID, "")
	d, err := s.validateRFQ(ctx, in)
	if err != nil {
		return RFQ{}, err
	}
	if _, err := s.rfqs.InsertOne(ctx, d); err != nil {
		return RFQ{}, internal("insert rfq", err)
	}
	audit.Annotate(ctx, in.AccountID, d.ID)
	return d.toRFQ(), nil
}

func (s *Service) validateRFQ(ctx context.Context, in RFQInput) (rfqDoc, error) {
	var err error
	if !ids.HasPrefix(in.AccountID, ids.Account) {
		return rfqDoc{}, errs.InvalidField("input.accountId", "not an account id")
	}
	if in.Title, err = text("input.title", in.Title, maxText, true); err != nil {
		return rfqDoc{}, err
	}
	cur, err := money.ParseCurrency(strings.TrimSpace(in.Currency))
	if err != nil {
		return rfqDoc{}, errs.InvalidField("input.currency", "not an ISO 4217 currency code")
	}
	if in.Incoterm == "" {
		in.Incoterm = FOB
	}
	if !in.Incoterm.Valid() {
		return rfqDoc{}, errs.InvalidField("input.incoterm", "an Incoterms 2020 code such as FOB or DDP")
	}
	now := s.clock.Now()
	if !in.ResponseDeadline.After(now) {
		return rfqDoc{}, errs.InvalidField("input.responseDeadline", "must be in the future")
	}
	if len(in.Lines) == 0 {
		return rfqDoc{}, errs.InvalidField("input.lines", "an RFQ needs at least one line")
	}
	if len(in.Lines) > MaxRFQLines {
		return rfqDoc{}, errs.InvalidField("input.lines", "at most %d lines", MaxRFQLines)
	}
	if len(in.SupplierIDs) > MaxInvitedSuppliers {
		return rfqDoc{}, errs.InvalidField("input.supplierIds", "at most %d suppliers can be invited", MaxInvitedSuppliers)
	}
	if !ids.HasPrefix(in.DestinationWarehouseID, ids.Warehouse) {
		return rfqDoc{}, errs.InvalidField("input.destinationWarehouseId", "not a warehouse id")
	}
	var lines []rfqLineDoc
	var skuIDs []string
	for i, l := range in.Lines {
		f := "input.lines." + itoa(i)
		d := rfqLineDoc{ID: itoa(i + 1), SKUID: strings.TrimSpace(l.SKUID), Quantity: l.Quantity, RequiredBy: l.RequiredBy,
			WeightGrams: l.UnitWeightGrams}
		if d.SKUID != "" {
			if !ids.HasPrefix(d.SKUID, ids.SKU) {
				return rfqDoc{}, errs.InvalidField(f+".skuId", "not a SKU id")
			}
			if slices.Contains(skuIDs, d.SKUID) {
				return rfqDoc{}, errs.InvalidField(f+".skuId", "each SKU once")
			}
			skuIDs = append(skuIDs, d.SKUID)
		}
		if d.Description, err = text(f+".description", l.Description, maxText, d.SKUID == ""); err != nil {
			return rfqDoc{}, err
		}
		if l.Quantity <= 0 || l.Quantity > MaxQuantity {
			return rfqDoc{}, errs.InvalidField(f+".quantity", "must be between 1 and %d", MaxQuantity)
		}
		if d.Unit, err = text(f+".unit", l.Unit, 20, false); err != nil {
			return rfqDoc{}, err
		}
		if d.Unit == "" {
			d.Unit = "pcs"
		}
		if l.TargetUnitPrice != nil {
			v, err := money.ParseAmount(strings.TrimSpace(*l.TargetUnitPrice), cur)
			if err != nil || v < 0 || v > MaxUnitPrice {
				return rfqDoc{}, errs.InvalidField(f+".targetUnitPrice", "a non-negative amount in %s", cur.Code())
			}
			d.Target = &v
		}
		if d.Specs, err = text(f+".specifications", l.Specifications, maxSpecs, false); err != nil {
			return rfqDoc{}, err
		}
		if strings.TrimSpace(l.HSCode) != "" {
			hs, err := customs.NormalizeHSCode(l.HSCode)
			if err != nil {
				return rfqDoc{}, errs.InvalidField(f+".hsCode", "6 to 10 digits")
			}
			d.HSCode = hs
		}
		if l.UnitWeightGrams < 0 || l.UnitWeightGrams > 1_000_000 {
			return rfqDoc{}, errs.InvalidField(f+".unitWeightGrams", "between 0 and 1,000,000 grams")
		}
		lines = append(lines, d)
	}
	seen := map[string]bool{}
	for i, id := range in.SupplierIDs {
		if !ids.HasPrefix(id, ids.Supplier) || seen[id] {
			return rfqDoc{}, errs.InvalidField("input.supplierIds."+itoa(i), "a supplier id, each once")
		}
		seen[id] = true
	}
	if err := s.access.Require(ctx, in.AccountID, access.RFQs, access.Write); err != nil {
		return rfqDoc{}, err
	}
	if s.cfg.Warehouses != nil {
		w, ok, err := s.cfg.Warehouses.Warehouse(ctx, in.DestinationWarehouseID)
		if err != nil {
			return rfqDoc{}, err
		}
		if !ok || !w.Active {
			return rfqDoc{}, ErrNotFound.With("input.destinationWarehouseId", nil)
		}
	}
	if len(skuIDs) > 0 {
		if s.cfg.Catalog == nil {
			return rfqDoc{}, ErrNotFound.With("input.lines.0.skuId", nil)
		}
		skus, err := s.cfg.Catalog.SKUs(ctx, in.AccountID, skuIDs)
		if err != nil {
			return rfqDoc{}, err
		}
		for i := range lines {
			l := &lines[i]
			if l.SKUID == "" {
				continue
			}
			k, ok := skus[l.SKUID]
			if !ok {
				return rfqDoc{}, ErrNotFound.With("input.lines."+itoa(i)+".skuId", nil)
			}
			if l.Description == "" {
				l.Description = strings.TrimSpace(k.Code + " " + k.Name)
			}
			if l.HSCode == "" {
				l.HSCode = k.HSCode
			}
			if l.WeightGrams == 0 {
				l.WeightGrams = k.WeightGrams
			}
		}
	}
	for i, id := range in.SupplierIDs {
		d, ok, err := s.supplierDoc(ctx, id)
		if err != nil {
			return rfqDoc{}, err
		}
		if !ok || (d.AccountID != "" && d.AccountID != in.AccountID) {
			return rfqDoc{}, ErrNotFound.With("input.supplierIds."+itoa(i), nil)
		}
		if SupplierStatus(d.Status) == SupplierSuspended {
			return rfqDoc{}, ErrSupplierSuspended.With("input.supplierIds."+itoa(i), nil)
		}
	}
	id := ids.New(ids.RFQ)
	return rfqDoc{ID: id, Key: id, AccountID: in.AccountID, Title: in.Title, WarehouseID: in.DestinationWarehouseID,
		Incoterm: string(in.Incoterm), Currency: cur.Code(), Deadline: in.ResponseDeadline.UTC().Truncate(time.Millisecond),
		ShowTargets: in.ShowTargetPrices, Lines: lines, SupplierIDs: append([]string{}, in.SupplierIDs...),
		Status: string(RFQDraft), CreatedAt: now}, nil
}

// LowStockRFQInput starts an RFQ pre-filled from warehousing's low-stock suggestions.
type LowStockRFQInput struct {
	AccountID, WarehouseID, Currency string
	SKUIDs                           []string
	SupplierIDs                      []string
	ResponseDeadline                 time.Time
}

// CreateRFQFromLowStock creates a DRAFT RFQ with one line per SKU, the quantity being the
// SKU's suggested reorder quantity at the warehouse (or its reorder point's quantity when it
// is not low). Errors are CreateRFQ's; a SKU with no reorder point there is INVALID at its
// field.
func (s *Service) CreateRFQFromLowStock(ctx context.Context, in LowStockRFQInput) (RFQ, error) {
	if len(in.SKUIDs) == 0 {
		return RFQ{}, errs.InvalidField("input.skuIds", "at least one SKU")
	}
	if len(in.SKUIDs) > MaxRFQLines {
		return RFQ{}, errs.InvalidField("input.skuIds", "at most %d SKUs", MaxRFQLines)
	}
	for i, id := range in.SKUIDs {
		if !ids.HasPrefix(id, ids.SKU) {
			return RFQ{}, errs.InvalidField("input.skuIds."+itoa(i), "not a SKU id")
		}
	}
	if !ids.HasPrefix(in.AccountID, ids.Account) {
		return RFQ{}, errs.InvalidField("input.accountId", "not an account id")
	}
	if err := s.access.Require(ctx, in.AccountID, access.RFQs, access.Write); err != nil {
		return RFQ{}, err
	}
	if s.cfg.Catalog == nil {
		return RFQ{}, ErrNotFound.With("input.skuIds.0", nil)
	}
	skus, err := s.cfg.Catalog.SKUs(ctx, in.AccountID, in.SKUIDs)
	if err != nil {
		return RFQ{}, err
	}
	rin := RFQInput{AccountID: in.AccountID, Title: "Restock " + s.clock.Now().Format("2006-01-02"), DestinationWarehouseID: in.WarehouseID,
		Currency: in.Currency, ResponseDeadline: in.ResponseDeadline, SupplierIDs: in.SupplierIDs}
	for i, id := range in.SKUIDs {
		k, ok := skus[id]
		if !ok {
			return RFQ{}, ErrNotFound.With("input.skuIds."+itoa(i), nil)
		}
		q := k.Reorder[in.WarehouseID]
		if q <= 0 {
			return RFQ{}, errs.InvalidField("input.skuIds."+itoa(i), "the SKU is not low in this warehouse: it has no reorder suggestion there")
		}
		rin.Lines = append(rin.Lines, RFQLineInput{SKUID: id, Quantity: q, UnitWeightGrams: k.WeightGrams, HSCode: k.HSCode})
	}
	return s.CreateRFQ(ctx, rin)
}

// rfqView is how the caller sees an RFQ: as the buyer, or as one invited supplier.
type rfqView struct {
	buyer    bool
	supplier string
}

// loadRFQ finds an RFQ the caller may see; NOT_FOUND at field otherwise. A supplier user sees
// it only when its supplier is invited and the RFQ was sent (not a DRAFT).
func (s *Service) loadRFQ(ctx context.Context, id, field string) (rfqDoc, rfqView, error) {
	if !ids.HasPrefix(id, ids.RFQ) {
		return rfqDoc{}, rfqView{}, ErrNotFound.With(field, nil)
	}
	var d rfqDoc
	err := s.rfqs.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return rfqDoc{}, rfqView{}, ErrNotFound.With(field, nil)
	}
	if err != nil {
		return rfqDoc{}, rfqView{}, internal("find rfq", err)
	}
	if s.access.Require(ctx, d.AccountID, access.RFQs, access.Read) == nil {
		return d, rfqView{buyer: true}, nil
	}
	if sup, ok := s.cfg.SupplierOf(ctx); ok && slices.Contains(d.SupplierIDs, sup) && d.Status != string(RFQDraft) &&
		s.access.Require(ctx, sup, access.RFQs, access.Read) == nil {
		return d, rfqView{supplier: sup}, nil
	}
	return rfqDoc{}, rfqView{}, ErrNotFound.With(field, nil)
}

// present shapes an RFQ for its viewer: a supplier sees only itself among the invited, and no
// target prices unless the buyer shows them.
func present(d rfqDoc, v rfqView) RFQ {
	r := d.toRFQ()
	if v.buyer {
		return r
	}
	r.SupplierView = true
	r.SupplierIDs = []string{v.supplier}
	if !d.ShowTargets {
		for i := range r.Lines {
			r.Lines[i].TargetUnitPrice = nil
		}
	}
	return r
}

// RFQ returns an RFQ as the caller may see it (see present); NOT_FOUND otherwise.
func (s *Service) RFQ(ctx context.Context, id string) (RFQ, error) {
	d, v, err := s.loadRFQ(ctx, id, "id")
	if err != nil {
		return RFQ{}, err
	}
	return present(d, v), nil
}

// RFQsByID returns the visible RFQs among list, each as its viewer sees it.
func (s *Service) RFQsByID(ctx context.Context, list []string) (map[string]RFQ, error) {
	out := map[string]RFQ{}
	for _, id := range list {
		d, v, err := s.loadRFQ(ctx, id, "id")
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = present(d, v)
	}
	return out, nil
}

// RFQs lists the account's RFQs, newest last, optionally of one status: read on its RFQs.
func (s *Service) RFQs(ctx context.Context, accountID string, status RFQStatus, page cursor.Page) (cursor.Result[RFQ], error) {
	if err := s.access.Require(ctx, accountID, access.RFQs, access.Read); err != nil {
		return cursor.Result[RFQ]{}, err
	}
	f := bson.M{fAccountID: accountID}
	if status != "" {
		f[fStatus] = string(status)
	}
	return s.rfqPage(ctx, f, page, rfqView{buyer: true})
}

// SupplierInvitations lists the sent RFQs the caller's supplier is invited to. A caller who is
// no supplier user gets an empty list.
func (s *Service) SupplierInvitations(ctx context.Context, page cursor.Page) (cursor.Result[RFQ], error) {
	if _, err := s.SignedIn(ctx); err != nil {
		return cursor.Result[RFQ]{}, err
	}
	sup, ok := s.cfg.SupplierOf(ctx)
	if !ok || s.access.Require(ctx, sup, access.RFQs, access.Read) != nil {
		return cursor.Result[RFQ]{Items: []RFQ{}}, nil
	}
	return s.rfqPage(ctx, bson.M{fSupplierIDs: sup, fStatus: bson.M{"$ne": string(RFQDraft)}}, page, rfqView{supplier: sup})
}

func (s *Service) rfqPage(ctx context.Context, f bson.M, page cursor.Page, v rfqView) (cursor.Result[RFQ], error) {
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[RFQ]{}, err
	}
	res, err := mongodb.FindPage(ctx, s.rfqs, f, idKeyset(func(d rfqDoc) string { return d.ID }), w)
	if err != nil {
		return cursor.Result[RFQ]{}, err
	}
	out := cursor.Result[RFQ]{Cursors: res.Cursors, HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage, Items: []RFQ{}}
	for _, d := range res.Items {
		out.Items = append(out.Items, present(d, v))
	}
	return out, nil
}

// buyerRFQ loads an RFQ for a buyer's change: NOT_FOUND for one the caller cannot see,
// FORBIDDEN for one it may only read.
func (s *Service) buyerRFQ(ctx context.Context, id string) (rfqDoc, error) {
	d, v, err := s.loadRFQ(ctx, id, "input.rfqId")
	if err != nil {
		return rfqDoc{}, err
	}
	if !v.buyer {
		return rfqDoc{}, ErrNotFound.With("input.rfqId", nil)
	}
	audit.Annotate(ctx, d.AccountID, d.ID)
	if err := s.access.Require(ctx, d.AccountID, access.RFQs, access.Write); err != nil {
		return rfqDoc{}, err
	}
	return d, nil
}

// transition moves an RFQ from one of from to to, guarded on the stored status and version so
// that of two racing changes exactly one applies; the loser gets INVALID_TRANSITION.
func (s *Service) transition(ctx context.Context, d rfqDoc, from []RFQStatus, to RFQStatus, set bson.M) (rfqDoc, error) {
	if !slices.Contains(from, RFQStatus(d.Status)) {
		return rfqDoc{}, ErrInvalidTransition.With("input.rfqId", nil).WithMessage("a %s RFQ cannot become %s", d.Status, to)
	}
	if set == nil {
		set = bson.M{}
	}
	set[fStatus] = string(to)
	res, err := s.rfqs.UpdateOne(ctx, bson.M{fID: d.ID, fStatus: d.Status, fVersion: d.Version},
		bson.M{"$set": set, "$inc": bson.M{fVersion: 1}})
	if err != nil {
		return rfqDoc{}, internal("rfq transition", err)
	}
	if res.ModifiedCount != 1 {
		return rfqDoc{}, ErrInvalidTransition.With("input.rfqId", nil).WithMessage("the RFQ changed meanwhile; reload it")
	}
	var out rfqDoc
	if err := s.rfqs.FindOne(ctx, bson.M{fID: d.ID}).Decode(&out); err != nil {
		return rfqDoc{}, internal("reload rfq", err)
	}
	return out, nil
}

// SendRFQ opens a DRAFT RFQ to its invited suppliers. Returns NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, INVALID (no suppliers invited, or the deadline already passed).
func (s *Service) SendRFQ(ctx context.Context, id string) (RFQ, error) {
	d, err := s.buyerRFQ(ctx, id)
	if err != nil {
		return RFQ{}, err
	}
	if len(d.SupplierIDs) == 0 && d.Status == string(RFQDraft) {
		return RFQ{}, errs.InvalidField("input.rfqId", "invite at least one supplier before sending")
	}
	now := s.clock.Now()
	if !d.Deadline.After(now) && d.Status == string(RFQDraft) {
		return RFQ{}, ErrDeadlinePassed.With("input.rfqId", nil)
	}
	out, err := s.transition(ctx, d, []RFQStatus{RFQDraft}, RFQOpen, bson.M{"sentAt": now})
	if err != nil {
		return RFQ{}, err
	}
	return out.toRFQ(), nil
}

// CloseRFQ stops quoting on an OPEN RFQ before its deadline (quotes also stop at the deadline).
func (s *Service) CloseRFQ(ctx context.Context, id string) (RFQ, error) {
	d, err := s.buyerRFQ(ctx, id)
	if err != nil {
		return RFQ{}, err
	}
	out, err := s.transition(ctx, d, []RFQStatus{RFQOpen}, RFQClosed, bson.M{"closedAt": s.clock.Now()})
	if err != nil {
		return RFQ{}, err
	}
	return out.toRFQ(), nil
}

// CancelRFQ cancels an RFQ that is not awarded yet.
func (s *Service) CancelRFQ(ctx context.Context, id string) (RFQ, error) {
	d, err := s.buyerRFQ(ctx, id)
	if err != nil {
		return RFQ{}, err
	}
	out, err := s.transition(ctx, d, []RFQStatus{RFQDraft, RFQOpen, RFQClosed}, RFQCancelled, bson.M{"cancelledAt": s.clock.Now()})
	if err != nil {
		return RFQ{}, err
	}
	if _, err := s.quotes.UpdateMany(ctx, bson.M{fRFQID: d.ID}, bson.M{"$set": bson.M{fStatus: string(QuoteNotAwarded)}}); err != nil {
		s.log.ErrorContext(ctx, "procurement: close quotes of cancelled rfq", "rfq", d.ID, "error", err)
	}
	return out.toRFQ(), nil
}
