package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/transport"
)

const facilitiesQuery = `query($a: ID!) { creditFacilities(accountId: $a) { id status limit { amount currencyCode } available { amount }
	product { id name aprBps maxTenorDays graceDays collateral { type advanceRateBps conditions } } } }`

const collateralQuery = `query($f: ID!) { eligibleCollateral(facilityId: $f) { type id warehouseId quantity description status
	lane { origin destination } value { amount currencyCode } advance { amount } eligible reason } }`

const requestMutation = `mutation($f: ID!, $c: [CollateralInput!]!, $amt: Decimal!, $cur: CurrencyCode!, $t: Int!) {
	requestFinancing(input: {facilityId: $f, collateral: $c, amount: {amount: $amt, currencyCode: $cur}, tenorDays: $t}) {
		request { id status maxAdvance { amount } cost { fee { amount } interest { amount } totalRepayable { amount } effectiveAprBps } }
		userErrors { code field message } } }`

const loanFields = `id status dueDate maturityDate collateralReleased ltvBps principal { amount } outstanding { amount currencyCode }
	schedule { dueDate amount { amount } }
	statement { balanced outstanding { amount } totalDebits { amount } totalCredits { amount } entries { id kind lines { account debit { amount } credit { amount } } } }`

// facilityOf returns the account's first facility id as c sees it.
func facilityOf(t *testing.T, c *client, account string) string {
	t.Helper()
	r := c.do(facilitiesQuery, map[string]any{"a": account})
	list, _ := r.path("creditFacilities").([]any)
	if len(list) == 0 {
		t.Fatalf("no facility: %s", r.Raw)
	}
	return list[0].(map[string]any)["id"].(string)
}

