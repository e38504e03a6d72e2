package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/financing"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/warehousing"
)

// shipmentSource adapts transport to what financing reads of shipments.
type shipmentSource struct{ t *transport.Service }

func toShipmentInfo(sh transport.Shipment) financing.ShipmentInfo {
	info := financing.ShipmentInfo{ID: sh.ID, AccountID: sh.AccountID, Status: string(sh.Status), StatusAt: sh.StatusAt,
		TrackingNumber: sh.TrackingNumber, CarrierID: sh.CarrierID, CarrierCode: sh.CarrierCode, ServiceCode: sh.ServiceCode,
		Lane: financing.Lane{Origin: sh.Origin.Country, Destination: sh.Destination.Country}, DeliveredAt: sh.DeliveredAt}
	// The customs-declared value: the declaration's lines, all in one currency (a mixed
	// declaration is not valued: no FX guesses in collateral).
	if sh.Declaration != nil {
		var total money.Money
		for i, it := range sh.Declaration.Items {
			v, err := it.UnitValue.MulRat(it.Quantity, 1, money.Down)
			if err != nil {
				total = money.Money{}
				break
			}
			if i == 0 {
				total = v
				continue
			}
			if total, err = total.Add(v); err != nil {
				total = money.Money{}
				break
			}
		}
		info.DeclaredValue = total
	}
	if e := sh.LatestEvent; e != nil {
		info.LatestEvent = strings.TrimSpace(string(e.Status) + " " + e.Location)
	}
	return info
}

func (s shipmentSource) CollateralShipment(ctx context.Context, accountID, shipmentID string) (financing.ShipmentInfo, error) {
	sh, err := s.t.CollateralShipment(ctx, accountID, shipmentID)
	if err != nil {
		return financing.ShipmentInfo{}, err
	}
	return toShipmentInfo(sh), nil
}

func (s shipmentSource) OpenShipments(ctx context.Context, accountID string) ([]financing.ShipmentInfo, error) {
	list, err := s.t.OpenShipments(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]financing.ShipmentInfo, len(list))
	for i, sh := range list {
		out[i] = toShipmentInfo(sh)
	}
	return out, nil
}

func (s shipmentSource) CollateralShipments(ctx context.Context, refs []financing.ShipmentRef) (map[financing.ShipmentRef]financing.ShipmentInfo, error) {
	var accounts, shipments []string
	asked := make(map[financing.ShipmentRef]bool, len(refs))
	for _, r := range refs {
		if !slices.Contains(accounts, r.AccountID) {
			accounts = append(accounts, r.AccountID)
		}
		shipments = append(shipments, r.ShipmentID)
		asked[r] = true
	}
	list, err := s.t.CollateralShipments(ctx, accounts, shipments)
	if err != nil {
		return nil, err
	}
	out := make(map[financing.ShipmentRef]financing.ShipmentInfo, len(list))
	for _, sh := range list {
		ref := financing.ShipmentRef{AccountID: sh.AccountID, ShipmentID: sh.ID}
		if asked[ref] {
			out[ref] = toShipmentInfo(sh)
		}
	}
	return out, nil
}

// LaneScores sums each carrier lane's monthly scorecards.
func (s shipmentSource) LaneScores(ctx context.Context, keys []financing.CarrierLane) (map[financing.CarrierLane]financing.LaneScore, error) {
	lanes := make([]transport.CarrierLane, len(keys))
	for i, k := range keys {
		lanes[i] = transport.CarrierLane{CarrierID: k.CarrierID, ServiceCode: k.ServiceCode, Origin: k.Lane.Origin, Destination: k.Lane.Destination}
	}
	cards, err := s.t.ScorecardsOfLanes(ctx, lanes)
	if err != nil {
		return nil, err
	}
	out := make(map[financing.CarrierLane]financing.LaneScore, len(keys))
	for i, k := range keys {
		var sc financing.LaneScore
		for _, c := range cards[lanes[i]] {
			sc.Shipments += c.Shipments
			sc.Delivered += c.Delivered
			sc.OnTime += c.OnTime
			sc.Exceptions += c.Exceptions
			sc.Lost += c.Lost
		}
		out[k] = sc
	}
	return out, nil
}

// inventorySource adapts warehousing's valuation and pledges.
type inventorySource struct{ w *warehousing.Service }

func (s inventorySource) StockForCollateral(ctx context.Context, accountID string) ([]financing.StockLine, error) {
	v, err := s.w.Valuation(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range v.Lines {
		ids = append(ids, l.SKUID)
	}
	skus, err := s.w.SKUsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]financing.StockLine, len(v.Lines))
	for i, l := range v.Lines {
		out[i] = financing.StockLine{SKUID: l.SKUID, SKUCode: skus[l.SKUID].Code, WarehouseID: l.WarehouseID,
			Available: l.Available, UnitValue: l.UnitValue}
	}
	return out, nil
}

