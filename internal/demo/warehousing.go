package demo

import (
	"context"
	"fmt"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/accounts"
	wh "github.com/tradehub/tradehub/services/warehousing"
)

// demoWarehouses are the 3PL's warehouses: the seller's home market, two overseas markets and a
// bonded warehouse in the EU.
var demoWarehouses = []wh.WarehouseInput{
	{Code: "SZX1", Name: "Shenzhen Longhua Fulfilment Centre", Timezone: "Asia/Shanghai", Kind: wh.Domestic,
		Capabilities: []string{"KITTING", "BATTERIES"}, Active: true,
		Address: wh.Address{Line1: "88 Minzhi Avenue", City: "Shenzhen", Region: "Guangdong", PostalCode: "518131", Country: "CN"}},
	{Code: "LAX1", Name: "Los Angeles Ontario Warehouse", Timezone: "America/Los_Angeles", Kind: wh.Overseas,
		Capabilities: []string{"FBA_PREP"}, Active: true,
		Address: wh.Address{Line1: "4200 E Airport Dr", City: "Ontario", Region: "CA", PostalCode: "91761", Country: "US"}},
	{Code: "RTM1", Name: "Rotterdam Maasvlakte Bonded Warehouse", Timezone: "Europe/Amsterdam", Kind: wh.Bonded,
		Capabilities: []string{"CUSTOMS_BONDED"}, Active: true,
		Address: wh.Address{Line1: "Europaweg 875", City: "Rotterdam", PostalCode: "3199 LD", Country: "NL"}},
	{Code: "SYD1", Name: "Sydney Eastern Creek Warehouse", Timezone: "Australia/Sydney", Kind: wh.Overseas, Active: true,
		Address: wh.Address{Line1: "12 Honeycomb Drive", City: "Eastern Creek", Region: "NSW", PostalCode: "2766", Country: "AU"}},
}

type demoSKU struct {
	code, name, hs, origin, value string
	weightKG, l, w, h             string // kg, cm
	lots                          bool
	stock                         int64 // units received and put away in the seller's home warehouse
}

// demoCatalogue is each seller's catalogue (by index in sellers) and where its stock is.
var demoCatalogue = []struct {
	warehouse string
	skus      []demoSKU
}{
	{"SZX1", []demoSKU{
		{"BL-LAMP-01", "LED desk lamp, dimmable", "9405.21", "CN", "89.00", "1.2", "40", "15", "12", false, 200},
		{"BL-CHG-65W", "65 W GaN USB-C charger", "8504.40", "CN", "45.00", "0.15", "8", "8", "4", false, 500},
		{"BL-BAT-20K", "20,000 mAh power bank", "8507.60", "CN", "120.00", "0.4", "15", "7", "3", true, 100},
	}},
	{"RTM1", []demoSKU{
		{"KO-TENT-2P", "Two-person trekking tent", "6306.22", "CN", "149.00", "2.8", "55", "20", "20", false, 80},
		{"KO-STOVE-1", "Compact gas stove", "7321.11", "CN", "49.90", "0.6", "18", "12", "10", false, 60},
	}},
	{"LAX1", []demoSKU{
		{"MP-THROW-GRY", "Knitted throw blanket, grey", "6301.40", "CN", "39.00", "1.1", "40", "30", "10", false, 150},
		{"MP-MUG-SET4", "Stoneware mug set of four", "6912.00", "CN", "24.00", "1.8", "30", "25", "12", false, 90},
	}},
}

