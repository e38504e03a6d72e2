package graph

import (
	"context"
	"math/big"
	"slices"
	"time"

	"github.com/tradehub/tradehub/graph/loaders"
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/usage"
	"github.com/tradehub/tradehub/services/warehousing"
)

// loadersOf returns the request's dataloaders; outside the HTTP handler (which installs them)
// it makes fresh ones, so a resolver never fails for want of them.
func (r *Resolver) loadersOf(ctx context.Context) *loaders.Loaders {
	if l, ok := loaders.From(ctx); ok {
		return l
	}
	return loaders.New(r.warehousingSource(), r.carrierSource(), 0)
}

// skuOf and warehouseOf load the SKU or warehouse a visible object names.
func (r *Resolver) skuOf(ctx context.Context, id string) (*model.Sku, error) {
	k, err := r.loadersOf(ctx).SKUs.Load(ctx, id)
	if err != nil {
		return nil, errs.Internalf("sku %s of a visible object: %w", id, err)
	}
	return toGQLSku(k), nil
}

func (r *Resolver) warehouseOf(ctx context.Context, id string) (*model.Warehouse, error) {
	w, err := r.loadersOf(ctx).Warehouses.Load(ctx, id)
	if err != nil {
		return nil, errs.Internalf("warehouse %s of a visible object: %w", id, err)
	}
	return toGQLWarehouse(w), nil
}

func toGQLMoney(m money.Money) *model.Money {
	return &model.Money{Amount: money.FormatAmount(m.Amount, m.Currency), CurrencyCode: m.Currency}
}

func fromMoneyInput(field string, m *model.MoneyInput) (money.Money, error) {
	if m == nil {
		return money.Money{}, errs.InvalidField(field, "required")
	}
	minor, err := money.ParseAmount(m.Amount, m.CurrencyCode)
	if err != nil {
		if e, ok := errs.As(err); ok {
			return money.Money{}, e.With(field+".amount", err)
		}
		return money.Money{}, err
	}
	return money.New(minor, m.CurrencyCode), nil
}

func toGQLAddress(a warehousing.Address) *model.Address {
	return &model.Address{Line1: a.Line1, Line2: optional(a.Line2), City: a.City, Region: optional(a.Region),
		PostalCode: optional(a.PostalCode), Country: a.Country}
}

