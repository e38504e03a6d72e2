package main

import (
	"slices"
	"testing"
)

func TestPreferencesAreRememberedOnTheUser(t *testing.T) {
	_, base := demoApp(t)
	const update = `mutation($in: UpdateMyPreferencesInput!) { updateMyPreferences(input: $in) { preferences { locale timeZone } userErrors { code field } } }`
	const read = `{ viewer { preferences { locale timeZone availableLocales } memberships { account { timeZone country } } } }`

	owner := signIn(t, base, "owner@brightlight.test")
	r := owner.do(read, nil)
	if r.path("viewer", "preferences", "locale") != nil || r.path("viewer", "preferences", "timeZone") != nil {
		t.Fatalf("fresh user has preferences: %s", r.Raw)
	}
	if got := r.path("viewer", "preferences", "availableLocales"); !slices.Equal(anyStrings(got), []string{"en", "zh-CN"}) {
		t.Fatalf("availableLocales %v", got)
	}
	// The account's zone follows its country until someone sets one.
	if tz := r.path("viewer", "memberships").([]any)[0].(map[string]any)["account"].(map[string]any)["timeZone"]; tz != "Asia/Shanghai" {
		t.Fatalf("Brightlight (CN) zone %v", tz)
	}

	r = owner.do(update, map[string]any{"in": map[string]any{"locale": "zh-CN", "timeZone": "Asia/Hong_Kong"}})
	if !r.ok("updateMyPreferences") || r.str("updateMyPreferences", "preferences", "locale") != "zh-CN" {
		t.Fatalf("update: %s", r.Raw)
	}
	// A new session (another browser) sees the same choice.
	again := signIn(t, base, "owner@brightlight.test")
	r = again.do(read, nil)
	if r.str("viewer", "preferences", "locale") != "zh-CN" || r.str("viewer", "preferences", "timeZone") != "Asia/Hong_Kong" {
		t.Fatalf("not remembered: %s", r.Raw)
	}
	// Someone else's preferences are their own.
	if r := signIn(t, base, "admin@brightlight.test").do(read, nil); r.path("viewer", "preferences", "locale") != nil {
		t.Fatalf("leaked to another user: %s", r.Raw)
	}

	for name, in := range map[string]map[string]any{
		"unknown locale":    {"locale": "fr"},
		"not a zone":        {"timeZone": "Mars/Olympus"},
		"the server's zone": {"timeZone": "Local"},
	} {
		r := owner.do(update, map[string]any{"in": in})
		codes := r.codes("updateMyPreferences")
		if len(codes) != 1 || codes[0] != "INVALID" {
			t.Fatalf("%s: %s", name, r.Raw)
		}
		field := r.path("updateMyPreferences", "userErrors").([]any)[0].(map[string]any)["field"]
		if len(anyStrings(field)) != 2 {
			t.Fatalf("%s: field %v", name, field)
		}
	}
	// The refused changes wrote nothing; an empty string clears.
	r = owner.do(update, map[string]any{"in": map[string]any{"timeZone": ""}})
	if r.str("updateMyPreferences", "preferences", "locale") != "zh-CN" || r.path("updateMyPreferences", "preferences", "timeZone") != nil {
		t.Fatalf("clear: %s", r.Raw)
	}

	// An API key is a program, not a person: no preferences, and it cannot set any.
	key := owner.do(`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "prefs", role: VIEWER}) { secret } }`,
		map[string]any{"id": loadWorld(t, base).brightlight}).str("createApiKey", "secret")
	k := withKey(t, base, key)
	if r := k.do(read, nil); r.path("viewer", "preferences") != nil {
		t.Fatalf("API key preferences: %s", r.Raw)
	}
	if codes := k.do(update, map[string]any{"in": map[string]any{"locale": "en"}}).codes("updateMyPreferences"); !slices.Contains(codes, "UNAUTHENTICATED") {
		t.Fatalf("API key update: %v", codes)
	}
	if codes := anonymous(t, base).do(update, map[string]any{"in": map[string]any{"locale": "en"}}).codes("updateMyPreferences"); !slices.Contains(codes, "UNAUTHENTICATED") {
		t.Fatalf("anonymous update: %v", codes)
	}
}

func TestAccountTimeZoneCanBeSet(t *testing.T) {
	_, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@kessler-outdoor.test")
	const q = `mutation($in: UpdateAccountInput!) { updateAccount(input: $in) { account { timeZone } userErrors { code field } } }`
	r := owner.do(`query($id: ID!) { account(id: $id) { timeZone } }`, map[string]any{"id": w.kessler})
	if r.str("account", "timeZone") != "Europe/Berlin" {
		t.Fatalf("default: %s", r.Raw)
	}
	if r := owner.do(q, map[string]any{"in": map[string]any{"accountId": w.kessler, "timeZone": "Nowhere/City"}}); !slices.Equal(r.codes("updateAccount"), []string{"INVALID"}) {
		t.Fatalf("bad zone: %s", r.Raw)
	}
	if r := owner.do(q, map[string]any{"in": map[string]any{"accountId": w.kessler, "timeZone": "Europe/Vienna"}}); r.str("updateAccount", "account", "timeZone") != "Europe/Vienna" {
		t.Fatalf("set: %s", r.Raw)
	}
	if r := owner.do(q, map[string]any{"in": map[string]any{"accountId": w.kessler, "timeZone": ""}}); r.str("updateAccount", "account", "timeZone") != "Europe/Berlin" {
		t.Fatalf("back to default: %s", r.Raw)
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
