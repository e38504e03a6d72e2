package financing

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// Reasons a piece of collateral is not eligible.
const (
	ReasonNotAccepted       = "NOT_ACCEPTED"
	ReasonShipmentStatus    = "SHIPMENT_STATUS"
	ReasonLane              = "LANE"
	ReasonDestination       = "DESTINATION"
	ReasonCurrency          = "CURRENCY"
	ReasonNoValue           = "NO_VALUE"
	ReasonAlreadyPledged    = "ALREADY_PLEDGED"
	ReasonInsufficientStock = "INSUFFICIENT_STOCK"
	ReasonPOStatus          = "PO_STATUS"
)

// atRiskStatuses are the shipment statuses that put a loan at risk.
var atRiskStatuses = []string{"EXCEPTION", "CUSTOMS_HOLD", "LOST"}

func (p Product) shipmentStatuses() []string {
	if len(p.ShipmentStatuses) > 0 {
		return p.ShipmentStatuses
	}
	return DefaultShipmentStatuses
}

func (p Product) laneOK(l Lane) bool {
	if len(p.EligibleLanes) == 0 {
		return true
	}
	return slices.Contains(p.EligibleLanes, l)
}

func (p Product) destinationOK(c string) bool {
	return len(p.DestinationCountries) == 0 || slices.Contains(p.DestinationCountries, c)
}

// fromShipment values a shipment: its customs-declared value while its status is eligible.
func fromShipment(p Product, sh ShipmentInfo) Collateral {
	c := Collateral{CollateralRef: CollateralRef{Type: CollateralShipment, ID: sh.ID}, Description: sh.TrackingNumber,
		Status: sh.Status, CarrierID: sh.CarrierID, ServiceCode: sh.ServiceCode, Value: sh.DeclaredValue, DeliveredAt: sh.DeliveredAt}
	lane := sh.Lane
	c.Lane = &lane
	if c.Value.Currency.IsZero() {
		c.Value = money.New(0, p.Currency)
	}
	c.Eligible, c.Reason = true, ""
	terms, ok := p.Terms(CollateralShipment)
	switch {
	case !ok:
		c.Eligible, c.Reason = false, ReasonNotAccepted
	case !slices.Contains(p.shipmentStatuses(), sh.Status):
		c.Eligible, c.Reason = false, ReasonShipmentStatus
	case !p.laneOK(sh.Lane):
		c.Eligible, c.Reason = false, ReasonLane
	case !p.destinationOK(sh.Lane.Destination):
		c.Eligible, c.Reason = false, ReasonDestination
	case c.Value.Currency != p.Currency:
		c.Eligible, c.Reason = false, ReasonCurrency
	case c.Value.Amount <= 0:
		c.Eligible, c.Reason = false, ReasonNoValue
	}
	c.Advance = advance(c, terms)
	return c
}

func fromStock(p Product, line StockLine, qty int64) Collateral {
	c := Collateral{CollateralRef: CollateralRef{Type: CollateralInventory, ID: line.SKUID, WarehouseID: line.WarehouseID, Quantity: qty},
		Description: line.SKUCode, Status: "AVAILABLE", Eligible: true}
	v, err := line.UnitValue.MulRat(qty, 1, money.Down)
	if err != nil {
		v = money.New(0, line.UnitValue.Currency)
	}
	c.Value = v
	terms, ok := p.Terms(CollateralInventory)
	switch {
	case !ok:
		c.Eligible, c.Reason = false, ReasonNotAccepted
	case qty > line.Available || qty <= 0:
		c.Eligible, c.Reason = false, ReasonInsufficientStock
	case v.Currency != p.Currency:
		c.Eligible, c.Reason = false, ReasonCurrency
	case v.Amount <= 0:
		c.Eligible, c.Reason = false, ReasonNoValue
	}
	c.Advance = advance(c, terms)
	return c
}

func fromPO(p Product, po POCollateral) Collateral {
	c := Collateral{CollateralRef: CollateralRef{Type: CollateralPurchaseOrder, ID: po.ID}, Description: po.Number,
		Status: po.Status, Eligible: true}
	v, err := po.Confirmed.Sub(po.Received)
	if err != nil || v.Amount < 0 {
		v = money.New(0, po.Confirmed.Currency)
	}
	c.Value = v
	terms, ok := p.Terms(CollateralPurchaseOrder)
	switch {
	case !ok:
		c.Eligible, c.Reason = false, ReasonNotAccepted
	case slices.Contains([]string{"DRAFT", "CANCELLED", "CLOSED", "RECEIVED"}, po.Status):
		c.Eligible, c.Reason = false, ReasonPOStatus
	case v.Currency != p.Currency:
		c.Eligible, c.Reason = false, ReasonCurrency
	case v.Amount <= 0:
		c.Eligible, c.Reason = false, ReasonNoValue
	}
	c.Advance = advance(c, terms)
	return c
}

