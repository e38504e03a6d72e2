package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/services/access"
)

// procurementIDs are the procurement fixtures of the matrix test: the demo's curated suppliers
// with users, an OPEN Brightlight RFQ inviting only Ningbo, and an awarded one whose ISSUED
// purchase order went to Ningbo (so the Dongguan supplier user relates to neither).
type procurementIDs struct {
	dongguan, ningbo string
	openRFQ          string
	awardedRFQ, po   string
}

const rfqMutation = `mutation($a: ID!, $w: ID!, $s: [ID!], $d: DateTime!, $t: String!, $lines: [RfqLineInput!]!) {
	createRfq(input: {accountId: $a, title: $t, destinationWarehouseId: $w, currency: "USD", incoterm: FOB, responseDeadline: $d,
		supplierIds: $s, lines: $lines}) { rfq { id status } userErrors { code field message } } }`

const quoteMutation = `mutation($r: ID!, $s: ID!, $inc: ProcurementIncoterm!, $cur: CurrencyCode!, $p: Decimal!, $v: DateTime!, $lead: Int!) {
	submitSupplierQuote(input: {rfqId: $r, supplierId: $s, incoterm: $inc, currency: $cur, validUntil: $v,
		lines: [{rfqLineId: "1", unitPrice: $p, moq: 100, leadTimeDays: $lead}]}) { supplierQuote { id revision onBehalf } userErrors { code field message } } }`

