package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/tradehub/tradehub/services/access"
)

// opsCells exercise the operations resources of the matrix. The limits set are the tests'
// never-empty bucket, so the cells after this one are not throttled.
var opsCells = []cell{
	{access.CostLimits, access.Write, platformDomain, mutationCell("setCostLimits",
		`mutation($a: ID!) { setCostLimits(input: {accountId: $a, bucketSize: 10000000, restoreRate: 10000}) { costLimits { bucketSize } userErrors { code } } }`,
		func(w world, _ int) map[string]any { return map[string]any{"a": w.brightlight} })},
}

// opsTenancyCases probe the operations fields that take an id.
var opsTenancyCases = map[string]tenancyCase{
	"Query.costLimits": {`query($a: ID!) { costLimits(accountId: $a) { bucketSize custom } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.setCostLimits": {`mutation($a: ID!) { setCostLimits(input: {accountId: $a, bucketSize: 100, restoreRate: 1}) { costLimits { bucketSize } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
}

// throttleStatus is extensions.cost.throttleStatus of a response.
func throttleStatus(t *testing.T, r response) map[string]any {
	t.Helper()
	var ext struct {
		Extensions struct {
			Cost struct {
				ThrottleStatus map[string]any `json:"throttleStatus"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(r.Raw, &ext); err != nil || ext.Extensions.Cost.ThrottleStatus == nil {
		t.Fatalf("no throttle status: %s", r.Raw)
	}
	return ext.Extensions.Cost.ThrottleStatus
}

// A platform admin gives Brightlight a bucket of its own: its people and API keys get it, in
// extensions.cost, at once; other accounts keep the server's; taking it away restores those.
func TestPerAccountCostLimits(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	r := owner.do(`mutation($a: ID!) { createApiKey(input: {accountId: $a, name: "shop", role: OPERATOR}) { secret } }`, inBrightlightAccount(w))
	key := withKey(t, base, r.str("createApiKey", "secret"))
	probe := `query($a: ID!) { account(id: $a) { id } }`

	const set = `mutation($a: ID!, $b: Int, $r: Int) { setCostLimits(input: {accountId: $a, bucketSize: $b, restoreRate: $r}) { costLimits { accountId bucketSize restoreRate custom updatedAt } userErrors { code field } } }`
	// Refusals write nothing and say which field.
	for _, bad := range []struct {
		b, r  any
		field string
	}{{50, 10, "bucketSize"}, {5000, 6000, "restoreRate"}, {5000, nil, "restoreRate"}, {nil, 10, "bucketSize"}, {5000, 0, "restoreRate"}} {
		r := w.admin.do(set, map[string]any{"a": w.brightlight, "b": bad.b, "r": bad.r})
		ue, _ := r.path("setCostLimits", "userErrors").([]any)
		if len(ue) != 1 || !slices.Equal(toStrings(ue[0].(map[string]any)["field"]), []string{"input", bad.field}) {
			t.Errorf("%v/%v: %s", bad.b, bad.r, r.Raw)
		}
	}
	if r := owner.do(set, map[string]any{"a": w.brightlight, "b": 5000, "r": 100}); r.path("setCostLimits", "costLimits") != nil || !slices.Contains(r.codes("setCostLimits"), "NOT_FOUND") {
		t.Errorf("an owner set the limits: %s", r.Raw)
	}

	r = w.admin.do(set, map[string]any{"a": w.brightlight, "b": 5000, "r": 100})
	if !r.ok("setCostLimits") || r.path("setCostLimits", "costLimits", "custom") != true {
		t.Fatalf("set: %s", r.Raw)
	}
	for name, c := range map[string]*client{"owner": owner, "apiKey": key} {
		st := throttleStatus(t, c.do(probe, inBrightlightAccount(w)))
		if st["maximumAvailable"] != float64(5000) || st["restoreRate"] != float64(100) {
			t.Errorf("%s: %v", name, st)
		}
	}
	if st := throttleStatus(t, kessler.do(probe, map[string]any{"a": w.kessler})); st["maximumAvailable"] != float64(10000000) {
		t.Errorf("another account: %v", st)
	}
	r = owner.do(`query($a: ID!) { costLimits(accountId: $a) { bucketSize restoreRate custom } }`, inBrightlightAccount(w))
	if r.path("costLimits", "bucketSize") != float64(5000) || r.path("costLimits", "custom") != true {
		t.Errorf("costLimits: %s", r.Raw)
	}

	r = w.admin.do(set, map[string]any{"a": w.brightlight})
	if !r.ok("setCostLimits") || r.path("setCostLimits", "costLimits", "custom") != false || r.path("setCostLimits", "costLimits", "bucketSize") != float64(10000000) {
		t.Fatalf("reset: %s", r.Raw)
	}
	if st := throttleStatus(t, owner.do(probe, inBrightlightAccount(w))); st["maximumAvailable"] != float64(10000000) {
		t.Errorf("after the reset: %v", st)
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