// advance is value × the advance rate, rounded down so that it never exceeds the rate.
func advance(c Collateral, t CollateralTerms) money.Money {
	if !c.Eligible {
		return money.New(0, c.Value.Currency)
	}
	a, err := c.Value.MulBasisPoints(t.AdvanceRateBps, money.Down)
	if err != nil {
		return money.New(0, c.Value.Currency)
	}
	return a
}

// valueOne values one requested piece of collateral from live state. field is its input path.
func (s *Service) valueOne(ctx context.Context, accountID string, p Product, ref CollateralRef, field string) (Collateral, error) {
	switch ref.Type {
	case CollateralShipment:
		sh, err := s.cfg.Shipments.CollateralShipment(ctx, accountID, ref.ID)
		if err != nil {
			if errs.IsCode(err, errs.NotFound) {
				return Collateral{}, ErrNotFound.With(field+".id", nil)
			}
			return Collateral{}, internal("read shipment", err)
		}
		return fromShipment(p, sh), nil
	case CollateralInventory:
		lines, err := s.cfg.Inventory.StockForCollateral(ctx, accountID)
		if err != nil {
			return Collateral{}, internal("read stock", err)
		}
		for _, l := range lines {
			if l.SKUID == ref.ID && l.WarehouseID == ref.WarehouseID {
				return fromStock(p, l, ref.Quantity), nil
			}
		}
		return Collateral{}, ErrNotFound.With(field+".id", nil)
	case CollateralPurchaseOrder:
		if s.cfg.PurchaseOrders == nil {
			return Collateral{}, ErrCollateralUnavailable.With(field+".type", nil)
		}
		po, err := s.cfg.PurchaseOrders.PurchaseOrderForCollateral(ctx, accountID, ref.ID)
		if err != nil {
			if errs.IsCode(err, errs.NotFound) {
				return Collateral{}, ErrNotFound.With(field+".id", nil)
			}
			return Collateral{}, internal("read purchase order", err)
		}
		return fromPO(p, po), nil
	}
	return Collateral{}, errs.InvalidField(field+".type", "IN_TRANSIT_SHIPMENT, WAREHOUSE_INVENTORY or PURCHASE_ORDER")
}

// claimsOf returns collateral key → owner request id for the account.
func (s *Service) claimsOf(ctx context.Context, accountID string) (map[string]claimDoc, error) {
	docs, err := findAll[claimDoc](ctx, s.claims, bson.D{{Key: "accountId", Value: accountID}})
	if err != nil {
		return nil, err
	}
	out := map[string]claimDoc{}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}

// EligibleCollateral lists, for a facility, the account's collateral valued now: shipments that
// are not final, available stock at full quantity, and purchase orders when procurement is
// wired, each with its advance and, if not eligible, why (read on financing).
func (s *Service) EligibleCollateral(ctx context.Context, facilityID string) ([]Collateral, error) {
	f, err := s.Facility(ctx, facilityID)
	if err != nil {
		return nil, err
	}
	p, err := s.product(ctx, f.ProductID)
	if err != nil {
		return nil, err
	}
	claims, err := s.claimsOf(ctx, f.AccountID)
	if err != nil {
		return nil, err
	}
	var out []Collateral
	shs, err := s.cfg.Shipments.OpenShipments(ctx, f.AccountID)
	if err != nil {
		return nil, internal("read shipments", err)
	}
	for _, sh := range shs {
		out = append(out, fromShipment(p, sh))
	}
	lines, err := s.cfg.Inventory.StockForCollateral(ctx, f.AccountID)
	if err != nil {
		return nil, internal("read stock", err)
	}
	for _, l := range lines {
		if l.Available > 0 {
			out = append(out, fromStock(p, l, l.Available))
		}
	}
	if s.cfg.PurchaseOrders != nil {
		pos, err := s.cfg.PurchaseOrders.PurchaseOrdersForCollateral(ctx, f.AccountID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, internal("read purchase orders", err)
		}
		for _, po := range pos {
			out = append(out, fromPO(p, po))
		}
	}
	for i := range out {
		if c, ok := claims[out[i].key()]; ok {
			out[i].Eligible, out[i].Reason, out[i].Advance = false, ReasonAlreadyPledged, money.New(0, out[i].Value.Currency)
			out[i].PledgedTo = c.Owner
			if c.LoanID != "" {
				out[i].PledgedTo = c.LoanID
			}
		}
	}
	return out, nil
}

// maxAdvance is Σ advances per type capped by the type's sub-limit, then by the facility's
// availability and the product's per-borrower limit.
func maxAdvance(p Product, f Facility, items []Collateral) money.Money {
	byType := map[CollateralType]int64{}
	for _, c := range items {
		byType[c.Type] += c.Advance.Amount
	}
	var total int64
	for t, a := range byType {
		if terms, ok := p.Terms(t); ok && terms.SubLimit.Amount > 0 {
			a = min(a, terms.SubLimit.Amount)
		}
		total += a
	}
	f = withAvailable(f)
	total = min(total, f.Available.Amount)
	if p.BorrowerLimit.Amount > 0 {
		total = min(total, max(0, p.BorrowerLimit.Amount-f.Outstanding.Amount))
	}
	return money.New(max(0, total), p.Currency)
}