func deadline(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

// demoSuppliers reads the curated suppliers' ids by name.
func demoSupplierIDs(t *testing.T, c *client, account string) (dongguan, ningbo string) {
	t.Helper()
	r := c.do(`query($a: ID!) { suppliers(accountId: $a) { nodes { id name } } }`, map[string]any{"a": account})
	nodes, _ := r.path("suppliers", "nodes").([]any)
	for _, n := range nodes {
		m := n.(map[string]any)
		switch m["name"] {
		case "Dongguan Precision Molding":
			dongguan = m["id"].(string)
		case "Ningbo Homeware Co.":
			ningbo = m["id"].(string)
		}
	}
	if dongguan == "" || ningbo == "" {
		t.Fatalf("demo suppliers: %s", r.Raw)
	}
	return dongguan, ningbo
}

// createSentRFQ creates and sends an RFQ for the account's SKU (or a described line) as c.
func createSentRFQ(t *testing.T, c *client, account, warehouse, sku string, qty int, suppliers ...string) string {
	t.Helper()
	line := map[string]any{"quantity": qty, "targetUnitPrice": "11.00", "unitWeightGrams": 1200, "hsCode": "8513.10"}
	if sku != "" {
		line["skuId"] = sku
	} else {
		line["description"] = "Camping lantern"
	}
	r := c.do(rfqMutation, map[string]any{"a": account, "w": warehouse, "s": suppliers, "d": deadline(48 * time.Hour), "t": "Restock",
		"lines": []any{line}})
	id := r.str("createRfq", "rfq", "id")
	if id == "" {
		t.Fatalf("createRfq: %s", r.Raw)
	}
	r = c.do(`mutation($r: ID!) { sendRfq(input: {rfqId: $r}) { rfq { status } userErrors { code message } } }`, map[string]any{"r": id})
	if r.str("sendRfq", "rfq", "status") != "OPEN" {
		t.Fatalf("sendRfq: %s", r.Raw)
	}
	return id
}

func quoteVars(rfq, supplier, inc, cur, price string, lead int) map[string]any {
	return map[string]any{"r": rfq, "s": supplier, "inc": inc, "cur": cur, "p": price, "v": deadline(30 * 24 * time.Hour), "lead": lead}
}

// procurementWorld adds the procurement fixtures, made by the platform admin.
func procurementWorld(t *testing.T, w *world) {
	t.Helper()
	p := &w.procurement
	p.dongguan, p.ningbo = demoSupplierIDs(t, w.admin, w.brightlight)
	p.openRFQ = createSentRFQ(t, w.admin, w.brightlight, w.lax, w.lamp, 500, p.ningbo)
	p.awardedRFQ = createSentRFQ(t, w.admin, w.brightlight, w.lax, w.lamp, 500, p.ningbo)
	r := w.admin.do(quoteMutation, quoteVars(p.awardedRFQ, p.ningbo, "FOB", "USD", "12.00", 20))
	q := r.str("submitSupplierQuote", "supplierQuote", "id")
	r = w.admin.do(`mutation($r: ID!, $q: ID!) { awardRfq(input: {rfqId: $r, quoteId: $q}) { purchaseOrders { id } userErrors { code message } } }`,
		map[string]any{"r": p.awardedRFQ, "q": q})
	if pos, _ := r.path("awardRfq", "purchaseOrders").([]any); len(pos) == 1 {
		p.po = pos[0].(map[string]any)["id"].(string)
	}
	if p.po == "" {
		t.Fatalf("procurement world: %s", r.Raw)
	}
}

// procurementCells exercise the procurement resources of the matrix.
var procurementCells = []cell{
	{access.Suppliers, access.Read, accountDomain, queryCell(`query($a: ID!) { suppliers(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "suppliers")},
	{access.Suppliers, access.Write, accountDomain, mutationCell("createSupplier",
		`mutation($a: ID!, $n: String!) { createSupplier(input: {accountId: $a, name: $n, country: "VN"}) { supplier { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"a": w.brightlight, "n": fmt.Sprintf("Matrix supplier %d", n)}
		})},
	{access.RFQs, access.Read, accountDomain, queryCell(`query($a: ID!) { rfqs(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "rfqs")},
	{access.RFQs, access.Write, accountDomain, mutationCell("createRfq", rfqMutation,
		func(w world, n int) map[string]any {
			return map[string]any{"a": w.brightlight, "w": w.lax, "s": []string{}, "d": deadline(time.Hour), "t": fmt.Sprintf("Matrix %d", n),
				"lines": []any{map[string]any{"description": "Matrix part", "quantity": 10}}}
		})},
	{access.SupplierQuotes, access.Read, accountDomain, queryCell(`query($r: ID!) { rfq(id: $r) { quotes { id } } }`,
		func(w world) map[string]any { return map[string]any{"r": w.procurement.awardedRFQ} }, "rfq", "quotes")},
	{access.SupplierQuotes, access.Write, accountDomain, mutationCell("submitSupplierQuote", quoteMutation,
		func(w world, n int) map[string]any {
			return quoteVars(w.procurement.openRFQ, w.procurement.ningbo, "FOB", "USD", fmt.Sprintf("%d.00", 10+n%5), 20)
		})},
	{access.PurchaseOrders, access.Read, accountDomain, queryCell(`query($a: ID!) { purchaseOrders(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "purchaseOrders")},
	{access.PurchaseOrders, access.Write, accountDomain, mutationCell("updatePurchaseOrder",
		`mutation($p: ID!, $n: String!) { updatePurchaseOrder(input: {purchaseOrderId: $p, notes: $n}) { purchaseOrder { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"p": w.procurement.po, "n": fmt.Sprintf("note %d", n)}
		})},
	{access.FXRates, access.Write, platformDomain, mutationCell("setFxRate",
		`mutation($r: Decimal!) { setFxRate(input: {base: "GBP", quote: "EUR", rate: $r}) { fxRate { rate } userErrors { code } } }`,
		func(w world, n int) map[string]any { return map[string]any{"r": fmt.Sprintf("1.%04d", 1000+n)} })},
}

// kesslerProcurementFixtures: Kessler's private supplier, an OPEN RFQ and an ISSUED PO.
func kesslerProcurementFixtures(t *testing.T, w world, kessler *client, f *foreignIDs) {
	t.Helper()
	r := kessler.do(`mutation($a: ID!) { createSupplier(input: {accountId: $a, name: "Bavaria Zelte", country: "DE"}) { supplier { id } userErrors { code } } }`,
		map[string]any{"a": w.kessler})
	f.supplier = r.str("createSupplier", "supplier", "id")
	var rtm string
	r = w.admin.do(`{ warehouses(first: 10) { nodes { id code } } }`, nil)
	for _, n := range r.path("warehouses", "nodes").([]any) {
		if m := n.(map[string]any); m["code"] == "RTM1" {
			rtm = m["id"].(string)
		}
	}
	f.rfq = createSentRFQ(t, kessler, w.kessler, rtm, "", 100, f.supplier)
	rfq2 := createSentRFQ(t, kessler, w.kessler, rtm, "", 100, f.supplier)
	r = w.admin.do(quoteMutation, quoteVars(rfq2, f.supplier, "DDP", "EUR", "9.50", 15))
	q := r.str("submitSupplierQuote", "supplierQuote", "id")
	r = kessler.do(`mutation($r: ID!, $q: ID!) { awardRfq(input: {rfqId: $r, quoteId: $q}) { purchaseOrders { id } userErrors { code message } } }`,
		map[string]any{"r": rfq2, "q": q})
	if pos, _ := r.path("awardRfq", "purchaseOrders").([]any); len(pos) == 1 {
		f.po = pos[0].(map[string]any)["id"].(string)
	}
	if f.supplier == "" || f.po == "" {
		t.Fatalf("kessler procurement fixtures: %+v %s", f, r.Raw)
	}
}

func byRFQ(q string) tenancyCase {
	return tenancyCase{q, func(f foreignIDs) map[string]any { return map[string]any{"r": f.rfq} }}
}

func byPO(q string) tenancyCase {
	return tenancyCase{q, func(f foreignIDs) map[string]any { return map[string]any{"p": f.po} }}
}

// procurementTenancyCases probe every procurement field that takes an id.
var procurementTenancyCases = map[string]tenancyCase{
	"Query.suppliers": {`query($a: ID!) { suppliers(accountId: $a) { nodes { id } } }`, func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.supplier":  {`query($id: ID!) { supplier(id: $id) { id name } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.supplier} }},
	"Query.rfqs":      {`query($a: ID!) { rfqs(accountId: $a) { nodes { id } } }`, func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.rfq":       byRFQ(`query($r: ID!) { rfq(id: $r) { id lines { targetUnitPrice { amount } } quotes { id } comparison { quotes { rankByLandedCost } } } }`),
	"Query.purchaseOrders": {`query($a: ID!) { purchaseOrders(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.purchaseOrder": byPO(`query($p: ID!) { purchaseOrder(id: $p) { id number } }`),
	"Mutation.createSupplier": {`mutation($a: ID!) { createSupplier(input: {accountId: $a, name: "Intruder", country: "CN"}) { supplier { id } userErrors { code field message } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.setSupplierStatus": {`mutation($s: ID!) { setSupplierStatus(input: {supplierId: $s, status: SUSPENDED}) { supplier { id } userErrors { code field message } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"s": f.supplier} }},
	// A foreign supplier invited into Brightlight's own RFQ, and a foreign SKU on a line.
	"Mutation.createRfq": {rfqMutation, func(f foreignIDs) map[string]any {
		return map[string]any{"a": f.home, "w": f.homeWarehouse, "s": []string{f.supplier}, "d": deadline(time.Hour), "t": "Probe",
			"lines": []any{map[string]any{"skuId": f.sku, "quantity": 1}}}
	}},
	"Mutation.createRfqFromLowStock": {`mutation($a: ID!, $w: ID!, $s: ID!, $d: DateTime!) { createRfqFromLowStock(input: {accountId: $a, warehouseId: $w,
		skuIds: [$s], currency: "USD", responseDeadline: $d}) { rfq { id } userErrors { code field message } } }`,
		func(f foreignIDs) map[string]any {
			return map[string]any{"a": f.home, "w": f.homeWarehouse, "s": f.sku, "d": deadline(time.Hour)}
		}},
	"Mutation.sendRfq":   byRFQ(`mutation($r: ID!) { sendRfq(input: {rfqId: $r}) { rfq { id } userErrors { code field message } } }`),
	"Mutation.closeRfq":  byRFQ(`mutation($r: ID!) { closeRfq(input: {rfqId: $r}) { rfq { id } userErrors { code field message } } }`),
	"Mutation.cancelRfq": byRFQ(`mutation($r: ID!) { cancelRfq(input: {rfqId: $r}) { rfq { id } userErrors { code field message } } }`),
	"Mutation.submitSupplierQuote": {quoteMutation, func(f foreignIDs) map[string]any {
		return quoteVars(f.rfq, f.supplier, "FOB", "USD", "1.00", 5)
	}},
	"Mutation.compareSupplierQuotes": byRFQ(`mutation($r: ID!) { compareSupplierQuotes(input: {rfqId: $r}) { comparison { quotes { rankByLandedCost } } userErrors { code field message } } }`),
	"Mutation.awardRfq": {`mutation($r: ID!, $q: ID!) { awardRfq(input: {rfqId: $r, quoteId: $q}) { purchaseOrders { id } userErrors { code field message } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"r": f.rfq, "q": "sqt_" + f.rfq[4:]} }},
	"Mutation.updatePurchaseOrder":  byPO(`mutation($p: ID!) { updatePurchaseOrder(input: {purchaseOrderId: $p, notes: "x"}) { purchaseOrder { id } userErrors { code field message } } }`),
	"Mutation.confirmPurchaseOrder": byPO(`mutation($p: ID!) { confirmPurchaseOrder(input: {purchaseOrderId: $p}) { purchaseOrder { id } userErrors { code field message } } }`),
	"Mutation.shipPurchaseOrder":    byPO(`mutation($p: ID!) { shipPurchaseOrder(input: {purchaseOrderId: $p}) { purchaseOrder { id } userErrors { code field message } } }`),
	"Mutation.cancelPurchaseOrder":  byPO(`mutation($p: ID!) { cancelPurchaseOrder(input: {purchaseOrderId: $p}) { purchaseOrder { id } userErrors { code field message } } }`),
	"Mutation.closePurchaseOrder":   byPO(`mutation($p: ID!) { closePurchaseOrder(input: {purchaseOrderId: $p}) { purchaseOrder { id } userErrors { code field message } } }`),
}

var poNumber = regexp.MustCompile(`^PO-\d{4}-\d{6}$`)

// The "done when", through the real HTTP handler: Brightlight's owner sends an RFQ to
// two suppliers, each supplier's own user answers it (seeing neither the other's quote nor the
// hidden target price), the owner compares landed costs with freight and duties, awards, the
// supplier confirms and ships, the operator receives the inbound receipt in LAX1, and stock,
// the PO's received quantities, the commission usage and the supplier score follow.
func TestProcurementJourney(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	op := signIn(t, base, "operator@brightlight.test")
	dongguanUser := signIn(t, base, "sales@dongguan-precision.test")
	ningboUser := signIn(t, base, "sales@ningbo-homeware.test")
	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	mustOK := func(name string, r response) {
		t.Helper()
		if !r.ok(name) || r.path(name) == nil {
			t.Fatalf("%s: %s", name, r.Raw)
		}
	}
	dongguan, ningbo := demoSupplierIDs(t, owner, w.brightlight)
	rfq := createSentRFQ(t, owner, w.brightlight, w.lax, w.lamp, 500, dongguan, ningbo)

	// Each supplier sees the invitation, without the target price, and quotes.
	r := dongguanUser.do(`{ supplierInvitations { nodes { id lines { targetUnitPrice { amount } } suppliers { id } } } }`, nil)
	inv, _ := r.path("supplierInvitations", "nodes").([]any)
	if len(inv) != 1 || inv[0].(map[string]any)["id"] != rfq {
		t.Fatalf("invitations: %s", r.Raw)
	}
	if m := inv[0].(map[string]any); m["lines"].([]any)[0].(map[string]any)["targetUnitPrice"] != nil || len(m["suppliers"].([]any)) != 1 {
		t.Fatalf("a supplier sees the target price or the other invitee: %s", r.Raw)
	}
	r = dongguanUser.do(quoteMutation, quoteVars(rfq, dongguan, "FOB", "CNY", "85.00", 20))
	mustOK("submitSupplierQuote", r)
	dq := r.str("submitSupplierQuote", "supplierQuote", "id")
	r = ningboUser.do(quoteMutation, quoteVars(rfq, ningbo, "CIF", "USD", "12.40", 30))
	mustOK("submitSupplierQuote", r)
	// Quoting as the other supplier is NOT_FOUND, and the other's quote is invisible.
	r = ningboUser.do(quoteMutation, quoteVars(rfq, dongguan, "FOB", "USD", "1.00", 5))
	if codes := r.codes("submitSupplierQuote"); len(codes) != 1 || codes[0] != "NOT_FOUND" {
		t.Fatalf("quote as another supplier: %s", r.Raw)
	}
	r = ningboUser.do(`query($r: ID!) { rfq(id: $r) { quotes { id supplier { id } } comparison { quotes { rankByLandedCost } } } }`, map[string]any{"r": rfq})
	if qs, _ := r.path("rfq", "quotes").([]any); len(qs) != 1 || r.path("rfq", "comparison") != nil {
		t.Fatalf("a supplier sees other quotes or the comparison: %s", r.Raw)
	}
	if got := ningboUser.do(`query($q: ID!) { node(id: $q) { id } }`, map[string]any{"q": dq}); got.path("node") != nil {
		t.Fatalf("a supplier reads the other's quote by id: %s", got.Raw)
	}

	// Compare on landed cost: FOB adds freight and duties, CIF only duties; CNY is converted.
	r = owner.do(`mutation($r: ID!) { compareSupplierQuotes(input: {rfqId: $r}) { comparison { quotes { rankByLandedCost rankByScore
		quote { id incoterm landedCost { goods { amount currencyCode } freight { amount } duties { amount } fee { amount } total { amount } freightCarrier fxRates } }
		supplier { id score { percent } } } } userErrors { code field message } } }`, map[string]any{"r": rfq})
	mustOK("compareSupplierQuotes", r)
	cmp := r.path("compareSupplierQuotes", "comparison", "quotes").([]any)
	if len(cmp) != 2 {
		t.Fatalf("comparison: %s", r.Raw)
	}
	amount := func(m any) float64 {
		f, _ := strconv.ParseFloat(m.(map[string]any)["amount"].(string), 64)
		return f
	}
	for _, c := range cmp {
		q := c.(map[string]any)["quote"].(map[string]any)
		l := q["landedCost"].(map[string]any)
		if l["goods"].(map[string]any)["currencyCode"] != "USD" || amount(l["duties"]) <= 0 || amount(l["total"]) <= amount(l["goods"]) {
			t.Errorf("landed cost of %s: %v", q["incoterm"], l)
		}
		switch q["incoterm"] {
		case "FOB":
			if amount(l["freight"]) <= 0 || l["freightCarrier"] == nil || len(l["fxRates"].([]any)) == 0 {
				t.Errorf("FOB landed cost without freight or FX: %v", l)
			}
		case "CIF":
			if amount(l["freight"]) != 0 {
				t.Errorf("CIF landed cost with freight: %v", l)
			}
		}
	}

	// Award Dongguan's quote: one PO; the competing quote is closed.
	r = owner.do(`mutation($r: ID!, $q: ID!) { awardRfq(input: {rfqId: $r, quoteId: $q, paymentTerms: {depositPercent: 30, balance: BEFORE_SHIPMENT}}) {
		purchaseOrders { id number status total { amount currencyCode } supplier { id } } userErrors { code field message } } }`, map[string]any{"r": rfq, "q": dq})
	mustOK("awardRfq", r)
	po := r.path("awardRfq", "purchaseOrders").([]any)[0].(map[string]any)
	poID := po["id"].(string)
	if !poNumber.MatchString(po["number"].(string)) || po["status"] != "ISSUED" || po["total"].(map[string]any)["currencyCode"] != "CNY" {
		t.Fatalf("po: %v", po)
	}
	r = owner.do(`mutation($r: ID!, $q: ID!) { awardRfq(input: {rfqId: $r, quoteId: $q}) { purchaseOrders { id } userErrors { code } } }`, map[string]any{"r": rfq, "q": dq})
	if codes := r.codes("awardRfq"); len(codes) != 1 || codes[0] != "FAILED_PRECONDITION" {
		t.Fatalf("second award: %s", r.Raw)
	}
	r = owner.do(`query($r: ID!) { rfq(id: $r) { status quotes { id status } } }`, map[string]any{"r": rfq})
	for _, q := range r.path("rfq", "quotes").([]any) {
		m := q.(map[string]any)
		if want := map[bool]string{true: "AWARDED", false: "NOT_AWARDED"}[m["id"] == dq]; m["status"] != want {
			t.Errorf("quote %s is %s, want %s", m["id"], m["status"], want)
		}
	}

	// The supplier confirms and ships; Kessler sees none of it.
	r = dongguanUser.do(`mutation($p: ID!) { confirmPurchaseOrder(input: {purchaseOrderId: $p}) { purchaseOrder { status } userErrors { code message } } }`, map[string]any{"p": poID})
	mustOK("confirmPurchaseOrder", r)
	if got := kessler.do(`query($p: ID!) { purchaseOrder(id: $p) { id } }`, map[string]any{"p": poID}); got.path("purchaseOrder") != nil {
		t.Fatalf("kessler sees the PO: %s", got.Raw)
	}
	r = dongguanUser.do(`mutation($p: ID!) { shipPurchaseOrder(input: {purchaseOrderId: $p}) { purchaseOrder { status receipt { id } } userErrors { code message } } }`, map[string]any{"p": poID})
	mustOK("shipPurchaseOrder", r)
	if r.str("shipPurchaseOrder", "purchaseOrder", "status") != "SHIPPED" || r.path("shipPurchaseOrder", "purchaseOrder", "receipt") != nil {
		t.Fatalf("shipped (the supplier must not see the warehouse receipt): %s", r.Raw)
	}

	// The operator receives the ASN at LAX1: 495 good, 5 damaged.
	lax := func() float64 {
		r := op.do(`query($s: ID!) { sku(id: $s) { balances { warehouse { code } available } } }`, map[string]any{"s": w.lamp})
		for _, b := range r.path("sku", "balances").([]any) {
			if m := b.(map[string]any); m["warehouse"].(map[string]any)["code"] == "LAX1" {
				return m["available"].(float64)
			}
		}
		return 0
	}
	before := lax()
	r = op.do(`query($p: ID!) { purchaseOrder(id: $p) { receipt { id status lines { expected } } } }`, map[string]any{"p": poID})
	receipt := r.str("purchaseOrder", "receipt", "id")
	if receipt == "" {
		t.Fatalf("no receipt for the buyer: %s", r.Raw)
	}
	r = op.do(`mutation($id: ID!, $s: ID!) { receiveReceipt(input: {receiptId: $id, lines: [{skuId: $s, received: 495, damaged: 5}]}) { receipt { status } userErrors { code field message } } }`,
		map[string]any{"id": receipt, "s": w.lamp})
	mustOK("receiveReceipt", r)
	r = op.do(`mutation($id: ID!) { putawayReceipt(input: {receiptId: $id}) { receipt { status } userErrors { code } } }`, map[string]any{"id": receipt})
	mustOK("putawayReceipt", r)
	if got := lax(); got != before+495 {
		t.Fatalf("LAX1 available %v, want %v", got, before+495)
	}
	r = owner.do(`query($p: ID!) { purchaseOrder(id: $p) { status lines { quantity received rejected } receivedValue { amount } supplier { score { percent orders unitsRejected } } } }`, map[string]any{"p": poID})
	line := r.path("purchaseOrder", "lines").([]any)[0].(map[string]any)
	score := r.path("purchaseOrder", "supplier", "score").(map[string]any)
	if r.str("purchaseOrder", "status") != "RECEIVED" || line["received"].(float64) != 495 || line["rejected"].(float64) != 5 ||
		r.path("purchaseOrder", "receivedValue", "amount") != "42075.00" || score["percent"] == nil || score["orders"].(float64) != 1 || score["unitsRejected"].(float64) != 5 {
		t.Fatalf("received PO: %s", r.Raw)
	}
	// The commission's usage was recorded when the supplier confirmed.
	r = owner.do(`query($a: ID!) { usageRecords(accountId: $a, filter: {category: PROCUREMENT}) { nodes { code unit amount { amount currencyCode } } } }`, map[string]any{"a": w.brightlight})
	recs, _ := r.path("usageRecords", "nodes").([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["code"] != "procurement.commission" || recs[0].(map[string]any)["amount"].(map[string]any)["amount"] != "42500.00" {
		t.Fatalf("usage: %s", r.Raw)
	}

	// The PO's changes reached the account's events feed through the relay: issued, then
	// CONFIRMED, SHIPPED and RECEIVED.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := a.store.DB.Collection("events").CountDocuments(context.Background(), bson.M{"accountId": w.brightlight, "objectId": poID,
			"type": bson.M{"$in": bson.A{"purchase_order.issued", "purchase_order.status_changed"}}})
		if err == nil && n == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("purchase order events: %d in the feed (%v)", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkCatalogued(t, a)
}
