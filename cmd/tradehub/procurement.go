package main

import (
	"context"
	"log/slog"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/procurement"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/warehousing"
)

// Procurement's view of the other domains: freight and duties from transport's quoting and
// customs rules, destination warehouses, SKUs and low-stock suggestions, and inbound receipts
// from warehousing.

// freightEstimator asks transport for the cheapest DDP quote (DAP where the destination has no
// customs rules, so no duties) from the supplier's country to the destination warehouse. The
// goods travel as cartons of up to cartonGrams (40 × 30 × 30 cm), or as fewer, heavier pallets
// (120 × 100 × 100 cm) when that would be more than transport.MaxParcels cartons.
type freightEstimator struct {
	t *transport.Service
	w *warehousing.Service
}

const cartonGrams = 20_000

func (f freightEstimator) EstimateFreight(ctx context.Context, r procurement.FreightRequest) (procurement.FreightEstimate, error) {
	dest, err := warehouseDirectory{f.w}.Warehouse(ctx, r.AccountID, r.WarehouseID)
	if err != nil {
		return procurement.FreightEstimate{}, err
	}
	var total int64
	in := transport.QuoteInput{AccountID: r.AccountID, Destination: dest.Address, Incoterm: transport.DDP, Sort: transport.SortCheapest,
		Origin: &transport.Address{Name: "Supplier", Line1: "Factory", City: "Origin", Country: r.OriginCountry}}
	for _, it := range r.Items {
		total += it.WeightGrams
		in.Contents = append(in.Contents, transport.ContentItem{Description: it.Description, HSCode: it.HSCode, OriginCountry: r.OriginCountry,
			Quantity: it.Quantity, UnitValue: it.UnitValue, WeightGrams: it.WeightGrams})
	}
	total = max(total, 1000)
	n := (total + cartonGrams - 1) / cartonGrams
	side := [3]int64{400, 300, 300}
	if n > transport.MaxParcels {
		n, side = transport.MaxParcels, [3]int64{1200, 1000, 1000}
	}
	each := (total + n - 1) / n
	for range n {
		in.Parcels = append(in.Parcels, ratecard.Parcel{WeightGrams: each, LengthMM: side[0], WidthMM: side[1], HeightMM: side[2]})
	}
	res, err := f.t.QuoteShipment(ctx, in)
	if e, ok := errs.As(err); ok && e.Reason == "DDP_UNAVAILABLE" {
		in.Incoterm = transport.DAP
		res, err = f.t.QuoteShipment(ctx, in)
	}
	if err != nil {
		return procurement.FreightEstimate{}, err
	}
	if len(res.Quotes) == 0 {
		return procurement.FreightEstimate{}, procurement.ErrNoFreight
	}
	q := res.Quotes[0]
	return procurement.FreightEstimate{Freight: q.Breakdown.Shipping, Duties: q.Breakdown.Duties, Taxes: q.Breakdown.Taxes,
		Carrier: q.CarrierCode, Service: q.ServiceCode, TransitDays: q.TransitDaysMax}, nil
}

// procurementWarehouses: any active warehouse of the 3PL may be a destination.
type procurementWarehouses struct{ w *warehousing.Service }

func (d procurementWarehouses) Warehouse(ctx context.Context, id string) (procurement.WarehouseInfo, bool, error) {
	m, err := d.w.WarehousesOfRelations(ctx, []string{id})
	if err != nil {
		return procurement.WarehouseInfo{}, false, err
	}
	wh, ok := m[id]
	return procurement.WarehouseInfo{ID: wh.ID, Code: wh.Code, Country: wh.Address.Country, Active: wh.Active}, ok, nil
}

// procurementCatalog reads the caller's visible SKUs of the account, with their reorder
// suggestions.
type procurementCatalog struct{ w *warehousing.Service }

func (c procurementCatalog) SKUs(ctx context.Context, accountID string, list []string) (map[string]procurement.SKUInfo, error) {
	skus, err := c.w.VisibleSKUs(ctx, list)
	if err != nil {
		return nil, err
	}
	balances, err := c.w.BalancesOfSKUs(ctx, list)
	if err != nil {
		return nil, err
	}
	out := map[string]procurement.SKUInfo{}
	for id, k := range skus {
		if k.AccountID != accountID {
			continue
		}
		info := procurement.SKUInfo{ID: k.ID, Code: k.Code, Name: k.Name, HSCode: k.HSCode, UnitValue: k.UnitValue, Reorder: map[string]int64{}}
		if k.Weight != nil {
			info.WeightGrams = (k.Weight.Milligrams + 999) / 1000
		}
		for _, r := range warehousing.SuggestedReorders(k, balances[id]) {
			info.Reorder[r.WarehouseID] = r.Quantity
		}
		for _, r := range k.ReorderPoints {
			if _, low := info.Reorder[r.WarehouseID]; !low && r.Quantity > 0 {
				info.Reorder[r.WarehouseID] = r.Quantity
			}
		}
		out[id] = info
	}
	return out, nil
}

// procurementInbound announces a shipped PO's goods as an inbound receipt.
type procurementInbound struct{ w *warehousing.Service }

func (i procurementInbound) CreateInbound(ctx context.Context, r procurement.InboundRequest) (string, error) {
	in := warehousing.ReceiptInput{AccountID: r.AccountID, WarehouseID: r.WarehouseID, Reference: r.Reference,
		PurchaseOrderID: r.PurchaseOrderID, ExpectedAt: r.ExpectedAt}
	for _, l := range r.Lines {
		in.Lines = append(in.Lines, warehousing.ReceiptLine{SKUID: l.SKUID, Expected: l.Quantity})
	}
	rc, err := i.w.CreatePurchaseOrderReceipt(ctx, in)
	return rc.ID, err
}

// procurementReceipts reads POs' receipts for procurement's catch-up sweep.
type procurementReceipts struct{ w *warehousing.Service }

func (p procurementReceipts) PurchaseOrderReceipts(ctx context.Context, list []string) (map[string]procurement.ReceivedReceipt, error) {
	m, err := p.w.PurchaseOrderReceipts(ctx, list)
	if err != nil {
		return nil, err
	}
	out := map[string]procurement.ReceivedReceipt{}
	for id, r := range m {
		out[id] = receivedReceipt(r)
	}
	return out, nil
}

func receivedReceipt(r warehousing.Receipt) procurement.ReceivedReceipt {
	out := procurement.ReceivedReceipt{ID: r.ID, PurchaseOrderID: r.PurchaseOrderID, Received: r.ReceivedAt != nil}
	if r.ReceivedAt != nil {
		out.ReceivedAt = *r.ReceivedAt
	}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, procurement.ReceivedLine{SKUID: l.SKUID, Received: l.Received, Rejected: l.Damaged})
	}
	return out
}

// linkReceiving tells procurement of every received receipt that references a purchase order,
// so the PO's received and rejected quantities and the supplier's score follow the warehouse.
// A failure is logged: the receipt stands, and ApplyReceipt is idempotent if called again.
func linkReceiving(w *warehousing.Service, p *procurement.Service, logger *slog.Logger) {
	w.OnReceiptReceived(func(ctx context.Context, r warehousing.Receipt) {
		if r.PurchaseOrderID == "" || r.ReceivedAt == nil {
			return
		}
		rr := receivedReceipt(r)
		if err := p.ApplyReceipt(context.WithoutCancel(ctx), r.PurchaseOrderID, r.ID, rr.Lines, rr.ReceivedAt); err != nil {
			logger.ErrorContext(ctx, "procurement: apply receipt", "receipt", r.ID, "po", r.PurchaseOrderID, "error", err)
		}
	})
}