func fromAddressInput(a *model.AddressInput) warehousing.Address {
	if a == nil {
		return warehousing.Address{}
	}
	return warehousing.Address{Line1: a.Line1, Line2: deref(a.Line2), City: a.City, Region: deref(a.Region),
		PostalCode: deref(a.PostalCode), Country: a.Country}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func toGQLWarehouse(w warehousing.Warehouse) *model.Warehouse {
	return &model.Warehouse{ID: w.ID, Code: w.Code, Name: w.Name, Address: toGQLAddress(w.Address), Timezone: w.Timezone,
		Kind: model.WarehouseKind(w.Kind), Capabilities: append([]string{}, w.Capabilities...), Active: w.Active,
		CreatedAt: w.CreatedAt}
}

func toGQLWarehouseConnection(r cursor.Result[warehousing.Warehouse]) *model.WarehouseConnection {
	c := &model.WarehouseConnection{Edges: []model.WarehouseEdge{}, Nodes: []model.Warehouse{}, PageInfo: toGQLPageInfo(r)}
	for i, w := range r.Items {
		n := toGQLWarehouse(w)
		c.Edges = append(c.Edges, model.WarehouseEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func fromWarehouseInput(code, name, tz string, kind model.WarehouseKind, addr *model.AddressInput, caps []string, active bool) warehousing.WarehouseInput {
	return warehousing.WarehouseInput{Code: code, Name: name, Timezone: tz, Kind: warehousing.WarehouseKind(kind),
		Address: fromAddressInput(addr), Capabilities: caps, Active: active}
}

// formatScaled prints n / 10^digits exactly, without trailing zeros.
func formatScaled(n *big.Int, digits int) string {
	s := n.String()
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	for len(s) <= digits {
		s = "0" + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func toGQLSku(k warehousing.SKU) *model.Sku {
	out := &model.Sku{ID: k.ID, AccountID: k.AccountID, Code: k.Code, Name: k.Name, Description: optional(k.Description),
		Barcode: optional(k.Barcode), HsCode: optional(k.HSCode), CountryOfOrigin: optional(k.CountryOfOrigin),
		UnitValue: toGQLMoney(k.UnitValue), TracksLots: k.TracksLots, CreatedAt: k.CreatedAt, ReorderPoints: []model.ReorderPoint{}}
	if w := k.Weight; w != nil {
		// Grams to the milligram.
		out.Weight = &model.Weight{Value: w.Value, Unit: model.WeightUnit(w.Unit), Grams: formatScaled(big.NewInt(w.Milligrams), 3)}
	}
	if d := k.Dimensions; d != nil {
		// µm³ to m³, to the millionth (cubic centimetre), rounded half up.
		v := new(big.Int).Mul(big.NewInt(d.LengthUM), big.NewInt(d.WidthUM))
		v.Mul(v, big.NewInt(d.HeightUM))
		unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(12), nil)
		q, rem := new(big.Int).QuoRem(v, unit, new(big.Int))
		if new(big.Int).Lsh(rem, 1).Cmp(unit) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		out.Dimensions = &model.Dimensions{Length: d.Length, Width: d.Width, Height: d.Height, Unit: model.LengthUnit(d.Unit),
			CubicMetres: formatScaled(q, 6)}
	}
	for _, r := range k.ReorderPoints {
		out.ReorderPoints = append(out.ReorderPoints, model.ReorderPoint{WarehouseID: r.WarehouseID, Point: int(r.Point), Quantity: int(r.Quantity)})
	}
	return out
}

func toGQLSkuConnection(r cursor.Result[warehousing.SKU]) *model.SkuConnection {
	c := &model.SkuConnection{Edges: []model.SkuEdge{}, Nodes: []model.Sku{}, PageInfo: toGQLPageInfo(r)}
	for i, k := range r.Items {
		n := toGQLSku(k)
		c.Edges = append(c.Edges, model.SkuEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func fromSkuInput(accountID, code, name string, desc, barcode, hs, origin *string, value *model.MoneyInput,
	weight *model.WeightInput, dims *model.DimensionsInput, lots *bool, points []model.ReorderPointInput) (warehousing.SKUInput, error) {
	v, err := fromMoneyInput("input.unitValue", value)
	if err != nil {
		return warehousing.SKUInput{}, err
	}
	in := warehousing.SKUInput{AccountID: accountID, Code: code, Name: name, Description: deref(desc), Barcode: deref(barcode),
		HSCode: deref(hs), CountryOfOrigin: deref(origin), UnitValue: v, TracksLots: deref(lots)}
	if weight != nil {
		in.Weight = &warehousing.Weight{Value: weight.Value, Unit: warehousing.WeightUnit(weight.Unit)}
	}
	if dims != nil {
		in.Dimensions = &warehousing.Dimensions{Length: dims.Length, Width: dims.Width, Height: dims.Height, Unit: warehousing.LengthUnit(dims.Unit)}
	}
	for _, p := range points {
		in.ReorderPoints = append(in.ReorderPoints, warehousing.ReorderPoint{WarehouseID: p.WarehouseID, Point: int64(p.Point), Quantity: int64(deref(p.Quantity))})
	}
	return in, nil
}

func toGQLBalance(b warehousing.Balance) *model.InventoryBalance {
	out := &model.InventoryBalance{SkuID: b.SKUID, WarehouseID: b.WarehouseID, AwaitingPutaway: int(b.AwaitingPutaway),
		OnHand: int(b.OnHand), Reserved: int(b.Reserved), Pledged: int(b.Pledged), Available: int(b.Available),
		Picked: int(b.Picked), Damaged: int(b.Damaged), InTransferOut: int(b.InTransferOut), InTransferIn: int(b.InTransferIn),
		LowStock: b.LowStock}
	if !b.UpdatedAt.IsZero() {
		t := b.UpdatedAt
		out.UpdatedAt = &t
	}
	return out
}

func toGQLBalanceConnection(r cursor.Result[warehousing.Balance]) *model.InventoryBalanceConnection {
	c := &model.InventoryBalanceConnection{Edges: []model.InventoryBalanceEdge{}, Nodes: []model.InventoryBalance{}, PageInfo: toGQLPageInfo(r)}
	for i, b := range r.Items {
		n := toGQLBalance(b)
		c.Edges = append(c.Edges, model.InventoryBalanceEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLMovement(m warehousing.Movement) *model.StockMovement {
	d := m.Delta
	out := &model.StockMovement{ID: m.ID, WarehouseID: m.WarehouseID, Reason: model.StockMovementReason(m.Reason),
		Delta: &model.StockDelta{AwaitingPutaway: int(d.AwaitingPutaway), OnHand: int(d.OnHand), Reserved: int(d.Reserved),
			Pledged: int(d.Pledged), Available: int(d.Available), Picked: int(d.Picked), Damaged: int(d.Damaged),
			InTransferOut: int(d.InTransferOut), InTransferIn: int(d.InTransferIn)},
		ActorID: optional(m.Actor), SourceID: optional(m.Source), Lot: optional(m.Lot), Note: optional(m.Note), OccurredAt: m.OccurredAt}
	if m.ReasonCode != "" {
		r := model.AdjustmentReason(m.ReasonCode)
		out.AdjustmentReason = &r
	}
	return out
}

func toGQLMovementConnection(r cursor.Result[warehousing.Movement]) *model.StockMovementConnection {
	c := &model.StockMovementConnection{Edges: []model.StockMovementEdge{}, Nodes: []model.StockMovement{}, PageInfo: toGQLPageInfo(r)}
	for i, m := range r.Items {
		n := toGQLMovement(m)
		c.Edges = append(c.Edges, model.StockMovementEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLReceipt(x warehousing.Receipt) *model.Receipt {
	out := &model.Receipt{ID: x.ID, AccountID: x.AccountID, WarehouseID: x.WarehouseID, Reference: optional(x.Reference),
		PurchaseOrderID: optional(x.PurchaseOrderID), ShipmentID: optional(x.ShipmentID), ExpectedAt: x.ExpectedAt,
		Status: model.ReceiptStatus(x.Status), HasDiscrepancy: x.HasDiscrepancy(), ReceivedAt: x.ReceivedAt,
		PutAwayAt: x.PutAwayAt, CreatedAt: x.CreatedAt, Lines: []model.ReceiptLine{}}
	for _, l := range x.Lines {
		out.Lines = append(out.Lines, model.ReceiptLine{SkuID: l.SKUID, Expected: int(l.Expected), Received: int(l.Received),
			Damaged: int(l.Damaged), Over: int(l.Over()), Short: int(l.Short()), Lot: optional(l.Lot), ExpiresAt: l.Expiry})
	}
	return out
}

func toGQLReceiptConnection(r cursor.Result[warehousing.Receipt]) *model.ReceiptConnection {
	c := &model.ReceiptConnection{Edges: []model.ReceiptEdge{}, Nodes: []model.Receipt{}, PageInfo: toGQLPageInfo(r)}
	for i, x := range r.Items {
		n := toGQLReceipt(x)
		c.Edges = append(c.Edges, model.ReceiptEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLOrder(o warehousing.Order) *model.FulfilmentOrder {
	out := &model.FulfilmentOrder{ID: o.ID, AccountID: o.AccountID, WarehouseID: o.WarehouseID, IdempotencyKey: o.IdempotencyKey,
		Reference: optional(o.Reference), Status: model.FulfilmentOrderStatus(o.Status), ServiceLevel: model.ServiceLevel(o.ServiceLevel),
		ShipTo: &model.ShipTo{Name: o.ShipTo.Name, Phone: optional(o.ShipTo.Phone), Email: optional(o.ShipTo.Email),
			Address: toGQLAddress(o.ShipTo.Address)},
		Carrier: optional(o.Carrier), TrackingNumber: optional(o.TrackingNumber), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		ShippedAt: o.ShippedAt, DeliveredAt: o.DeliveredAt, CancelledAt: o.CancelledAt,
		Lines: []model.FulfilmentOrderLine{}, Packages: []model.Package{}}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, model.FulfilmentOrderLine{SkuID: l.SKUID, Quantity: int(l.Quantity), Reserved: int(l.Reserved)})
	}
	for _, p := range o.Packages {
		out.Packages = append(out.Packages, model.Package{WeightGrams: int(p.WeightGrams), LengthMm: int(p.LengthMM),
			WidthMm: int(p.WidthMM), HeightMm: int(p.HeightMM)})
	}
	return out
}

func toGQLOrderConnection(r cursor.Result[warehousing.Order]) *model.FulfilmentOrderConnection {
	c := &model.FulfilmentOrderConnection{Edges: []model.FulfilmentOrderEdge{}, Nodes: []model.FulfilmentOrder{}, PageInfo: toGQLPageInfo(r)}
	for i, o := range r.Items {
		n := toGQLOrder(o)
		c.Edges = append(c.Edges, model.FulfilmentOrderEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func fromCreateOrderInput(in model.CreateFulfilmentOrderInput) warehousing.OrderInput {
	out := warehousing.OrderInput{AccountID: in.AccountID, WarehouseID: in.WarehouseID, IdempotencyKey: in.IdempotencyKey,
		Reference: deref(in.Reference), ServiceLevel: warehousing.ServiceLevel(in.ServiceLevel)}
	if in.ShipTo != nil {
		out.ShipTo = warehousing.ShipTo{Name: in.ShipTo.Name, Phone: deref(in.ShipTo.Phone), Email: deref(in.ShipTo.Email),
			Address: fromAddressInput(in.ShipTo.Address)}
	}
	for _, l := range in.Lines {
		out.Lines = append(out.Lines, warehousing.OrderLine{SKUID: l.SkuID, Quantity: int64(l.Quantity)})
	}
	return out
}

func toGQLTransfer(t warehousing.Transfer) *model.Transfer {
	out := &model.Transfer{ID: t.ID, AccountID: t.AccountID, FromWarehouseID: t.FromWarehouseID, ToWarehouseID: t.ToWarehouseID,
		Status: model.TransferStatus(t.Status), CreatedAt: t.CreatedAt, ReceivedAt: t.ReceivedAt, Lines: []model.TransferLine{}}
	for _, l := range t.Lines {
		out.Lines = append(out.Lines, model.TransferLine{SkuID: l.SKUID, Quantity: int(l.Quantity)})
	}
	return out
}

func toGQLTransferConnection(r cursor.Result[warehousing.Transfer]) *model.TransferConnection {
	c := &model.TransferConnection{Edges: []model.TransferEdge{}, Nodes: []model.Transfer{}, PageInfo: toGQLPageInfo(r)}
	for i, t := range r.Items {
		n := toGQLTransfer(t)
		c.Edges = append(c.Edges, model.TransferEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func toGQLReturn(x warehousing.Return) *model.Return {
	out := &model.Return{ID: x.ID, AccountID: x.AccountID, WarehouseID: x.WarehouseID, OrderID: optional(x.OrderID),
		Reason: optional(x.Reason), Status: model.ReturnStatus(x.Status), CreatedAt: x.CreatedAt, ReceivedAt: x.ReceivedAt,
		ResolvedAt: x.ResolvedAt, Lines: []model.ReturnLine{}}
	for _, l := range x.Lines {
		out.Lines = append(out.Lines, model.ReturnLine{SkuID: l.SKUID, Quantity: int(l.Quantity), Received: int(l.Received)})
	}
	return out
}

func toGQLReturnConnection(r cursor.Result[warehousing.Return]) *model.ReturnConnection {
	c := &model.ReturnConnection{Edges: []model.ReturnEdge{}, Nodes: []model.Return{}, PageInfo: toGQLPageInfo(r)}
	for i, x := range r.Items {
		n := toGQLReturn(x)
		c.Edges = append(c.Edges, model.ReturnEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func skuQuantities[T any](in []model.SkuQuantityInput, mk func(sku string, q int64) T) []T {
	out := make([]T, 0, len(in))
	for _, l := range in {
		out = append(out, mk(l.SkuID, int64(l.Quantity)))
	}
	return out
}

func toGQLUsageRecord(u usage.Record) *model.UsageRecord {
	out := &model.UsageRecord{ID: u.ID, Category: model.UsageCategory(u.Category), Code: u.Code, Quantity: u.Quantity.String(),
		Unit: u.Unit, OccurredAt: u.OccurredAt, SourceKey: u.SourceKey, InvoiceID: optional(u.InvoiceID),
		Attributes: []model.UsageAttribute{}}
	if u.Amount != nil {
		out.Amount = toGQLMoney(*u.Amount)
	}
	keys := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out.Attributes = append(out.Attributes, model.UsageAttribute{Key: k, Value: u.Attributes[k]})
	}
	return out
}

func toGQLUsageConnection(r cursor.Result[usage.Record]) *model.UsageRecordConnection {
	c := &model.UsageRecordConnection{Edges: []model.UsageRecordEdge{}, Nodes: []model.UsageRecord{}, PageInfo: toGQLPageInfo(r)}
	for i, u := range r.Items {
		n := toGQLUsageRecord(u)
		c.Edges = append(c.Edges, model.UsageRecordEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

func fromUsageFilter(f *model.UsageFilter) usage.Filter {
	if f == nil {
		return usage.Filter{}
	}
	out := usage.Filter{Uninvoiced: deref(f.Uninvoiced)}
	if f.Category != nil {
		out.Category = usage.Category(*f.Category)
	}
	if f.From != nil {
		out.From = *f.From
	}
	if f.To != nil {
		out.To = *f.To
	}
	return out
}

func toGQLUsageTotals(list []usage.Total) []model.UsageTotal {
	out := make([]model.UsageTotal, 0, len(list))
	for _, t := range list {
		m := model.UsageTotal{Category: model.UsageCategory(t.Category), Code: t.Code, Unit: t.Unit, Quantity: t.Quantity.String(), Amounts: []model.Money{}}
		for _, a := range t.Amounts {
			m.Amounts = append(m.Amounts, *toGQLMoney(a))
		}
		out = append(out, m)
	}
	return out
}

func toGQLValuation(v warehousing.Valuation) *model.InventoryValuation {
	out := &model.InventoryValuation{AsOf: v.AsOf, Lines: []model.InventoryValuationLine{}, Totals: []model.Money{}}
	for _, l := range v.Lines {
		out.Lines = append(out.Lines, model.InventoryValuationLine{SkuID: l.SKUID, WarehouseID: l.WarehouseID,
			Available: int(l.Available), UnitValue: toGQLMoney(l.UnitValue), Value: toGQLMoney(l.Value)})
	}
	for _, t := range v.Totals {
		out.Totals = append(out.Totals, *toGQLMoney(t))
	}
	return out
}

func toGQLSnapshots(list []warehousing.Snapshot) []model.StorageSnapshot {
	out := make([]model.StorageSnapshot, 0, len(list))
	for _, s := range list {
		out = append(out, model.StorageSnapshot{AccountID: s.AccountID, WarehouseID: s.WarehouseID, Day: s.Day,
			Units: int(s.Units), CubicMetres: s.CubicMetres.String(), Pallets: int(s.Pallets),
			AlreadyRecorded: s.AlreadyRecorded})
	}
	return out
}

// parseDay reads a YYYY-MM-DD day.
func parseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errs.InvalidField("input.day", "a day as YYYY-MM-DD")
	}
	return t, nil
}

// fromGQLSkuReorder rebuilds the part of a SKU that SuggestedReorders reads.
func fromGQLSkuReorder(k *model.Sku) warehousing.SKU {
	out := warehousing.SKU{ID: k.ID}
	for _, r := range k.ReorderPoints {
		out.ReorderPoints = append(out.ReorderPoints, warehousing.ReorderPoint{WarehouseID: r.WarehouseID, Point: int64(r.Point), Quantity: int64(r.Quantity)})
	}
	return out
}

// toGQLBulkOrders pairs each order sent with its result. Every refusal in results is a
// user-correctable one (the service returns the others as the call's error).
func toGQLBulkOrders(sent []model.BulkFulfilmentOrderInput, results []warehousing.BulkOrderResult) (*model.CreateFulfilmentOrdersPayload, error) {
	out := &model.CreateFulfilmentOrdersPayload{Results: make([]model.BulkFulfilmentOrderResult, 0, len(results)), UserErrors: noUserErrors()}
	for i, res := range results {
		item := model.BulkFulfilmentOrderResult{Index: i, IdempotencyKey: sent[i].IdempotencyKey, UserErrors: noUserErrors()}
		if res.Err != nil {
			ue, err := userErrorsOf(res.Err)
			if err != nil {
				return nil, err
			}
			item.UserErrors = ue
		} else {
			item.FulfilmentOrder = toGQLOrder(res.Order)
		}
		out.Results = append(out.Results, item)
	}
	return out, nil
}
