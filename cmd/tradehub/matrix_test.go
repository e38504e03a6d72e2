package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tradehub/tradehub/services/access"
)

// world holds the ids the matrix and cross-tenant tests act on, read from the demo data.
type world struct {
	brightlight, kessler, maple string // accounts
	harbor, otherPartner        string // partners (otherPartner has no consents)
	lin                         string // an account manager's user id
	kesslerOwner                string
	admin                       *client
	szx, lax                    string // warehouses SZX1 and LAX1
	lamp                        string // Brightlight's BL-LAMP-01 SKU
	shipment, quote, carrier    string // a Brightlight shipment and quote, a carrier (transportWorld)
	procurement                 procurementIDs
	facility, loan, finRequest  string // Brightlight's facility, a funded loan, a submitted request (financingWorld)
	invoice                     string // a finalized Brightlight invoice (billingWorld)
}

func loadWorld(t *testing.T, base string) world {
	t.Helper()
	w := world{admin: signIn(t, base, "admin@tradehub.test")}
	r := w.admin.do(`{ accounts(first: 10) { nodes { id legalName members { nodes { role user { id email } } } } } }`, nil)
	for _, n := range r.path("accounts", "nodes").([]any) {
		a := n.(map[string]any)
		id, name := a["id"].(string), a["legalName"].(string)
		switch {
		case strings.HasPrefix(name, "Shenzhen"):
			w.brightlight = id
		case strings.HasPrefix(name, "Kessler"):
			w.kessler = id
			for _, m := range a["members"].(map[string]any)["nodes"].([]any) {
				mm := m.(map[string]any)
				if mm["role"] == "OWNER" {
					w.kesslerOwner = mm["user"].(map[string]any)["id"].(string)
				}
			}
		case strings.HasPrefix(name, "Maple"):
			w.maple = id
		}
	}
	r = w.admin.do(`query($id: ID!) { account(id: $id) { accountManagers { id email } partnerConsents { partner { id } } } }`, map[string]any{"id": w.brightlight})
	w.lin = r.path("account", "accountManagers").([]any)[0].(map[string]any)["id"].(string)
	w.harbor = r.path("account", "partnerConsents").([]any)[0].(map[string]any)["partner"].(map[string]any)["id"].(string)
	r = w.admin.do(`mutation { createPartner(input: {name: "Northwind Credit", country: "NL"}) { partner { id } userErrors { code } } }`, nil)
	w.otherPartner = r.str("createPartner", "partner", "id")
	r = w.admin.do(`{ warehouses(first: 10) { nodes { id code } } }`, nil)
	for _, n := range r.path("warehouses", "nodes").([]any) {
		m := n.(map[string]any)
		switch m["code"] {
		case "SZX1":
			w.szx = m["id"].(string)
		case "LAX1":
			w.lax = m["id"].(string)
		}
	}
	r = w.admin.do(`query($id: ID!) { skus(accountId: $id, search: "BL-LAMP") { nodes { id } } }`, map[string]any{"id": w.brightlight})
	if nodes, _ := r.path("skus", "nodes").([]any); len(nodes) == 1 {
		w.lamp = nodes[0].(map[string]any)["id"].(string)
	}
	if w.brightlight == "" || w.kessler == "" || w.maple == "" || w.harbor == "" || w.otherPartner == "" || w.lin == "" || w.kesslerOwner == "" ||
		w.szx == "" || w.lax == "" || w.lamp == "" {
		t.Fatalf("demo world incomplete: %+v", w)
	}
	return w
}

// cell is the GraphQL operation that exercises one (resource, action) of the matrix, and the
// domain it is asked in.
type cell struct {
	res    access.Resource
	act    access.Action
	domain func(world) string
	// run performs the operation; it reports whether it was allowed. A refusal must be
	// FORBIDDEN, NOT_FOUND or a null answer.
	run func(t *testing.T, c *client, w world, n int) (allowed bool, codes []string)
}

func queryCell(query string, vars func(world) map[string]any, keys ...string) func(*testing.T, *client, world, int) (bool, []string) {
	return func(t *testing.T, c *client, w world, _ int) (bool, []string) {
		r := c.do(query, vars(w))
		codes := r.codes("")
		return len(codes) == 0 && r.path(keys...) != nil, codes
	}
}

func mutationCell(name, query string, vars func(w world, n int) map[string]any) func(*testing.T, *client, world, int) (bool, []string) {
	return func(t *testing.T, c *client, w world, n int) (bool, []string) {
		r := c.do(query, vars(w, n))
		return r.ok(name) && r.path(name) != nil, r.codes(name)
	}
}