func (s inventorySource) PledgeStock(ctx context.Context, accountID, skuID, warehouseID string, qty int64, loanID string) error {
	return s.w.PledgeStock(ctx, accountID, skuID, warehouseID, qty, loanID)
}

func (s inventorySource) ReleaseStock(ctx context.Context, accountID, skuID, warehouseID string, qty int64, loanID string) error {
	return s.w.ReleaseStock(ctx, accountID, skuID, warehouseID, qty, loanID)
}

// runFinancingJobs posts the daily interest (catching up missed days) and marks overdue loans,
// then reconciles pledged shipments with their live state. Failures are logged and retried.
func runFinancingJobs(ctx context.Context, f *financing.Service, logger *slog.Logger) {
	if _, err := f.AccrueInterest(ctx); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "financing: accrue interest", "error", err)
	}
	if _, err := f.ReconcileShipments(ctx); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "financing: reconcile shipments", "error", err)
	}
}

// shipmentWatcher follows the events feed of every account with a shipment pledged to an open
// loan, and syncs the loans on each shipment status change: delivery sets the due date, an
// exception puts the loan at risk. The account list is refreshed every refresh (and the
// reconcile job catches anything a cut subscription missed).
func watchPledgedShipments(ctx context.Context, f *financing.Service, relay *events.Relay, refresh time.Duration, logger *slog.Logger) {
	var mu sync.Mutex
	subs := map[string]func(){}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, stop := range subs {
			stop()
		}
	}()
	follow := func(account string) {
		ch, stop := relay.Subscribe(account)
		subs[account] = stop
		go func() {
			for ev := range ch {
				if ev.Type != "shipment.status_changed" {
					continue
				}
				if err := f.SyncShipment(ctx, account, ev.ObjectID); err != nil && ctx.Err() == nil {
					logger.WarnContext(ctx, "financing: sync shipment", "shipment", ev.ObjectID, "error", err)
				}
			}
			// The subscription ended (cut, or the relay stopped): follow again at the next refresh.
			mu.Lock()
			delete(subs, account)
			mu.Unlock()
		}()
	}
	scan := func() {
		accts, err := f.AccountsWithPledgedShipments(ctx)
		if err != nil {
			if ctx.Err() == nil {
				logger.WarnContext(ctx, "financing: list pledged shipments", "error", err)
			}
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, a := range accts {
			if _, ok := subs[a]; !ok {
				follow(a)
			}
		}
	}
	scan()
	t := time.NewTicker(refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			scan()
		case <-f.Funded():
			scan()
		}
	}
}

