package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tradehub/tradehub/internal/ids"
)

// idTakingFields lists every Query and Mutation field of the schema that takes an id, directly
// or inside its input, so that a new one cannot be added without a tenancy case below.
func idTakingFields(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("schema files: %v", err)
	}
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	var takesID func(tp *ast.Type, seen map[string]bool) bool
	takesID = func(tp *ast.Type, seen map[string]bool) bool {
		if tp.Elem != nil {
			return takesID(tp.Elem, seen)
		}
		if tp.NamedType == "ID" {
			return true
		}
		def := schema.Types[tp.NamedType]
		if def == nil || def.Kind != ast.InputObject || seen[def.Name] {
			return false
		}
		seen[def.Name] = true
		for _, f := range def.Fields {
			if takesID(f.Type, seen) {
				return true
			}
		}
		return false
	}
	var out []string
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
		for _, f := range root.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			for _, a := range f.Arguments {
				if takesID(a.Type, map[string]bool{}) {
					out = append(out, root.Name+"."+f.Name)
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// tenancyCase is one id-taking field called by Brightlight's owner with an id of another
// tenant. vars builds the variables from the foreign id set, or from ids that exist nowhere.
type tenancyCase struct {
	query string
	vars  func(f foreignIDs) map[string]any
}

// foreignIDs are objects of Kessler Outdoor (another tenant) and of a partner Brightlight has
// not consented to; missingIDs() has the same shape with well-formed ids that exist nowhere.
type foreignIDs struct {
	account, user, invitation, apiKey, partner string
	// Warehousing objects of Kessler, and a warehouse Brightlight cannot see (inactive).
	sku, receipt, order, transfer, ret, warehouse string
	// A webhook subscription of Kessler's, and one of its deliveries.
	webhook, delivery string
	// home and homeWarehouse are Brightlight's own account and warehouse, the same in both
	// sets: cases that pass them probe a foreign object inside an otherwise valid request.
	home, homeWarehouse string
	// Transport: Kessler's shipment and quote; carrier and rateCard exist nowhere in both sets
	// (they are platform reference data, not a tenant's).
	shipment, quote, carrier, rateCard string
	// A bulk export of Kessler's.
	bulkExport string
	// Procurement: Kessler's private supplier, an OPEN RFQ and an ISSUED purchase order.
	supplier, rfq, po string
	// Financing: Kessler's facility (and Harbor's EUR product behind it), request and loan.
	finProduct, facility, finRequest, loan string
	// Billing: a finalized invoice of Kessler's.
	invoice string
}

func missingIDs() foreignIDs {
	return foreignIDs{account: ids.New(ids.Account), user: ids.New(ids.User), invitation: ids.New(ids.Invitation),
		apiKey: ids.New(ids.APIKey), partner: ids.New(ids.Partner), sku: ids.New(ids.SKU), receipt: ids.New(ids.Receipt),
		order: ids.New(ids.Order), transfer: ids.New(ids.Transfer), ret: ids.New(ids.Return), warehouse: ids.New(ids.Warehouse),
		webhook: ids.New(ids.Webhook), delivery: ids.New(ids.Delivery),
		shipment: ids.New(ids.Shipment), quote: ids.New(ids.Quote), carrier: ids.New(ids.Carrier), rateCard: ids.New(ids.RateCard),
		bulkExport: ids.New(ids.BulkOperation),
		supplier:   ids.New(ids.Supplier), rfq: ids.New(ids.RFQ), po: ids.New(ids.PurchaseOrder),
		finProduct: ids.New(ids.PartnerProduct), facility: ids.New(ids.Facility), finRequest: ids.New(ids.FinancingRequest), loan: ids.New(ids.Loan),
		invoice: ids.New(ids.Invoice)}
}

// warehousingTenancyCases probe every warehousing field that takes an id.
var warehousingTenancyCases = map[string]tenancyCase{
	"Query.warehouse": {`query($id: ID!) { warehouse(id: $id) { id code } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.warehouse} }},
	"Query.sku":       {`query($id: ID!) { sku(id: $id) { id code balances { available } } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.sku} }},
	"Query.skus": {`query($a: ID!) { skus(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.inventoryBalances": {`query($a: ID!) { inventoryBalances(accountId: $a) { nodes { available } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.receipts": {`query($a: ID!) { receipts(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.receipt": {`query($id: ID!) { receipt(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.receipt} }},
	"Query.fulfilmentOrders": {`query($a: ID!) { fulfilmentOrders(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.fulfilmentOrder": {`query($id: ID!) { fulfilmentOrder(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.order} }},
	"Query.transfers": {`query($a: ID!) { transfers(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.transfer": {`query($id: ID!) { transfer(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.transfer} }},
	"Query.returns": {`query($a: ID!) { returns(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.return": {`query($id: ID!) { return(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.ret} }},
	"Query.usageRecords": {`query($a: ID!) { usageRecords(accountId: $a) { nodes { code } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.usageTotals": {`query($a: ID!) { usageTotals(accountId: $a, from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { code } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.inventoryValuation": {`query($a: ID!) { inventoryValuation(accountId: $a) { totals { amount } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.updateWarehouse": {`mutation($id: ID!) { updateWarehouse(input: {warehouseId: $id, name: "Mine", timezone: "UTC", kind: DOMESTIC, active: true,
		address: {line1: "1", city: "X", country: "CN"}}) { warehouse { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.warehouse} }},
	"Mutation.createSku": {`mutation($a: ID!) { createSku(input: {accountId: $a, code: "MOLE-1", name: "Mole", unitValue: {amount: "1.00", currencyCode: "EUR"}}) { sku { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.updateSku": {`mutation($id: ID!) { updateSku(input: {skuId: $id, name: "Taken", unitValue: {amount: "0.01", currencyCode: "EUR"}}) { sku { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.sku} }},
	"Mutation.createReceipt": {`mutation($a: ID!, $w: ID!, $s: ID!) { createReceipt(input: {accountId: $a, warehouseId: $w, lines: [{skuId: $s, quantity: 1}]}) { receipt { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any {
			return map[string]any{"a": f.home, "w": f.homeWarehouse, "s": f.sku}
		}},
	"Mutation.receiveReceipt": {`mutation($id: ID!, $s: ID!) { receiveReceipt(input: {receiptId: $id, lines: [{skuId: $s, received: 1}]}) { receipt { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.receipt, "s": f.sku} }},
	"Mutation.putawayReceipt": {`mutation($id: ID!) { putawayReceipt(input: {receiptId: $id}) { receipt { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.receipt} }},
	"Mutation.cancelReceipt": {`mutation($id: ID!) { cancelReceipt(input: {receiptId: $id}) { receipt { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.receipt} }},
	"Mutation.createFulfilmentOrders": {`mutation($a: ID!, $w: ID!, $s: ID!) { createFulfilmentOrders(input: {accountId: $a, orders: [{warehouseId: $w, idempotencyKey: "mole-bulk-1", serviceLevel: EXPRESS,
		lines: [{skuId: $s, quantity: 1}], shipTo: {name: "Mole", address: {line1: "1", city: "X", country: "US"}}}]}) { results { index fulfilmentOrder { id } userErrors { code field } } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any {
			return map[string]any{"a": f.home, "w": f.homeWarehouse, "s": f.sku}
		}},
	"Mutation.createFulfilmentOrder": {`mutation($a: ID!, $w: ID!, $s: ID!) { createFulfilmentOrder(input: {accountId: $a, warehouseId: $w, idempotencyKey: "mole-1", serviceLevel: EXPRESS,
		lines: [{skuId: $s, quantity: 1}], shipTo: {name: "Mole", address: {line1: "1", city: "X", country: "US"}}}) { fulfilmentOrder { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any {
			return map[string]any{"a": f.home, "w": f.homeWarehouse, "s": f.sku}
		}},
	"Mutation.pickFulfilmentOrder": {`mutation($id: ID!) { pickFulfilmentOrder(input: {orderId: $id}) { fulfilmentOrder { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.order} }},
	"Mutation.packFulfilmentOrder": {`mutation($id: ID!) { packFulfilmentOrder(input: {orderId: $id, packages: [{weightGrams: 1, lengthMm: 1, widthMm: 1, heightMm: 1}]}) { fulfilmentOrder { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.order} }},
	"Mutation.shipFulfilmentOrder": {`mutation($id: ID!) { shipFulfilmentOrder(input: {orderId: $id, carrier: "X", trackingNumber: "1"}) { fulfilmentOrder { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.order} }},
	"Mutation.deliverFulfilmentOrder": {`mutation($id: ID!) { deliverFulfilmentOrder(input: {orderId: $id}) { fulfilmentOrder { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.order} }},
	"Mutation.cancelFulfilmentOrder": {`mutation($id: ID!) { cancelFulfilmentOrder(input: {orderId: $id}) { fulfilmentOrder { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.order} }},
	"Mutation.createTransfer": {`mutation($a: ID!, $w: ID!, $s: ID!) { createTransfer(input: {accountId: $a, fromWarehouseId: $w, toWarehouseId: $w, lines: [{skuId: $s, quantity: 1}]}) { transfer { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any {
			return map[string]any{"a": f.account, "w": f.homeWarehouse, "s": f.sku}
		}},
	"Mutation.receiveTransfer": {`mutation($id: ID!) { receiveTransfer(input: {transferId: $id}) { transfer { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.transfer} }},
	"Mutation.createReturn": {`mutation($a: ID!, $w: ID!, $o: ID!, $s: ID!) { createReturn(input: {accountId: $a, warehouseId: $w, orderId: $o, lines: [{skuId: $s, quantity: 1}]}) { return { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any {
			return map[string]any{"a": f.home, "w": f.homeWarehouse, "o": f.order, "s": f.sku}
		}},
	"Mutation.receiveReturn": {`mutation($id: ID!) { receiveReturn(input: {returnId: $id, quantities: [1]}) { return { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.ret} }},
	"Mutation.resolveReturn": {`mutation($id: ID!) { resolveReturn(input: {returnId: $id, disposition: RESTOCK}) { return { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.ret} }},
	"Mutation.adjustInventory": {`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: -1, reason: LOST}) { inventoryBalance { available } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"s": f.sku, "w": f.homeWarehouse} }},
	"Mutation.countInventory": {`mutation($s: ID!, $w: ID!) { countInventory(input: {skuId: $s, warehouseId: $w, counted: 0}) { inventoryBalance { available } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"s": f.sku, "w": f.homeWarehouse} }},
}

// integrationTenancyCases probe the webhooks and events fields that take an id.
var integrationTenancyCases = map[string]tenancyCase{
	"Query.events": {`query($a: ID!) { events(accountId: $a) { nodes { id type data } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.webhookSubscriptions": {`query($a: ID!) { webhookSubscriptions(accountId: $a) { nodes { id url } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.webhookSubscription": {`query($id: ID!) { webhookSubscription(id: $id) { id url deliveries { nodes { id payload } } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.webhook} }},
	"Mutation.createWebhookSubscription": {`mutation($a: ID!) { createWebhookSubscription(input: {accountId: $a, url: "http://127.0.0.1:9/mole", eventTypes: ["*"]}) { webhookSubscription { id } secret userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.updateWebhookSubscription": {`mutation($id: ID!) { updateWebhookSubscription(input: {subscriptionId: $id, url: "http://127.0.0.1:9/taken", active: false}) { webhookSubscription { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.webhook} }},
	"Mutation.rotateWebhookSecret": {`mutation($id: ID!) { rotateWebhookSecret(input: {subscriptionId: $id}) { webhookSubscription { id } secret userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.webhook} }},
	"Mutation.deleteWebhookSubscription": {`mutation($id: ID!) { deleteWebhookSubscription(input: {subscriptionId: $id}) { deletedWebhookSubscriptionId userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.webhook} }},
	"Mutation.redeliverWebhookDelivery": {`mutation($id: ID!) { redeliverWebhookDelivery(input: {deliveryId: $id}) { webhookDelivery { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.delivery} }},
}

// kesslerFixtures makes or finds Kessler's warehousing objects, an inactive warehouse, and a
// webhook subscription of Kessler's with a delivery (of the transfer and return made here).
func kesslerFixtures(t *testing.T, w world, kessler *client, f *foreignIDs) {
	t.Helper()
	r0 := kessler.do(`mutation($a: ID!) { createWebhookSubscription(input: {accountId: $a, url: "http://127.0.0.1:9/kessler", eventTypes: ["*"]}) {
		webhookSubscription { id } userErrors { code } } }`, map[string]any{"a": w.kessler})
	f.webhook = r0.str("createWebhookSubscription", "webhookSubscription", "id")
	vars := map[string]any{"a": w.kessler}
	r := kessler.do(`query($a: ID!) { skus(accountId: $a) { nodes { id } } receipts(accountId: $a) { nodes { id } }
		fulfilmentOrders(accountId: $a) { nodes { id } } }`, vars)
	first := func(keys ...string) string {
		nodes, _ := r.path(keys...).([]any)
		if len(nodes) == 0 {
			return ""
		}
		return nodes[0].(map[string]any)["id"].(string)
	}
	f.sku, f.receipt, f.order = first("skus", "nodes"), first("receipts", "nodes"), first("fulfilmentOrders", "nodes")
	var rtm string
	r = kessler.do(`{ warehouses { nodes { id code } } }`, nil)
	for _, n := range r.path("warehouses", "nodes").([]any) {
		if m := n.(map[string]any); m["code"] == "RTM1" {
			rtm = m["id"].(string)
		}
	}
	r = kessler.do(`mutation($a: ID!, $from: ID!, $to: ID!, $s: ID!) { createTransfer(input: {accountId: $a, fromWarehouseId: $from, toWarehouseId: $to, lines: [{skuId: $s, quantity: 1}]}) { transfer { id } userErrors { code } } }`,
		map[string]any{"a": w.kessler, "from": rtm, "to": w.szx, "s": f.sku})
	f.transfer = r.str("createTransfer", "transfer", "id")
	r = kessler.do(`mutation($a: ID!, $w: ID!, $s: ID!) { createReturn(input: {accountId: $a, warehouseId: $w, lines: [{skuId: $s, quantity: 1}]}) { return { id } userErrors { code } } }`,
		map[string]any{"a": w.kessler, "w": rtm, "s": f.sku})
	f.ret = r.str("createReturn", "return", "id")
	r = w.admin.do(`mutation { createWarehouse(input: {code: "GHOST1", name: "Closed DC", timezone: "UTC", kind: DOMESTIC, active: false,
		address: {line1: "1", city: "Nowhere", country: "GB"}}) { warehouse { id } userErrors { code } } }`, nil)
	f.warehouse = r.str("createWarehouse", "warehouse", "id")
	for deadline := time.Now().Add(15 * time.Second); f.delivery == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r = kessler.do(`query($id: ID!) { webhookSubscription(id: $id) { deliveries(first: 1) { nodes { id } } } }`, map[string]any{"id": f.webhook})
		if nodes, _ := r.path("webhookSubscription", "deliveries", "nodes").([]any); len(nodes) > 0 {
			f.delivery = nodes[0].(map[string]any)["id"].(string)
		}
	}
	if f.sku == "" || f.receipt == "" || f.order == "" || f.transfer == "" || f.ret == "" || f.warehouse == "" || f.webhook == "" || f.delivery == "" {
		t.Fatalf("warehousing fixtures incomplete: %+v", f)
	}
}

var tenancyCases = map[string]tenancyCase{
	"Query.node": {`query($id: ID!) { node(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Query.nodes": {`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, func(f foreignIDs) map[string]any {
		return map[string]any{"ids": []string{f.account, f.apiKey, f.user, f.invitation, f.sku, f.receipt, f.order, f.transfer, f.ret, f.warehouse,
			f.webhook, f.delivery}}
	}},
	"Query.account": {`query($id: ID!) { account(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Query.partner": {`query($id: ID!) { partner(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.partner} }},
	"Query.auditLog": {`query($id: ID!) { auditLog(accountId: $id) { nodes { action } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.updateAccount": {`mutation($id: ID!) { updateAccount(input: {accountId: $id, legalName: "Taken Over"}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.setAccountStatus": {`mutation($id: ID!) { setAccountStatus(input: {accountId: $id, status: SUSPENDED, reason: "x"}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.assignAccountManager": {`mutation($a: ID!, $u: ID!) { assignAccountManager(input: {accountId: $a, userId: $u}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.unassignAccountManager": {`mutation($a: ID!, $u: ID!) { unassignAccountManager(input: {accountId: $a, userId: $u}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.inviteAccountMember": {`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "mole@brightlight.test", role: ADMIN}) { invitation { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.invitePartnerMember": {`mutation($id: ID!) { invitePartnerMember(input: {partnerId: $id, email: "mole@brightlight.test", role: PARTNER_ADMIN}) { invitation { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.partner} }},
	"Mutation.revokeInvitation": {`mutation($id: ID!) { revokeInvitation(input: {invitationId: $id}) { invitation { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.invitation} }},
	"Mutation.changeMemberRole": {`mutation($a: ID!, $u: ID!) { changeMemberRole(input: {accountId: $a, userId: $u, role: VIEWER}) { membership { role } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.removeMember": {`mutation($a: ID!, $u: ID!) { removeMember(input: {accountId: $a, userId: $u}) { removedUserId userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.grantPartnerConsent": {`mutation($a: ID!, $p: ID!) { grantPartnerConsent(input: {accountId: $a, partnerId: $p}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "p": f.partner} }},
	"Mutation.revokePartnerConsent": {`mutation($a: ID!, $p: ID!) { revokePartnerConsent(input: {accountId: $a, partnerId: $p}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "p": f.partner} }},
	"Mutation.createApiKey": {`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "mole", role: ADMIN}) { apiKey { id } secret userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.revokeApiKey": {`mutation($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.apiKey} }},
}

var requestIDField = regexp.MustCompile(`"requestId":"[^"]*"`)

// costExtension is the caller's throttle status, which moves between any two requests.
var costExtension = regexp.MustCompile(`,?"extensions":\{"cost":\{[^{}]*"throttleStatus":\{[^{}]*\}\}\}`)

func comparable(raw []byte) []byte {
	return costExtension.ReplaceAll(requestIDField.ReplaceAll(raw, nil), nil)
}

// No id-taking field lets Brightlight's owner read or change another tenant's data, and a
// foreign id answers byte for byte like an id that exists nowhere.
func TestForeignIDsAnswerLikeMissingOnes(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)

	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	r := kessler.do(`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "temp@kessler-outdoor.test", role: VIEWER}) { invitation { id } } }`, map[string]any{"id": w.kessler})
	inv := r.str("inviteAccountMember", "invitation", "id")
	r = kessler.do(`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "shop", role: OPERATOR}) { apiKey { id } } }`, map[string]any{"id": w.kessler})
	key := r.str("createApiKey", "apiKey", "id")
	foreign := foreignIDs{account: w.kessler, user: w.kesslerOwner, invitation: inv, apiKey: key, partner: w.otherPartner,
		home: w.brightlight, homeWarehouse: w.szx}
	if inv == "" || key == "" {
		t.Fatalf("foreign fixtures: invitation %q key %q", inv, key)
	}
	kesslerFixtures(t, w, kessler, &foreign)
	kesslerTransportFixtures(t, w, kessler, &foreign)
	kesslerBulkFixtures(t, w, kessler, &foreign)
	kesslerProcurementFixtures(t, w, kessler, &foreign)
	kesslerFinancingFixtures(t, w, kessler, &foreign)
	kesslerBillingFixtures(t, w, &foreign)
	missingFor := func() foreignIDs {
		m := missingIDs()
		m.home, m.homeWarehouse = w.brightlight, w.szx
		return m
	}

	fields := idTakingFields(t)
	owner := signIn(t, base, "owner@brightlight.test")
	newKey := func(role string) string {
		r := owner.do(`mutation($id: ID!, $n: String!, $r: AccountRole!) { createApiKey(input: {accountId: $id, name: $n, role: $r}) { apiKey { id } secret userErrors { code } } }`,
			map[string]any{"id": w.brightlight, "n": "tenancy " + role, "r": role})
		if r.str("createApiKey", "secret") == "" {
			t.Fatalf("API key %s: %s", role, r.Raw)
		}
		return r.str("createApiKey", "secret")
	}
	adminKey, viewerKey, revokedKey := newKey("ADMIN"), newKey("VIEWER"), newKey("OPERATOR")

	// The foreign callers of issue #12, each run over every field in turn (not in parallel: a
	// case passes when the whole store is unchanged, which another caller's request would
	// blur). Revocations happen right before their caller runs, after the callers they would
	// disturb.
	callers := []struct {
		name  string
		setup func() *client
		// may lists the fields whose foreign object this caller may read by the permission
		// matrix (not a tenant's object): they are not attempts.
		may map[string]bool
	}{
		{"Brightlight OWNER (session)", func() *client { return owner }, nil},
		{"Brightlight ADMIN (API key)", func() *client { return withKey(t, base, adminKey) }, nil},
		{"Brightlight VIEWER (API key)", func() *client { return withKey(t, base, viewerKey) }, nil},
		// Staff read the partner directory (matrix: partners read), so Query.partner is not
		// a cross-tenant read for them.
		{"ACCOUNT_MANAGER not assigned to Kessler (am.weber)", func() *client { return signIn(t, base, "am.weber@tradehub.test") },
			map[string]bool{"Query.partner": true}},
		{"revoked API key (Brightlight OPERATOR)", func() *client {
			c := withKey(t, base, revokedKey)
			r := owner.do(`query($id: ID!) { account(id: $id) { apiKeys(first: 100) { nodes { id name } } } }`, map[string]any{"id": w.brightlight})
			for _, n := range r.path("account", "apiKeys", "nodes").([]any) {
				if m := n.(map[string]any); m["name"] == "tenancy OPERATOR" {
					rr := owner.do(`mutation($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { userErrors { code } } }`, map[string]any{"id": m["id"]})
					if !rr.ok("revokeApiKey") {
						t.Fatalf("revoke the key: %s", rr.Raw)
					}
				}
			}
			if r := c.do(`{ viewer { authenticated } }`, nil); r.path("viewer", "authenticated") == true {
				t.Fatalf("the revoked key still works: %s", r.Raw)
			}
			return c
		}, nil},
		{"revoked user (Brightlight OPERATOR removed)", func() *client {
			c := signIn(t, base, "operator@brightlight.test")
			me := c.do(`{ viewer { user { id } } }`, nil).str("viewer", "user", "id")
			r := owner.do(`mutation($a: ID!, $u: ID!) { removeMember(input: {accountId: $a, userId: $u}) { removedUserId userErrors { code } } }`,
				map[string]any{"a": w.brightlight, "u": me})
			if me == "" || !r.ok("removeMember") {
				t.Fatalf("remove the operator %q: %s", me, r.Raw)
			}
			return c
		}, nil},
		{"partner whose consent Kessler revoked (Harbor analyst)", func() *client {
			r := kessler.do(`mutation($a: ID!, $p: ID!) { revokePartnerConsent(input: {accountId: $a, partnerId: $p}) { userErrors { code field message } } }`,
				map[string]any{"a": w.kessler, "p": w.harbor})
			if !r.ok("revokePartnerConsent") {
				t.Fatalf("Kessler revokes Harbor's consent: %s", r.Raw)
			}
			return signIn(t, base, "analyst@harborfinance.test")
		},
			// This case offers Harbor's own product to Brightlight, which consents to Harbor:
			// nothing in it is foreign to Harbor.
			map[string]bool{"Mutation.createCreditFacility": true}},
	}
	totalAttempts, totalSucceeded := 0, 0
	for _, who := range callers {
		caller := who.setup()
		attempts, succeeded := 0, 0
		// Each attempt's "after" is the next one's "before": a snapshot counts every
		// collection, and taking two per attempt was most of this test's time. (The
		// missing-id call in between must write nothing either.)
		before := snapshot(t, a)
		for _, field := range fields {
			c, ok := tenancyCaseFor(field)
			if !ok {
				c, ok = portalTenancyCases[field]
			}
			if !ok {
				if who.name == callers[0].name {
					t.Errorf("%s takes an id but has no tenancy case: add one to tenancyCases", field)
				}
				continue
			}
			if who.may[field] {
				continue
			}
			got := caller.do(c.query, c.vars(foreign))
			missing := caller.do(c.query, c.vars(missingFor()))
			after := snapshot(t, a)
			attempts++
			if before != after {
				succeeded++
				t.Errorf("%s: %s with a foreign or a missing id changed the store", who.name, field)
			}
			before = after
			if testing.Verbose() {
				t.Logf("%s: %s: %s", who.name, field, comparable(got.Raw))
			}
			g := comparable(got.Raw)
			m := comparable(missing.Raw)
			if !bytes.Equal(g, m) || got.Status != missing.Status {
				succeeded++
				t.Errorf("%s: %s: a foreign id answers differently from a missing one:\n foreign %d %s\n missing %d %s", who.name, field, got.Status, g, missing.Status, m)
			}
		}
		t.Logf("tenancy as %s: %d attempts, %d succeeded", who.name, attempts, succeeded)
		totalAttempts += attempts
		totalSucceeded += succeeded
	}
	t.Logf("tenancy: %d id-taking fields, %d callers, %d attempts, %d succeeded", len(fields), len(callers), totalAttempts, totalSucceeded)
}

// allTenancyCases are the cases of every domain; a field appears in exactly one of them.
var allTenancyCases = []map[string]tenancyCase{tenancyCases, warehousingTenancyCases, integrationTenancyCases,
	transportTenancyCases, opsTenancyCases, bulkTenancyCases, procurementTenancyCases, financingTenancyCases,
	billingTenancyCases}

func tenancyCaseFor(field string) (tenancyCase, bool) {
	for _, cases := range allTenancyCases {
		if c, ok := cases[field]; ok {
			return c, true
		}
	}
	return tenancyCase{}, false
}