// seedWarehousing creates the warehouses, each seller's SKUs and received stock, and a few
// orders, through the service as the platform admin (so every rule and event applies).
func seedWarehousing(ctx context.Context, svc *wh.Service, admin accounts.User, accts []accounts.Account) error {
	ctx = auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin.ID})
	byCode := map[string]string{}
	for _, in := range demoWarehouses {
		w, err := svc.CreateWarehouse(ctx, in)
		if err != nil {
			return fmt.Errorf("demo: warehouse %s: %w", in.Code, err)
		}
		byCode[w.Code] = w.ID
	}
	for i, cat := range demoCatalogue {
		acct := accts[i]
		whs := byCode[cat.warehouse]
		var lines []wh.ReceiptLine
		var received []wh.ReceiveLine
		var skuIDs []string
		for _, k := range cat.skus {
			value, err := money.ParseMoney(k.value, acct.DefaultCurrency.Code())
			if err != nil {
				return err
			}
			sku, err := svc.CreateSKU(ctx, wh.SKUInput{AccountID: acct.ID, Code: k.code, Name: k.name, HSCode: k.hs,
				CountryOfOrigin: k.origin, UnitValue: value, TracksLots: k.lots,
				Weight:        &wh.Weight{Value: k.weightKG, Unit: wh.Kilogram},
				Dimensions:    &wh.Dimensions{Length: k.l, Width: k.w, Height: k.h, Unit: wh.Centimetre},
				ReorderPoints: []wh.ReorderPoint{{WarehouseID: whs, Point: k.stock / 4, Quantity: k.stock}}})
			if err != nil {
				return fmt.Errorf("demo: sku %s: %w", k.code, err)
			}
			skuIDs = append(skuIDs, sku.ID)
			lines = append(lines, wh.ReceiptLine{SKUID: sku.ID, Expected: k.stock})
			rl := wh.ReceiveLine{SKUID: sku.ID, Received: k.stock}
			if k.lots {
				rl.Lot = "LOT-2026-11"
			}
			received = append(received, rl)
		}
		r, err := svc.CreateReceipt(ctx, wh.ReceiptInput{AccountID: acct.ID, WarehouseID: whs, Reference: "ASN-DEMO-001", Lines: lines})
		if err != nil {
			return fmt.Errorf("demo: receipt: %w", err)
		}
		if _, err := svc.ReceiveReceipt(ctx, r.ID, received); err != nil {
			return fmt.Errorf("demo: receive: %w", err)
		}
		if _, err := svc.PutawayReceipt(ctx, r.ID); err != nil {
			return fmt.Errorf("demo: putaway: %w", err)
		}
		// A second ASN, still expected, for the receiving page.
		if _, err := svc.CreateReceipt(ctx, wh.ReceiptInput{AccountID: acct.ID, WarehouseID: whs, Reference: "ASN-DEMO-002",
			Lines: []wh.ReceiptLine{{SKUID: skuIDs[0], Expected: 40}}}); err != nil {
			return fmt.Errorf("demo: receipt: %w", err)
		}
		shipTo := wh.ShipTo{Name: "Jordan Lee", Address: wh.Address{Line1: "221 Pine St", City: "Seattle", Region: "WA", PostalCode: "98101", Country: "US"}}
		reserved, err := svc.CreateFulfilmentOrder(ctx, wh.OrderInput{AccountID: acct.ID, WarehouseID: whs, IdempotencyKey: "demo-order-1",
			Reference: "SHOP-1001", ServiceLevel: wh.Standard, ShipTo: shipTo,
			Lines: []wh.OrderLine{{SKUID: skuIDs[0], Quantity: 2}, {SKUID: skuIDs[1], Quantity: 1}}})
		if err != nil {
			return fmt.Errorf("demo: order: %w", err)
		}
		_ = reserved
		shipped, err := svc.CreateFulfilmentOrder(ctx, wh.OrderInput{AccountID: acct.ID, WarehouseID: whs, IdempotencyKey: "demo-order-2",
			Reference: "SHOP-1002", ServiceLevel: wh.Express, ShipTo: shipTo, Lines: []wh.OrderLine{{SKUID: skuIDs[1], Quantity: 3}}})
		if err != nil {
			return fmt.Errorf("demo: order: %w", err)
		}
		if _, err := svc.PickFulfilmentOrder(ctx, shipped.ID); err != nil {
			return fmt.Errorf("demo: pick: %w", err)
		}
		if _, err := svc.PackFulfilmentOrder(ctx, shipped.ID, []wh.Package{{WeightGrams: 600, LengthMM: 200, WidthMM: 150, HeightMM: 100}}); err != nil {
			return fmt.Errorf("demo: pack: %w", err)
		}
		if _, err := svc.ShipFulfilmentOrder(ctx, shipped.ID, "DHL Express", "JD014600003456789012"); err != nil {
			return fmt.Errorf("demo: ship: %w", err)
		}
	}
	return nil
}