// seedFinancingDemo gives Harbor Trade Finance a product per currency and facilities for
// Brightlight (CNY) and Kessler (EUR), and books Brightlight a CN→US shipment declared in CNY
// that is IN_TRANSIT, so that financing can be tried right after `make run`. Idempotent: it does
// nothing once Harbor has products.
func seedFinancingDemo(ctx context.Context, db *mongo.Database, f *financing.Service, t *transport.Service, clk clock.Clock) error {
	find := func(coll string, filter bson.D) (string, error) {
		var d struct {
			ID string `bson:"_id"`
		}
		err := db.Collection(coll).FindOne(ctx, filter).Decode(&d)
		return d.ID, err
	}
	harbor, err := find("partners", bson.D{{Key: "name", Value: "Harbor Trade Finance"}})
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil // not the demo store
	}
	if err != nil {
		return err
	}
	n, err := db.Collection(financing.CollProducts).CountDocuments(ctx, bson.D{{Key: "partnerid", Value: harbor}})
	if err != nil || n > 0 {
		return err
	}
	admin, err := find("users", bson.D{{Key: "email", Value: "admin@tradehub.test"}})
	if err != nil {
		return err
	}
	partnerAdmin, err := find("users", bson.D{{Key: "email", Value: "partner.admin@harborfinance.test"}})
	if err != nil {
		return err
	}
	asAdmin := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin})
	asPartner := auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: partnerAdmin})
	for _, x := range []struct{ currency, legalName, facility string }{
		{"CNY", "Shenzhen Brightlight", "2000000.00"}, {"EUR", "Kessler Outdoor", "250000.00"}} {
		cur := money.MustCurrency(x.currency)
		m := func(s string) money.Money { v, _ := money.ParseMoney(s, x.currency); return v }
		p, err := f.CreateProduct(asPartner, financing.Product{PartnerID: harbor, Name: "Goods in transit and stock (" + x.currency + ")",
			Currency: cur, APRBps: 1200, FeeBps: 100, MinFee: m("50.00"), LateFee: m("250.00"), MaxTenorDays: 120, GraceDays: 7,
			Collateral: []financing.CollateralTerms{
				{Type: financing.CollateralShipment, AdvanceRateBps: 8000, Conditions: []string{"BOOKED_THROUGH_TRADEHUB", "INSURED_FOR_LENDER", "CARRIER_NOT_AFFILIATED"}},
				{Type: financing.CollateralInventory, AdvanceRateBps: 6000, Conditions: []string{"HELD_IN_TRADEHUB_WAREHOUSE"}},
				{Type: financing.CollateralPurchaseOrder, AdvanceRateBps: 7000, SubLimit: m("100000.00"), Conditions: []string{"SUPPLIER_CONFIRMED"}},
			},
			EligibleLanes: []financing.Lane{{Origin: "CN", Destination: "US"}, {Origin: "CN", Destination: "DE"}, {Origin: "CN", Destination: "NL"},
				{Origin: "CN", Destination: "GB"}, {Origin: "DE", Destination: "NL"}, {Origin: "NL", Destination: "DE"}}})
		if err != nil {
			return fmt.Errorf("demo financing product: %w", err)
		}
		acct, err := find("accounts", bson.D{{Key: "legalName", Value: bson.D{{Key: "$regex", Value: "^" + x.legalName}}}})
		if err != nil {
			return err
		}
		if _, err := f.CreateFacility(asPartner, financing.FacilityInput{AccountID: acct, ProductID: p.ID, Limit: m(x.facility)}); err != nil {
			return fmt.Errorf("demo facility: %w", err)
		}
		if x.currency != "CNY" {
			continue
		}
		// Brightlight's shipment in transit, declared in CNY.
		whs, err := find("warehouses", bson.D{{Key: "code", Value: "SZX1"}})
		if err != nil {
			return err
		}
		unit, _ := money.ParseMoney("620.00", "CNY")
		q, err := t.QuoteShipment(asAdmin, transport.QuoteInput{AccountID: acct, OriginWarehouseID: whs,
			Destination: transport.Address{Name: "Harbor Outdoor Retail", Line1: "500 Market St", City: "San Francisco", Region: "CA",
				PostalCode: "94105", Country: "US", Phone: "+14155550100"},
			Parcels:  []ratecard.Parcel{{WeightGrams: 12_000, LengthMM: 600, WidthMM: 400, HeightMM: 400}},
			Contents: []transport.ContentItem{{Description: "LED desk lamp", SKU: "BL-LAMP-01", HSCode: "940521", OriginCountry: "CN", Quantity: 40, UnitValue: unit}}})
		if err != nil {
			return fmt.Errorf("demo financing shipment quote: %w", err)
		}
		if len(q.Quotes) == 0 {
			return fmt.Errorf("demo financing shipment: no quote")
		}
		sh, err := t.BookShipment(asAdmin, transport.BookInput{AccountID: acct, QuoteID: q.Quotes[0].ID, IdempotencyKey: "demo-financing-1", Reference: "PO-BL-2611"})
		if err != nil {
			return fmt.Errorf("demo financing shipment: %w", err)
		}
		now := clk.Now()
		for i, st := range []transport.Status{transport.StatusPickedUp, transport.StatusInTransit} {
			if _, err := t.RecordTrackingEvent(asAdmin, transport.StaffEventInput{AccountID: acct, ShipmentID: sh.ID, Status: st,
				OccurredAt: now.Add(time.Duration(i-2) * time.Hour), Location: []string{"Shenzhen", "Hong Kong"}[i]}); err != nil {
				return fmt.Errorf("demo financing shipment tracking: %w", err)
			}
		}
	}
	return nil
}

// purchaseOrderSource adapts procurement to what financing reads of purchase orders: their
// confirmed value and what has been received against them.
type purchaseOrderSource struct{ p *procurement.Service }

func toPOCollateral(po procurement.POCollateral) financing.POCollateral {
	return financing.POCollateral{ID: po.ID, Number: po.Number, Status: po.Status, SupplierID: po.SupplierID,
		SupplierCountry: po.SupplierCountry, DestinationWarehouseID: po.DestinationWarehouseID,
		Confirmed: po.Confirmed, Received: po.Received}
}

func (s purchaseOrderSource) PurchaseOrdersForCollateral(ctx context.Context, accountID string) ([]financing.POCollateral, error) {
	pos, err := s.p.PurchaseOrdersForCollateral(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]financing.POCollateral, len(pos))
	for i, po := range pos {
		out[i] = toPOCollateral(po)
	}
	return out, nil
}

func (s purchaseOrderSource) PurchaseOrderForCollateral(ctx context.Context, accountID, poID string) (financing.POCollateral, error) {
	po, err := s.p.PurchaseOrderForCollateral(ctx, accountID, poID)
	return toPOCollateral(po), err
}
