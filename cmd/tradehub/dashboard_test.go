package main

import (
	"testing"
)

// portalTenancyCases probe the dashboard aggregates that take an id.
var portalTenancyCases = map[string]tenancyCase{
	"Query.shipmentStats": {`query($a: ID!) { shipmentStats(accountId: $a) { byStatus { status count } weeks { weekStart } lanes { origin } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Query.spendByMonth": {`query($a: ID!) { spendByMonth(accountId: $a) { month category amount { amount currencyCode } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
}

func TestShipmentStatsOverGraphQL(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	const q = `query($a: ID!, $w: Int) { shipmentStats(accountId: $a, weeks: $w) { byStatus { status count } weeks { weekStart counts { status count } } lanes { origin destination shipments } } }`

	r := signIn(t, base, "viewer@brightlight.test").do(q, map[string]any{"a": w.brightlight, "w": 12})
	if len(r.Errors) > 0 {
		t.Fatalf("viewer: %s", r.Raw)
	}
	total := 0
	for _, c := range r.path("shipmentStats", "byStatus").([]any) {
		total += int(c.(map[string]any)["count"].(float64))
	}
	listed := len(signIn(t, base, "owner@brightlight.test").do(`query($a: ID!) { shipments(accountId: $a, first: 100) { nodes { id } } }`,
		map[string]any{"a": w.brightlight}).path("shipments", "nodes").([]any))
	if total != listed {
		t.Fatalf("byStatus sums to %d, the list has %d", total, listed)
	}
	if n := len(r.path("shipmentStats", "weeks").([]any)); n != 12 {
		t.Fatalf("%d weeks, want 12", n)
	}

	// The account's manager reads it; a seller of another account, an outsider partner and a
	// bad window do not.
	if r := signIn(t, base, "am.lin@tradehub.test").do(q, map[string]any{"a": w.brightlight}); len(r.Errors) > 0 {
		t.Fatalf("account manager: %s", r.Raw)
	}
	for who, want := range map[string]string{"owner@kessler-outdoor.test": "NOT_FOUND", "am.weber@tradehub.test": "NOT_FOUND",
		"partner.admin@harborfinance.test": "NOT_FOUND"} {
		if codes := signIn(t, base, who).do(q, map[string]any{"a": w.brightlight}).codes("shipmentStats"); len(codes) == 0 || codes[0] != want {
			t.Fatalf("%s: %v", who, codes)
		}
	}
	if codes := signIn(t, base, "owner@brightlight.test").do(q, map[string]any{"a": w.brightlight, "w": 0}).codes("shipmentStats"); len(codes) == 0 || codes[0] != "BAD_USER_INPUT" {
		t.Fatalf("weeks 0: %v", codes)
	}
}

func TestSpendByMonthOverGraphQL(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	const q = `query($a: ID!, $m: Int) { spendByMonth(accountId: $a, months: $m) { month category amount { amount currencyCode } } }`
	owner := signIn(t, base, "owner@brightlight.test")
	r := owner.do(q, map[string]any{"a": w.brightlight, "m": 12})
	if len(r.Errors) > 0 {
		t.Fatalf("owner: %s", r.Raw)
	}
	prev := ""
	for _, l := range r.path("spendByMonth").([]any) {
		m := l.(map[string]any)["month"].(string)
		if m < prev {
			t.Fatalf("months out of order: %s", r.Raw)
		}
		prev = m
	}
	if codes := signIn(t, base, "owner@kessler-outdoor.test").do(q, map[string]any{"a": w.brightlight}).codes("spendByMonth"); len(codes) == 0 || codes[0] != "NOT_FOUND" {
		t.Fatalf("another seller: %v", codes)
	}
	if codes := owner.do(q, map[string]any{"a": w.brightlight, "m": 13}).codes("spendByMonth"); len(codes) == 0 || codes[0] != "BAD_USER_INPUT" {
		t.Fatalf("13 months: %v", codes)
	}
}

func TestAccountHealthForTheConsole(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	lin := signIn(t, base, "am.lin@tradehub.test")
	r := lin.do(`{ accounts(first: 10) { nodes { id health { shipmentExceptions lowStockBalances overdueInvoices atRiskLoans } } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("health: %s", r.Raw)
	}
	seen := map[string]bool{}
	for _, n := range r.path("accounts", "nodes").([]any) {
		a := n.(map[string]any)
		id := a["id"].(string)
		seen[id] = true
		h := a["health"].(map[string]any)
		low := lin.do(`query($a: ID!) { inventoryBalances(accountId: $a, filter: {lowStock: true}, first: 100) { nodes { available } } }`,
			map[string]any{"a": id}).path("inventoryBalances", "nodes").([]any)
		if h["lowStockBalances"] == nil || int(h["lowStockBalances"].(float64)) != len(low) {
			t.Fatalf("%s: lowStockBalances %v, the list has %d", id, h["lowStockBalances"], len(low))
		}
		if h["shipmentExceptions"] == nil {
			t.Fatalf("%s: shipmentExceptions null for its manager", id)
		}
		// The demo starts with nothing invoiced and no loan in trouble.
		if h["overdueInvoices"] != float64(0) || h["atRiskLoans"] != float64(0) {
			t.Fatalf("%s: overdueInvoices %v, atRiskLoans %v, want 0 and 0", id, h["overdueInvoices"], h["atRiskLoans"])
		}
	}
	if !seen[w.brightlight] || !seen[w.kessler] || seen[w.maple] {
		t.Fatalf("am.lin's book: %v", seen)
	}
}