func accountDomain(w world) string         { return w.brightlight }
func platformDomain(world) string          { return access.DomainPlatform }
func partnerDomain(w world) string         { return w.harbor }
func inBrightlight(w world) map[string]any { return map[string]any{"id": w.brightlight} }

// stockVars are the ids a warehousing cell acts on, with n for unique codes and keys.
func stockVars(w world, n int) map[string]any {
	return map[string]any{"a": w.brightlight, "w": w.szx, "to": w.lax, "s": w.lamp, "n": fmt.Sprint(n)}
}

func inBrightlightAccount(w world) map[string]any { return map[string]any{"a": w.brightlight} }

// warehousingCells exercise the warehousing resources of the matrix.
var warehousingCells = []cell{
	{access.SKUs, access.Read, accountDomain, queryCell(`query($a: ID!) { skus(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "skus")},
	{access.SKUs, access.Write, accountDomain, mutationCell("createSku",
		`mutation($a: ID!, $n: String!) { createSku(input: {accountId: $a, code: $n, name: "Matrix SKU", unitValue: {amount: "1.00", currencyCode: "CNY"}}) { sku { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"a": w.brightlight, "n": fmt.Sprintf("MATRIX-%d", n)}
		})},
	{access.Inventory, access.Read, accountDomain, queryCell(`query($a: ID!) { inventoryBalances(accountId: $a) { nodes { available } } }`, inBrightlightAccount, "inventoryBalances")},
	{access.Inventory, access.Write, accountDomain, mutationCell("adjustInventory",
		`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 1, reason: FOUND}) { inventoryBalance { available } userErrors { code } } }`,
		stockVars)},
	{access.InventoryAdjustLarge, access.Write, accountDomain, mutationCell("adjustInventory",
		`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 500, reason: FOUND, note: "pallet found"}) { inventoryBalance { available } userErrors { code } } }`,
		stockVars)},
	{access.Receipts, access.Read, accountDomain, queryCell(`query($a: ID!) { receipts(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "receipts")},
	{access.Receipts, access.Write, accountDomain, mutationCell("createReceipt",
		`mutation($a: ID!, $w: ID!, $s: ID!) { createReceipt(input: {accountId: $a, warehouseId: $w, lines: [{skuId: $s, quantity: 5}]}) { receipt { id } userErrors { code } } }`,
		stockVars)},
	{access.Orders, access.Read, accountDomain, queryCell(`query($a: ID!) { fulfilmentOrders(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "fulfilmentOrders")},
	{access.Orders, access.Write, accountDomain, mutationCell("createFulfilmentOrder",
		`mutation($a: ID!, $w: ID!, $s: ID!, $n: String!) { createFulfilmentOrder(input: {accountId: $a, warehouseId: $w, idempotencyKey: $n, serviceLevel: STANDARD,
			lines: [{skuId: $s, quantity: 1}], shipTo: {name: "M", address: {line1: "1 St", city: "Austin", country: "US"}}}) { fulfilmentOrder { id } userErrors { code } } }`,
		stockVars)},
	{access.Transfers, access.Read, accountDomain, queryCell(`query($a: ID!) { transfers(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "transfers")},
	{access.Transfers, access.Write, accountDomain, mutationCell("createTransfer",
		`mutation($a: ID!, $w: ID!, $to: ID!, $s: ID!) { createTransfer(input: {accountId: $a, fromWarehouseId: $w, toWarehouseId: $to, lines: [{skuId: $s, quantity: 1}]}) { transfer { id } userErrors { code } } }`,
		stockVars)},
	{access.Returns, access.Read, accountDomain, queryCell(`query($a: ID!) { returns(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "returns")},
	{access.Returns, access.Write, accountDomain, mutationCell("createReturn",
		`mutation($a: ID!, $w: ID!, $s: ID!) { createReturn(input: {accountId: $a, warehouseId: $w, reason: "matrix", lines: [{skuId: $s, quantity: 1}]}) { return { id } userErrors { code } } }`,
		stockVars)},
	{access.Usage, access.Read, accountDomain, queryCell(`query($a: ID!) { usageRecords(accountId: $a) { nodes { code } } }`, inBrightlightAccount, "usageRecords")},
	{access.Warehouses, access.Write, platformDomain, mutationCell("createWarehouse",
		`mutation($n: String!) { createWarehouse(input: {code: $n, name: "Matrix DC", timezone: "Europe/Berlin", kind: OVERSEAS,
			address: {line1: "1 Hafenstr.", city: "Hamburg", country: "DE"}}) { warehouse { id } userErrors { code } } }`,
		func(w world, n int) map[string]any { return map[string]any{"n": fmt.Sprintf("MX%d", n)} })},
}

// integrationCells exercise webhooks and the events feed. The subscriptions the allowed callers
// create point at a port nothing listens on, for the few Brightlight events they are sent.
var integrationCells = []cell{
	{access.Webhooks, access.Read, accountDomain, queryCell(`query($a: ID!) { webhookSubscriptions(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "webhookSubscriptions")},
	{access.Webhooks, access.Write, accountDomain, mutationCell("createWebhookSubscription",
		`mutation($a: ID!, $u: String!) { createWebhookSubscription(input: {accountId: $a, url: $u, eventTypes: ["sku.created"]}) { webhookSubscription { id } secret userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"a": w.brightlight, "u": fmt.Sprintf("http://127.0.0.1:9/matrix-%d", n)}
		})},
	{access.Events, access.Read, accountDomain, queryCell(`query($a: ID!) { events(accountId: $a, first: 1) { nodes { id } } }`, inBrightlightAccount, "events")},
}

var cells = []cell{
	{access.AccountProfile, access.Read, accountDomain, queryCell(`query($id: ID!) { account(id: $id) { id } }`, inBrightlight, "account")},
	{access.AccountProfile, access.Write, accountDomain, mutationCell("updateAccount",
		`mutation($id: ID!, $e: String!) { updateAccount(input: {accountId: $id, billingEmail: $e}) { account { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"id": w.brightlight, "e": fmt.Sprintf("billing%d@brightlight.test", n)}
		})},
	{access.Team, access.Read, accountDomain, queryCell(`query($id: ID!) { account(id: $id) { members { nodes { role } } } }`, inBrightlight, "account", "members")},
	{access.Team, access.Write, accountDomain, mutationCell("inviteAccountMember",
		`mutation($id: ID!, $e: String!) { inviteAccountMember(input: {accountId: $id, email: $e, role: VIEWER}) { invitation { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"id": w.brightlight, "e": fmt.Sprintf("new%d@brightlight.test", n)}
		})},
	{access.TeamOwners, access.Write, accountDomain, mutationCell("inviteAccountMember",
		`mutation($id: ID!, $e: String!) { inviteAccountMember(input: {accountId: $id, email: $e, role: OWNER}) { invitation { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"id": w.brightlight, "e": fmt.Sprintf("owner%d@brightlight.test", n)}
		})},
	{access.APIKeys, access.Read, accountDomain, queryCell(`query($id: ID!) { account(id: $id) { apiKeys { nodes { id } } } }`, inBrightlight, "account", "apiKeys")},
	{access.APIKeys, access.Write, accountDomain, mutationCell("createApiKey",
		`mutation($id: ID!, $n: String!) { createApiKey(input: {accountId: $id, name: $n, role: VIEWER}) { apiKey { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"id": w.brightlight, "n": fmt.Sprintf("key %d", n)}
		})},
	{access.AuditLog, access.Read, accountDomain, queryCell(`query($id: ID!) { auditLog(accountId: $id) { nodes { action } } }`, inBrightlight, "auditLog")},
	{access.PartnerConsents, access.Read, accountDomain, queryCell(`query($id: ID!) { account(id: $id) { partnerConsents { partner { id } } } }`, inBrightlight, "account", "partnerConsents")},
	{access.PartnerConsents, access.Write, accountDomain, mutationCell("grantPartnerConsent",
		`mutation($id: ID!, $p: ID!) { grantPartnerConsent(input: {accountId: $id, partnerId: $p}) { account { id } userErrors { code } } }`,
		func(w world, _ int) map[string]any { return map[string]any{"id": w.brightlight, "p": w.harbor} })},
	{access.Accounts, access.Write, platformDomain, mutationCell("createAccount",
		`mutation($e: String!) { createAccount(input: {legalName: "Matrix Co", country: "FR", defaultCurrency: "EUR", billingEmail: "b@matrix.test", ownerEmail: $e}) { account { id } userErrors { code } } }`,
		func(w world, n int) map[string]any { return map[string]any{"e": fmt.Sprintf("owner%d@matrix.test", n)} })},
	{access.AccountManagers, access.Write, platformDomain, mutationCell("assignAccountManager",
		`mutation($a: ID!, $u: ID!) { assignAccountManager(input: {accountId: $a, userId: $u}) { account { id } userErrors { code } } }`,
		func(w world, _ int) map[string]any { return map[string]any{"a": w.maple, "u": w.lin} })},
	{access.Partners, access.Read, platformDomain, queryCell(`query($id: ID!) { partner(id: $id) { id } }`, func(w world) map[string]any { return map[string]any{"id": w.otherPartner} }, "partner")},
	{access.Partners, access.Write, platformDomain, mutationCell("createPartner",
		`mutation($n: String!) { createPartner(input: {name: $n, country: "GB"}) { partner { id } userErrors { code } } }`,
		func(w world, n int) map[string]any { return map[string]any{"n": fmt.Sprintf("Lender %d", n)} })},
	{access.PartnerTeam, access.Read, partnerDomain, queryCell(`query($id: ID!) { partner(id: $id) { members { role } } }`, func(w world) map[string]any { return map[string]any{"id": w.harbor} }, "partner", "members")},
	{access.PartnerTeam, access.Write, partnerDomain, mutationCell("invitePartnerMember",
		`mutation($id: ID!, $e: String!) { invitePartnerMember(input: {partnerId: $id, email: $e, role: PARTNER_ANALYST}) { invitation { id } userErrors { code } } }`,
		func(w world, n int) map[string]any {
			return map[string]any{"id": w.harbor, "e": fmt.Sprintf("analyst%d@harborfinance.test", n)}
		})},
}

// holders are the demo users and where their roles are held, to derive what the matrix allows.
var holders = []struct {
	email string
	roles map[access.Role]string // role -> "account" (Brightlight), "platform", "partner" (Harbor)
}{
	{"owner@brightlight.test", map[access.Role]string{access.Owner: "account"}},
	{"admin@brightlight.test", map[access.Role]string{access.Admin: "account"}},
	{"operator@brightlight.test", map[access.Role]string{access.Operator: "account"}},
	{"finance@brightlight.test", map[access.Role]string{access.Finance: "account"}},
	{"viewer@brightlight.test", map[access.Role]string{access.Viewer: "account"}},
	{"am.lin@tradehub.test", map[access.Role]string{access.AccountManager: "account", access.StaffAccountManager: "platform"}},
	{"admin@tradehub.test", map[access.Role]string{access.PlatformAdmin: "platform"}},
	{"partner.admin@harborfinance.test", map[access.Role]string{access.PartnerAdmin: "partner"}},
	{"analyst@harborfinance.test", map[access.Role]string{access.PartnerAnalyst: "partner"}},
	{"sales@dongguan-precision.test", map[access.Role]string{access.SupplierUser: "supplier"}},
	{"owner@kessler-outdoor.test", nil}, // another tenant: no role anywhere near Brightlight
}

// The permission matrix, walked through the real GraphQL endpoint: every cell, as every kind of
// user. An allowed cell succeeds; a denied one is refused (FORBIDDEN, NOT_FOUND or null) and
// writes nothing.
func TestPermissionMatrixThroughGraphQL(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	transportWorld(t, &w)
	procurementWorld(t, &w)

	all := append(append(append(append(append(append([]cell{}, cells...), warehousingCells...), integrationCells...), transportCells...), opsCells...), bulkCells...)
	financingWorld(t, &w, base)
	billingWorld(t, &w)
	all = append(append(append(all, procurementCells...), financingCells...), billingCells...)
	covered := map[string]bool{}
	for _, c := range all {
		covered[string(c.res)+"/"+string(c.act)] = true
	}
	for _, g := range access.Matrix() {
		if !covered[string(g.Resource)+"/"+string(g.Action)] {
			t.Errorf("matrix cell %s/%s has no GraphQL operation in this test", g.Resource, g.Action)
		}
	}

	n := 0
	for _, h := range holders {
		c := signIn(t, base, h.email)
		for _, cell := range all {
			domain := cell.domain(w)
			want := false
			for role, where := range h.roles {
				held := map[string]string{"account": w.brightlight, "platform": access.DomainPlatform, "partner": w.harbor}[where]
				// Brightlight consents to Harbor: Harbor's roles act in Brightlight's domain too.
				consented := where == "partner" && domain == w.brightlight
				if (held == domain || held == access.DomainPlatform || consented) && access.Allowed(role, cell.res, cell.act) {
					want = true
				}
			}
			n++
			// The store is compared around the cells that must be refused only: a snapshot
			// counts every collection, and two per cell were most of this test's time.
			var before string
			if !want {
				before = snapshot(t, a)
			}
			got, codes := cell.run(t, c, w, n)
			name := fmt.Sprintf("%s %s/%s", h.email, cell.res, cell.act)
			if got != want {
				t.Errorf("%s: allowed = %v, want %v (codes %v)", name, got, want, codes)
				continue
			}
			if !got {
				for _, code := range codes {
					if !slices.Contains([]string{"FORBIDDEN", "NOT_FOUND"}, code) {
						t.Errorf("%s: refused with %s, want FORBIDDEN or NOT_FOUND", name, code)
					}
				}
				if after := snapshot(t, a); before != after {
					t.Errorf("%s: a refused request changed the store:\n before %s\n after  %s", name, before, after)
				}
			}
		}
	}
}