// collateralOf lists the eligible collateral of a facility as c sees it.
func collateralOf(c *client, facility string) []map[string]any {
	r := c.do(collateralQuery, map[string]any{"f": facility})
	var out []map[string]any
	list, _ := r.path("eligibleCollateral").([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// pick returns the first eligible collateral of the type, as a CollateralInput (one unit of stock).
func pick(list []map[string]any, typ string, skip ...string) map[string]any {
	for _, c := range list {
		if c["type"] != typ || c["eligible"] != true || strings.Contains(strings.Join(skip, ","), c["id"].(string)) {
			continue
		}
		in := map[string]any{"type": typ, "id": c["id"]}
		if typ == "WAREHOUSE_INVENTORY" {
			in["warehouseId"], in["quantity"] = c["warehouseId"], 1
		}
		return in
	}
	return nil
}

// financingWorld adds Brightlight's facility, a funded loan (against the demo shipment in
// transit) and a submitted request (against one charger) to w, for the matrix cells.
func financingWorld(t *testing.T, w *world, base string) {
	t.Helper()
	owner, partner := signIn(t, base, "owner@brightlight.test"), signIn(t, base, "partner.admin@harborfinance.test")
	w.facility = facilityOf(t, owner, w.brightlight)
	list := collateralOf(owner, w.facility)
	ship := pick(list, "IN_TRANSIT_SHIPMENT")
	if ship == nil {
		t.Fatalf("no shipment in transit to finance: %v", list)
	}
	r := owner.do(requestMutation, map[string]any{"f": w.facility, "c": []any{ship}, "amt": "1000.00", "cur": "CNY", "t": 30})
	req := r.str("requestFinancing", "request", "id")
	partner.do(`mutation($r: ID!) { approveFinancingRequest(input: {requestId: $r}) { userErrors { code } } }`, map[string]any{"r": req})
	r = partner.do(`mutation($r: ID!) { fundFinancingRequest(input: {requestId: $r}) { loan { id } userErrors { code } } }`, map[string]any{"r": req})
	w.loan = r.str("fundFinancingRequest", "loan", "id")
	var charger map[string]any
	for _, c := range list {
		if c["type"] == "WAREHOUSE_INVENTORY" && c["description"] == "BL-CHG-65W" {
			charger = map[string]any{"type": c["type"], "id": c["id"], "warehouseId": c["warehouseId"], "quantity": 1}
		}
	}
	r = owner.do(requestMutation, map[string]any{"f": w.facility, "c": []any{charger}, "amt": "1.00", "cur": "CNY", "t": 30})
	w.finRequest = r.str("requestFinancing", "request", "id")
	if w.facility == "" || w.loan == "" || w.finRequest == "" {
		t.Fatalf("financing world incomplete: %+v", w)
	}
}

// financingCells exercise the financing resources of the matrix.
var financingCells = []cell{
	{access.FinancingProducts, access.Read, partnerDomain, queryCell(`query($p: ID!) { financeProducts(partnerId: $p) { id } }`,
		func(w world) map[string]any { return map[string]any{"p": w.harbor} }, "financeProducts")},
	{access.FinancingProducts, access.Write, partnerDomain, mutationCell("createFinanceProduct",
		`mutation($p: ID!, $n: String!) { createFinanceProduct(input: {partnerId: $p, name: $n, currencyCode: "USD", aprBps: 1000, feeBps: 50,
			maxTenorDays: 60, graceDays: 3, collateral: [{type: IN_TRANSIT_SHIPMENT, advanceRateBps: 7000}]}) { product { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"p": w.harbor, "n": fmt.Sprintf("Matrix %d", n)}
		})},
	{access.Financing, access.Read, accountDomain, queryCell(`query($a: ID!) { creditFacilities(accountId: $a) { id } }`, inBrightlightAccount, "creditFacilities")},
	{access.FinancingRequests, access.Write, accountDomain, func(t *testing.T, c *client, w world, n int) (bool, []string) {
		// Each allowed caller pledges a SKU of its own; a refused one is refused before the
		// collateral is looked at, so any SKU does once none is left.
		list := collateralOf(w.admin, w.facility)
		stock := pick(list, "WAREHOUSE_INVENTORY")
		for _, c := range list {
			if stock == nil && c["type"] == "WAREHOUSE_INVENTORY" {
				stock = map[string]any{"type": c["type"], "id": c["id"], "warehouseId": c["warehouseId"], "quantity": 1}
			}
		}
		r := c.do(requestMutation, map[string]any{"f": w.facility, "c": []any{stock}, "amt": "1.00", "cur": "CNY", "t": 30})
		return r.ok("requestFinancing") && r.path("requestFinancing", "request") != nil, r.codes("requestFinancing")
	}},
	{access.FinancingDecisions, access.Write, accountDomain, mutationCell("approveFinancingRequest",
		`mutation($r: ID!) { approveFinancingRequest(input: {requestId: $r}) { request { id status } userErrors { code } } }`,
		func(w world, _ int) map[string]any { return map[string]any{"r": w.finRequest} })},
	{access.LoanPayments, access.Write, accountDomain, mutationCell("recordLoanPayment",
		`mutation($l: ID!, $ref: String!) { recordLoanPayment(input: {loanId: $l, amount: {amount: "0.01", currencyCode: "CNY"}, reference: $ref}) { loan { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"l": w.loan, "ref": fmt.Sprintf("matrix-%d", n)}
		})},
}

// financingTenancyCases probe every financing field that takes an id.
var financingTenancyCases = map[string]tenancyCase{
	"Query.financeProducts":    {`query($p: ID!) { financeProducts(partnerId: $p) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"p": f.partner} }},
	"Query.creditFacilities":   {`query($a: ID!) { creditFacilities(accountId: $a) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.eligibleCollateral": {`query($f: ID!) { eligibleCollateral(facilityId: $f) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"f": f.facility} }},
	"Query.financingQuote": {`query($f: ID!, $s: ID!) { financingQuote(input: {facilityId: $f, collateral: [{type: IN_TRANSIT_SHIPMENT, id: $s}], tenorDays: 30}) { quote { maxAdvance { amount } } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"f": f.facility, "s": f.shipment} }},
	"Query.financingRequests":  {`query($a: ID!) { financingRequests(accountId: $a) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.financingRequest":   {`query($id: ID!) { financingRequest(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.finRequest} }},
	"Query.financingQueue":     {`query($p: ID!) { financingQueue(partnerId: $p) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"p": f.partner} }},
	"Query.loans":              {`query($a: ID!) { loans(accountId: $a) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.loan":               {`query($id: ID!) { loan(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.loan} }},
	"Query.financingPortfolio": {`query($p: ID!) { financingPortfolio(partnerId: $p) { openLoans } }`, func(f foreignIDs) map[string]any { return map[string]any{"p": f.partner} }},
	"Mutation.createFinanceProduct": {`mutation($p: ID!) { createFinanceProduct(input: {partnerId: $p, name: "Mole", currencyCode: "USD", aprBps: 1, feeBps: 1, maxTenorDays: 1, graceDays: 0,
		collateral: [{type: IN_TRANSIT_SHIPMENT, advanceRateBps: 1}]}) { product { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"p": f.partner} }},
	"Mutation.createCreditFacility": {`mutation($a: ID!, $p: ID!) { createCreditFacility(input: {accountId: $a, productId: $p, limit: {amount: "1.00", currencyCode: "EUR"}}) { facility { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.home, "p": f.finProduct} }},
	"Mutation.setCreditFacilityStatus": {`mutation($f: ID!) { setCreditFacilityStatus(input: {facilityId: $f, status: FROZEN}) { facility { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"f": f.facility} }},
	"Mutation.requestFinancing": {requestMutation, func(f foreignIDs) map[string]any {
		return map[string]any{"f": f.facility, "c": []any{map[string]any{"type": "IN_TRANSIT_SHIPMENT", "id": f.shipment}}, "amt": "1.00", "cur": "EUR", "t": 30}
	}},
	"Mutation.answerFinancingInformationRequest": {`mutation($r: ID!) { answerFinancingInformationRequest(input: {requestId: $r, answer: "mole"}) { request { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"r": f.finRequest} }},
	"Mutation.approveFinancingRequest": {`mutation($r: ID!) { approveFinancingRequest(input: {requestId: $r}) { request { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"r": f.finRequest} }},
	"Mutation.rejectFinancingRequest": {`mutation($r: ID!) { rejectFinancingRequest(input: {requestId: $r, reason: "mole"}) { request { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"r": f.finRequest} }},
	"Mutation.askFinancingInformation": {`mutation($r: ID!) { askFinancingInformation(input: {requestId: $r, question: "mole?"}) { request { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"r": f.finRequest} }},
	"Mutation.fundFinancingRequest": {`mutation($r: ID!) { fundFinancingRequest(input: {requestId: $r}) { loan { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"r": f.finRequest} }},
	"Mutation.recordLoanPayment": {`mutation($l: ID!) { recordLoanPayment(input: {loanId: $l, amount: {amount: "1.00", currencyCode: "EUR"}, reference: "mole"}) { loan { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"l": f.loan} }},
	"Mutation.markLoanDefaulted": {`mutation($l: ID!) { markLoanDefaulted(input: {loanId: $l}) { loan { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"l": f.loan} }},
	"Mutation.writeOffLoan": {`mutation($l: ID!) { writeOffLoan(input: {loanId: $l}) { loan { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"l": f.loan} }},
	"Mutation.releaseLoanCollateral": {`mutation($l: ID!) { releaseLoanCollateral(input: {loanId: $l}) { loan { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"l": f.loan} }},
}

// kesslerFinancingFixtures gives Kessler a loan from Harbor against a tent in Rotterdam and a
// submitted request against its stove: the foreign facility, product, request and loan.
func kesslerFinancingFixtures(t *testing.T, w world, kessler *client, f *foreignIDs) {
	t.Helper()
	partner := signIn(t, kessler.base, "partner.admin@harborfinance.test")
	r := kessler.do(facilitiesQuery, map[string]any{"a": w.kessler})
	list, _ := r.path("creditFacilities").([]any)
	if len(list) == 0 {
		t.Fatalf("Kessler has no facility: %s", r.Raw)
	}
	fac := list[0].(map[string]any)
	f.facility, f.finProduct = fac["id"].(string), fac["product"].(map[string]any)["id"].(string)
	stock := collateralOf(kessler, f.facility)
	first := pick(stock, "WAREHOUSE_INVENTORY")
	r = kessler.do(requestMutation, map[string]any{"f": f.facility, "c": []any{first}, "amt": "10.00", "cur": "EUR", "t": 30})
	req := r.str("requestFinancing", "request", "id")
	partner.do(`mutation($r: ID!) { approveFinancingRequest(input: {requestId: $r}) { userErrors { code } } }`, map[string]any{"r": req})
	r = partner.do(`mutation($r: ID!) { fundFinancingRequest(input: {requestId: $r}) { loan { id } userErrors { code } } }`, map[string]any{"r": req})
	f.loan = r.str("fundFinancingRequest", "loan", "id")
	second := pick(stock, "WAREHOUSE_INVENTORY", first["id"].(string))
	r = kessler.do(requestMutation, map[string]any{"f": f.facility, "c": []any{second}, "amt": "10.00", "cur": "EUR", "t": 30})
	f.finRequest = r.str("requestFinancing", "request", "id")
	if f.loan == "" || f.finRequest == "" {
		t.Fatalf("Kessler financing fixtures incomplete: %+v", f)
	}
}

// The "done when", over HTTP: Brightlight's owner asks for financing against the demo
// shipment in transit and some stock, Harbor approves and funds it, the carrier's signed webhook
// delivers the shipment and the due date moves to delivery + grace days, Harbor records the
// repayment, the collateral is released and both statements balance. Bad input is refused and
// writes nothing.
func TestFinancingJourneyOverHTTP(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	partner := signIn(t, base, "partner.admin@harborfinance.test")
	viewer := signIn(t, base, "viewer@brightlight.test")
	fac := facilityOf(t, owner, w.brightlight)

	list := collateralOf(owner, fac)
	ship := pick(list, "IN_TRANSIT_SHIPMENT")
	var lamp map[string]any
	var lampAvailable float64
	for _, c := range list {
		if c["type"] == "WAREHOUSE_INVENTORY" && c["id"] == w.lamp {
			lamp = map[string]any{"type": "WAREHOUSE_INVENTORY", "id": w.lamp, "warehouseId": c["warehouseId"], "quantity": 10}
			lampAvailable = c["quantity"].(float64)
		}
	}
	if ship == nil || lamp == nil {
		t.Fatalf("demo collateral missing: %v", list)
	}
	var tracking string
	for _, c := range list {
		if c["id"] == ship["id"] {
			tracking = c["description"].(string)
		}
	}
	collateral := []any{ship, lamp}

	// The quote: 40 lamps declared at 620.00 CNY on the shipment × 80% + 10 lamps × 89.00 × 60%.
	r := owner.do(`query($f: ID!, $c: [CollateralInput!]!) { financingQuote(input: {facilityId: $f, collateral: $c, tenorDays: 60}) {
		quote { maxAdvance { amount currencyCode } cost { principal { amount } fee { amount } interest { amount } totalRepayable { amount } effectiveAprBps } }
		userErrors { code field } } }`, map[string]any{"f": fac, "c": collateral})
	if got := r.str("financingQuote", "quote", "maxAdvance", "amount"); got != "20374.00" {
		t.Fatalf("max advance = %q, want 20374.00: %s", got, r.Raw)
	}

	// Bad input writes nothing.
	var kesslerSKU string
	r = w.admin.do(`query($a: ID!) { skus(accountId: $a) { nodes { id } } }`, map[string]any{"a": w.kessler})
	if nodes, _ := r.path("skus", "nodes").([]any); len(nodes) > 0 {
		kesslerSKU = nodes[0].(map[string]any)["id"].(string)
	}
	usdShipment, _, _ := bookOne(t, owner, w, "financing-usd")
	before := snapshot(t, a)
	for _, c := range []struct {
		name       string
		client     *client
		collateral []any
		amount     string
		tenor      int
		code       string
	}{
		{"above max advance", owner, collateral, "20374.01", 60, "ABOVE_MAX_ADVANCE"},
		{"tenor beyond max", owner, collateral, "1000.00", 121, "TENOR_TOO_LONG"},
		{"shipment declared in another currency", owner, []any{map[string]any{"type": "IN_TRANSIT_SHIPMENT", "id": usdShipment}}, "10.00", 30, "INELIGIBLE_COLLATERAL"},
		{"another account's stock", owner, []any{map[string]any{"type": "WAREHOUSE_INVENTORY", "id": kesslerSKU, "warehouseId": lamp["warehouseId"], "quantity": 1}}, "10.00", 30, "NOT_FOUND"},
		{"a purchase order that does not exist", owner, []any{map[string]any{"type": "PURCHASE_ORDER", "id": ids.New(ids.PurchaseOrder)}}, "10.00", 30, "NOT_FOUND"},
		{"viewer", viewer, collateral, "1000.00", 60, "FORBIDDEN"},
	} {
		r := c.client.do(requestMutation, map[string]any{"f": fac, "c": c.collateral, "amt": c.amount, "cur": "CNY", "t": c.tenor})
		if codes := r.codes("requestFinancing"); len(codes) != 1 || codes[0] != c.code {
			t.Errorf("%s: codes %v, want %s (%s)", c.name, codes, c.code, r.Raw)
		}
	}
	if after := snapshot(t, a); before != after {
		t.Errorf("bad input changed the store:\n before %s\n after  %s", before, after)
	}

	r = owner.do(requestMutation, map[string]any{"f": fac, "c": collateral, "amt": "15000.00", "cur": "CNY", "t": 60})
	req := r.str("requestFinancing", "request", "id")
	if req == "" || r.str("requestFinancing", "request", "cost", "fee", "amount") != "150.00" {
		t.Fatalf("request: %s", r.Raw)
	}
	// The same collateral cannot back a second request.
	r = owner.do(requestMutation, map[string]any{"f": fac, "c": collateral, "amt": "100.00", "cur": "CNY", "t": 60})
	if codes := r.codes("requestFinancing"); len(codes) != 1 || codes[0] != "COLLATERAL_ALREADY_PLEDGED" {
		t.Errorf("second request on the same collateral: %v", codes)
	}

	// Harbor's queue and risk picture.
	r = partner.do(`query($p: ID!) { financingQueue(partnerId: $p) { id status accountId } }`, map[string]any{"p": w.harbor})
	if q, _ := r.path("financingQueue").([]any); len(q) != 1 || q[0].(map[string]any)["id"] != req {
		t.Fatalf("queue: %s", r.Raw)
	}
	r = partner.do(`query($id: ID!) { financingRequest(id: $id) { risk { loans exposure { amount }
		collateral { trackingNumber latestEvent collateral { status value { amount } } score { shipments } } } } }`, map[string]any{"id": req})
	if risk, _ := r.path("financingRequest", "risk", "collateral").([]any); len(risk) != 2 || risk[0].(map[string]any)["trackingNumber"] != tracking {
		t.Fatalf("risk: %s", r.Raw)
	}
	// The seller watches the decision arrive live.
	live := subscribe(t, owner, base, `subscription($a: ID!) { financingUpdated(accountId: $a) { type objectId status } }`, map[string]any{"a": w.brightlight})
	defer live.Close()
	time.Sleep(300 * time.Millisecond) // let the server start the subscription before the decision
	r = partner.do(`mutation($r: ID!) { approveFinancingRequest(input: {requestId: $r}) { request { status cost { totalRepayable { amount } } } userErrors { code } } }`, map[string]any{"r": req})
	if r.str("approveFinancingRequest", "request", "status") != "APPROVED" {
		t.Fatalf("approve: %s", r.Raw)
	}
	if got := live.next(t)["financingUpdated"].(map[string]any); got["type"] != "financing.request_approved" || got["objectId"] != req || got["status"] != "APPROVED" {
		t.Errorf("live update: %v", got)
	}
	fund := `mutation($r: ID!) { fundFinancingRequest(input: {requestId: $r}) { loan { ` + loanFields + ` } userErrors { code } } }`
	r = partner.do(fund, map[string]any{"r": req})
	loan := r.str("fundFinancingRequest", "loan", "id")
	if loan == "" || r.str("fundFinancingRequest", "loan", "status") != "ACTIVE" {
		t.Fatalf("fund: %s", r.Raw)
	}
	maturity := r.str("fundFinancingRequest", "loan", "maturityDate")
	r = partner.do(fund, map[string]any{"r": req})
	if codes := r.codes("fundFinancingRequest"); len(codes) != 1 || codes[0] != "ALREADY_FUNDED" {
		t.Errorf("funding twice: %v", codes)
	}
	r = owner.do(facilitiesQuery, map[string]any{"a": w.brightlight})
	if fs, _ := r.path("creditFacilities").([]any); len(fs) != 1 || fs[0].(map[string]any)["available"].(map[string]any)["amount"] != "1985000.00" {
		t.Errorf("available after the drawdown: %s", r.Raw)
	}
	for _, c := range collateralOf(owner, fac) {
		if c["id"] == w.lamp && c["quantity"].(float64) != lampAvailable-10 {
			t.Errorf("lamps available after the pledge = %v, want %v", c["quantity"], lampAvailable-10)
		}
	}

	// The carrier delivers the shipment through its signed webhook: the due date moves to
	// delivery + 7 grace days (earlier than the 60-day maturity).
	now := time.Now().UTC()
	code := "SWIFTX"
	r = w.admin.do(`query($id: ID!) { shipment(id: $id) { carrier { code } } }`, map[string]any{"id": ship["id"]})
	if c := r.str("shipment", "carrier", "code"); c != "" {
		code = c
	}
	status, res := webhook(t, base, code, []byte("demo-"+strings.ToLower(code)+"-webhook-secret"), now,
		[]transport.TrackingUpdate{{EventID: "fin-delivered", TrackingNumber: tracking, Status: transport.StatusDelivered, OccurredAt: now, Location: "Austin"}})
	if status != 200 || len(outcomes(res)) != 1 || outcomes(res)[0] != "ACCEPTED" {
		t.Fatalf("webhook: %d %v", status, res)
	}
	wantDue := now.AddDate(0, 0, 7).Format("2006-01-02")
	loanQuery := `query($id: ID!) { loan(id: $id) { ` + loanFields + ` } }`
	eventually(t, "the due date to follow the delivery", func() bool {
		return owner.do(loanQuery, map[string]any{"id": loan}).str("loan", "dueDate") == wantDue
	})
	if wantDue >= maturity {
		t.Errorf("due %s is not before maturity %s", wantDue, maturity)
	}

	// Harbor records the repayment; the loan is REPAID, the collateral released.
	r = partner.do(loanQuery, map[string]any{"id": loan})
	owed := r.str("loan", "outstanding", "amount")
	pay := `mutation($l: ID!, $amt: Decimal!, $ref: String!) { recordLoanPayment(input: {loanId: $l, amount: {amount: $amt, currencyCode: "CNY"}, reference: $ref}) {
		loan { status collateralReleased outstanding { amount } } userErrors { code } } }`
	r = owner.do(pay, map[string]any{"l": loan, "amt": owed, "ref": "wire-1"})
	if codes := r.codes("recordLoanPayment"); len(codes) != 1 || codes[0] != "FORBIDDEN" {
		t.Errorf("the seller records its own payment: %v", codes)
	}
	r = partner.do(pay, map[string]any{"l": loan, "amt": owed, "ref": "wire-1"})
	if r.str("recordLoanPayment", "loan", "status") != "REPAID" || r.path("recordLoanPayment", "loan", "collateralReleased") != true {
		t.Fatalf("repayment: %s", r.Raw)
	}
	r = partner.do(pay, map[string]any{"l": loan, "amt": "1.00", "ref": "wire-2"})
	if codes := r.codes("recordLoanPayment"); len(codes) != 1 || codes[0] != "LOAN_CLOSED" {
		t.Errorf("paying a repaid loan: %v", codes)
	}
	for _, c := range collateralOf(owner, fac) {
		if c["id"] == w.lamp && c["quantity"].(float64) != lampAvailable {
			t.Errorf("lamps available after repayment = %v, want %v", c["quantity"], lampAvailable)
		}
	}
	for name, c := range map[string]*client{"seller": owner, "partner": partner} {
		r := c.do(loanQuery, map[string]any{"id": loan})
		if r.path("loan", "statement", "balanced") != true || r.str("loan", "statement", "outstanding", "amount") != "0.00" ||
			r.str("loan", "statement", "totalDebits", "amount") != r.str("loan", "statement", "totalCredits", "amount") {
			t.Errorf("%s's statement: %s", name, r.Raw)
		}
	}
	// Facilitation usage for invoicing, once per loan.
	r = w.admin.do(`query($a: ID!) { usageRecords(accountId: $a, filter: {category: FINANCING}) { nodes { code unit quantity amount { amount } } } }`, map[string]any{"a": w.brightlight})
	if nodes, _ := r.path("usageRecords", "nodes").([]any); len(nodes) != 1 || nodes[0].(map[string]any)["code"] != "financing.facilitation" ||
		nodes[0].(map[string]any)["unit"] != "loan" || nodes[0].(map[string]any)["amount"].(map[string]any)["amount"] != "15000.00" {
		t.Errorf("usage: %s", r.Raw)
	}
	// After Brightlight revokes consent, Harbor sees nothing of it.
	r = owner.do(`mutation($a: ID!, $p: ID!) { revokePartnerConsent(input: {accountId: $a, partnerId: $p}) { userErrors { code } } }`, map[string]any{"a": w.brightlight, "p": w.harbor})
	if !r.ok("revokePartnerConsent") {
		t.Fatalf("revoke: %s", r.Raw)
	}
	if r := partner.do(loanQuery, map[string]any{"id": loan}); r.path("loan") != nil {
		t.Errorf("Harbor reads the loan after revocation: %s", r.Raw)
	}
	if r := partner.do(`query($a: ID!) { loans(accountId: $a) { id } }`, map[string]any{"a": w.brightlight}); len(r.codes("")) == 0 || r.codes("")[0] != "NOT_FOUND" {
		t.Errorf("Harbor lists loans after revocation: %s", r.Raw)
	}
}
