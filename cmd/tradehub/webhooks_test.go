package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/services/webhooks"
)

// received is one POST a test receiver got, and what it answered.
type received struct {
	webhookID, eventID, eventType, attempt, signature string
	body                                              []byte
	status                                            int
}

// receiver is a seller platform's endpoint: it records every POST and answers 503 while it is
// told to fail, 204 otherwise.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []received
	fail int // how many of the next requests get 503
	seen chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{seen: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{webhookID: r.Header.Get(webhooks.HeaderWebhookID), eventID: r.Header.Get(webhooks.HeaderEventID),
			eventType: r.Header.Get(webhooks.HeaderEventType), attempt: r.Header.Get(webhooks.HeaderAttempt),
			signature: r.Header.Get(webhooks.HeaderSignature), body: body, status: http.StatusNoContent}
		rc.mu.Lock()
		if rc.fail > 0 {
			rc.fail--
			rec.status = http.StatusServiceUnavailable
		}
		rc.got = append(rc.got, rec)
		rc.mu.Unlock()
		if rec.status != http.StatusNoContent {
			http.Error(w, "down for maintenance", rec.status)
		} else {
			w.WriteHeader(rec.status)
		}
		rc.seen <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) failNext(n int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.fail = n
}

// next waits for the next POST.
func (rc *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case <-rc.seen:
	case <-time.After(15 * time.Second):
		t.Fatal("no webhook arrived within 15 s")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.got[len(rc.got)-1]
}

// of lists the POSTs of one delivery.
func (rc *receiver) of(webhookID string) []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, r := range rc.got {
		if r.webhookID == webhookID {
			out = append(out, r)
		}
	}
	return out
}

const deliveryFields = `id status attemptCount eventId eventType eventSeq payload nextAttemptAt lastResponseStatusCode lastError
	attempts { attemptNumber manual url responseStatusCode latencyMs succeeded error requestHeaders { name value } }`

// waitDelivery polls a delivery through node(id:) until ok accepts it.
func waitDelivery(t *testing.T, c *client, id string, ok func(d map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := c.do(`query($id: ID!) { node(id: $id) { ... on WebhookDelivery { `+deliveryFields+` } } }`, map[string]any{"id": id})
		d, _ := r.path("node").(map[string]any)
		if d != nil && ok(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s did not get there: %s", id, r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func attemptsOf(d map[string]any) []map[string]any {
	var out []map[string]any
	for _, a := range d["attempts"].([]any) {
		out = append(out, a.(map[string]any))
	}
	return out
}

// The flow through the real HTTP handler as Brightlight's owner: register a webhook to a
// local receiver, change stock, get a signed delivery and see it in the log; a receiver that
// fails three times and then succeeds acknowledges the event once; a redelivery; the events
// feed in order after a cursor; another tenant sees none of it.
func TestWebhooksEndToEnd(t *testing.T) {
	clk := &shiftedClock{}
	a, base, _ := startApp(t, appOptions{clock: clk})
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	rc := newReceiver(t)
	mustOK := func(name string, r response) {
		t.Helper()
		if !r.ok(name) || r.path(name) == nil {
			t.Fatalf("%s: %s", name, r.Raw)
		}
	}

	r := owner.do(`{ webhookEventTypes }`, nil)
	var catalogue []string
	for _, v := range r.path("webhookEventTypes").([]any) {
		catalogue = append(catalogue, v.(string))
	}
	for _, want := range []string{"sku.created", "inventory.adjusted", "order.status_changed", webhooks.EventSubscriptionDisabled} {
		if !slices.Contains(catalogue, want) {
			t.Errorf("webhookEventTypes lacks %s: %v", want, catalogue)
		}
	}

	// Bad registrations are refused with the reason and the field, and store nothing.
	create := `mutation($a: ID!, $u: String!, $types: [String!]!) { createWebhookSubscription(input: {accountId: $a, url: $u, eventTypes: $types, description: "shop"}) {
		webhookSubscription { id url eventTypes active health secretHint } secret userErrors { code field message } } }`
	before := snapshot(t, a)
	for _, c := range []struct {
		url   string
		types []string
		want  string
	}{
		{"ftp://example.com/hook", []string{"sku.created"}, "INVALID_URL input,url"},
		{"https://user:pw@example.com/hook", []string{"sku.created"}, "INVALID_URL input,url"},
		{rc.srv.URL, []string{"sku.deleted"}, "UNKNOWN_EVENT_TYPE input,eventTypes,0"},
		{rc.srv.URL, []string{"*", "sku.created"}, "INVALID input,eventTypes,0"},
		{rc.srv.URL, []string{}, "INVALID input,eventTypes"},
	} {
		r := owner.do(create, map[string]any{"a": w.brightlight, "u": c.url, "types": c.types})
		ue, _ := r.path("createWebhookSubscription", "userErrors").([]any)
		got := ""
		if len(ue) == 1 {
			e := ue[0].(map[string]any)
			var field []string
			for _, f := range e["field"].([]any) {
				field = append(field, f.(string))
			}
			got = e["code"].(string) + " " + strings.Join(field, ",")
		}
		if got != c.want || r.path("createWebhookSubscription", "secret") != nil {
			t.Errorf("create %s %v: got %q, want %q (%s)", c.url, c.types, got, c.want, r.Raw)
		}
	}
	if after := snapshot(t, a); after != before {
		t.Errorf("refused registrations changed the store:\n before %s\n after  %s", before, after)
	}

	// Register: the secret comes once; reads show only its hint.
	r = owner.do(create, map[string]any{"a": w.brightlight, "u": rc.srv.URL + "/hooks", "types": []string{"sku.created", "inventory.adjusted"}})
	mustOK("createWebhookSubscription", r)
	secret := r.str("createWebhookSubscription", "secret")
	sub := r.str("createWebhookSubscription", "webhookSubscription", "id")
	if !strings.HasPrefix(secret, webhooks.SecretPrefix) || !strings.HasPrefix(sub, "whk_") ||
		r.path("createWebhookSubscription", "webhookSubscription", "health") != "HEALTHY" {
		t.Fatalf("create: %s", r.Raw)
	}
	hint := strings.TrimSuffix(r.str("createWebhookSubscription", "webhookSubscription", "secretHint"), "…")
	if !strings.HasPrefix(secret, hint) || len(hint) >= len(secret) {
		t.Errorf("secret hint %q of %q", hint, secret)
	}
	r = owner.do(`query($id: ID!) { webhookSubscription(id: $id) { id url secretHint } }`, map[string]any{"id": sub})
	if strings.Contains(string(r.Raw), secret) || r.str("webhookSubscription", "id") != sub {
		t.Errorf("read back: %s", r.Raw)
	}

	// A change in the warehouse reaches the receiver, signed.
	r = owner.do(`mutation($a: ID!) { createSku(input: {accountId: $a, code: "HOOK-1", name: "Hooked lamp", unitValue: {amount: "9.90", currencyCode: "CNY"}}) { sku { id } userErrors { code } } }`,
		map[string]any{"a": w.brightlight})
	mustOK("createSku", r)
	skuID := r.str("createSku", "sku", "id")
	got := rc.next(t)
	if err := webhooks.Verify(got.body, got.signature, secret, time.Now(), 0); err != nil {
		t.Errorf("signature does not verify: %v (%s)", err, got.signature)
	}
	if err := webhooks.Verify(got.body, got.signature, "whsec_guessed", time.Now(), 0); err == nil {
		t.Error("a wrong secret verifies")
	}
	var p webhooks.Payload
	if err := json.Unmarshal(got.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "sku.created" || p.ObjectID != skuID || p.AccountID != w.brightlight || p.ID != got.eventID ||
		got.eventType != "sku.created" || got.attempt != "1" || !strings.HasPrefix(got.webhookID, "dlv_") {
		t.Errorf("delivery: headers %+v, payload %+v", got, p)
	}

	// It is in the delivery log, with the request's headers (HMACs redacted) and the response.
	d := waitDelivery(t, owner, got.webhookID, func(d map[string]any) bool { return d["status"] == "SUCCEEDED" })
	at := attemptsOf(d)
	if len(at) != 1 || at[0]["attemptNumber"] != 1.0 || at[0]["responseStatusCode"] != 204.0 || at[0]["succeeded"] != true ||
		at[0]["manual"] != false || d["payload"] != string(got.body) || d["eventId"] != p.ID {
		t.Errorf("delivery log: %v", d)
	}
	headers := map[string]string{}
	for _, h := range at[0]["requestHeaders"].([]any) {
		m := h.(map[string]any)
		headers[m["name"].(string)] = m["value"].(string)
	}
	if headers[webhooks.HeaderWebhookID] != got.webhookID || !strings.Contains(headers[webhooks.HeaderSignature], "v1=[redacted]") ||
		strings.Contains(headers[webhooks.HeaderSignature], strings.Split(got.signature, "v1=")[1]) {
		t.Errorf("logged headers: %v", headers)
	}
	r = owner.do(`query($id: ID!) { webhookSubscription(id: $id) { deliveries(first: 10) { nodes { id status } pageInfo { hasNextPage } } } }`, map[string]any{"id": sub})
	if nodes, _ := r.path("webhookSubscription", "deliveries", "nodes").([]any); len(nodes) != 1 || nodes[0].(map[string]any)["id"] != got.webhookID {
		t.Errorf("deliveries: %s", r.Raw)
	}

	// A receiver that fails three times and then succeeds: retried with backoff (the test moves
	// the clock past each retry's ceiling), acknowledged once.
	rc.failNext(3)
	r = owner.do(`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 2, reason: FOUND}) { inventoryBalance { available } userErrors { code } } }`,
		stockVars(w, 0))
	mustOK("adjustInventory", r)
	first := rc.next(t)
	if first.status != http.StatusServiceUnavailable || first.eventType != "inventory.adjusted" {
		t.Fatalf("first attempt: %+v", first)
	}
	dlv := first.webhookID
	for i, ceiling := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		d := waitDelivery(t, owner, dlv, func(d map[string]any) bool { return d["attemptCount"] == float64(i+1) && d["lastError"] != nil })
		if d["status"] != "PENDING" || d["nextAttemptAt"] == nil || d["lastResponseStatusCode"] != 503.0 ||
			!strings.HasPrefix(d["lastError"].(string), "HTTP 503") {
			t.Fatalf("after failure %d: %v", i+1, d)
		}
		clk.Advance(ceiling + time.Second)
		if got := rc.next(t); got.webhookID != dlv || got.attempt != fmt.Sprint(i+2) {
			t.Fatalf("retry %d: %+v", i+1, got)
		}
	}
	d = waitDelivery(t, owner, dlv, func(d map[string]any) bool { return d["status"] == "SUCCEEDED" })
	at = attemptsOf(d)
	if len(at) != 4 || at[0]["attemptNumber"] != 4.0 || at[0]["succeeded"] != true || at[3]["succeeded"] != false ||
		at[3]["responseStatusCode"] != 503.0 || !strings.HasPrefix(at[3]["error"].(string), "HTTP 503: down for maintenance") {
		t.Errorf("log after the retries: %v", at)
	}
	acked := 0
	for _, got := range rc.of(dlv) {
		if got.status == http.StatusNoContent {
			acked++
		}
		if err := webhooks.Verify(got.body, got.signature, secret, clk.Now(), 0); err != nil {
			t.Errorf("attempt %s: %v", got.attempt, err)
		}
	}
	if acked != 1 || len(rc.of(dlv)) != 4 {
		t.Errorf("the event was acknowledged %d times in %d attempts, want once in 4", acked, len(rc.of(dlv)))
	}
	r = owner.do(`query($id: ID!) { webhookSubscription(id: $id) { health consecutiveFailures lastSuccessAt lastFailureAt } }`, map[string]any{"id": sub})
	if r.str("webhookSubscription", "health") != "HEALTHY" || r.path("webhookSubscription", "consecutiveFailures") != 0.0 {
		t.Errorf("health after recovery: %s", r.Raw)
	}

	// A manual redelivery sends the same delivery again, logged as manual.
	r = owner.do(`mutation($id: ID!) { redeliverWebhookDelivery(input: {deliveryId: $id}) { webhookDelivery { id status } userErrors { code } } }`,
		map[string]any{"id": got.webhookID})
	mustOK("redeliverWebhookDelivery", r)
	again := rc.next(t)
	if again.webhookID != got.webhookID || again.attempt != "2" || string(again.body) != string(got.body) {
		t.Errorf("redelivery: %+v", again)
	}
	d = waitDelivery(t, owner, got.webhookID, func(d map[string]any) bool { return d["status"] == "SUCCEEDED" && d["attemptCount"] == 2.0 })
	if at := attemptsOf(d); at[0]["manual"] != true || at[1]["manual"] != false {
		t.Errorf("redelivery log: %v", at)
	}

	// The events feed gives the same events in order, and goes on after a cursor.
	feed := `query($a: ID!, $after: String, $types: [String!], $first: Int) { events(accountId: $a, after: $after, types: $types, first: $first) {
		edges { cursor node { id type version objectId occurredAt seq data } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`
	types := []string{"sku.created", "inventory.adjusted"}
	var all []map[string]any
	var cursors []string
	var after any
	for page := 0; page < 50; page++ {
		r = owner.do(feed, map[string]any{"a": w.brightlight, "after": after, "types": types, "first": 7})
		edges, ok := r.path("events", "edges").([]any)
		if !ok {
			t.Fatalf("events: %s", r.Raw)
		}
		for _, e := range edges {
			all = append(all, e.(map[string]any)["node"].(map[string]any))
			cursors = append(cursors, e.(map[string]any)["cursor"].(string))
		}
		if r.path("events", "pageInfo", "hasNextPage") != true {
			break
		}
		after = r.str("events", "pageInfo", "endCursor")
	}
	byID := map[string]int{}
	for i, ev := range all {
		byID[ev["id"].(string)] = i
		if i > 0 && ev["seq"].(float64) <= all[i-1]["seq"].(float64) {
			t.Errorf("feed out of order at %d: %v after %v", i, ev["seq"], all[i-1]["seq"])
		}
		if !slices.Contains(types, ev["type"].(string)) {
			t.Errorf("type filter let %s through", ev["type"])
		}
	}
	i, ok := byID[p.ID]
	j, ok2 := byID[first.eventID]
	if !ok || !ok2 || j <= i {
		t.Fatalf("the delivered events are not in the feed in order: %d %v, %d %v", i, ok, j, ok2)
	}
	var fromHook webhooks.Payload
	_ = json.Unmarshal(first.body, &fromHook)
	data, _ := json.Marshal(all[j]["data"])
	if !jsonEqual(data, fromHook.Data) || all[j]["seq"] != float64(fromHook.Seq) {
		t.Errorf("feed and webhook disagree on %s: %s vs %s", first.eventID, data, fromHook.Data)
	}
	r = owner.do(feed, map[string]any{"a": w.brightlight, "after": cursors[i], "types": types, "first": 100})
	edges := r.path("events", "edges").([]any)
	if len(edges) != len(all)-i-1 || edges[0].(map[string]any)["node"].(map[string]any)["id"] != all[i+1]["id"] {
		t.Errorf("after the cursor of event %d: %d events, want %d", i, len(edges), len(all)-i-1)
	}
	r = owner.do(feed, map[string]any{"a": w.brightlight, "after": "garbage", "first": 1})
	if fmt.Sprint(r.codes("events")) != "[BAD_USER_INPUT]" {
		t.Errorf("bad cursor: %s", r.Raw)
	}

	// Another tenant's owner sees none of it: a foreign id answers like a missing one.
	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	r = kessler.do(`query($id: ID!) { webhookSubscription(id: $id) { id } node(id: $id) { id } }`, map[string]any{"id": sub})
	if r.path("webhookSubscription") != nil || r.path("node") != nil || len(r.Errors) > 0 {
		t.Errorf("Kessler reads Brightlight's subscription: %s", r.Raw)
	}
	r = kessler.do(`mutation($id: ID!) { redeliverWebhookDelivery(input: {deliveryId: $id}) { webhookDelivery { id } userErrors { code } } }`, map[string]any{"id": dlv})
	if fmt.Sprint(r.codes("redeliverWebhookDelivery")) != "[NOT_FOUND]" {
		t.Errorf("Kessler redelivers: %s", r.Raw)
	}
	r = kessler.do(feed, map[string]any{"a": w.brightlight, "first": 1})
	if fmt.Sprint(r.codes("events")) != "[NOT_FOUND]" {
		t.Errorf("Kessler reads Brightlight's feed: %s", r.Raw)
	}

	// Rotation: a new secret once; deliveries then carry both signatures for a day.
	r = owner.do(`mutation($id: ID!) { rotateWebhookSecret(input: {subscriptionId: $id}) { secret webhookSubscription { previousSecretExpiresAt } userErrors { code } } }`, map[string]any{"id": sub})
	mustOK("rotateWebhookSecret", r)
	newSecret := r.str("rotateWebhookSecret", "secret")
	if newSecret == secret || r.path("rotateWebhookSecret", "webhookSubscription", "previousSecretExpiresAt") == nil {
		t.Errorf("rotate: %s", r.Raw)
	}
	r = owner.do(`mutation($id: ID!) { redeliverWebhookDelivery(input: {deliveryId: $id}) { userErrors { code } } }`, map[string]any{"id": got.webhookID})
	mustOK("redeliverWebhookDelivery", r)
	rotated := rc.next(t)
	for _, s := range []string{secret, newSecret} {
		if err := webhooks.Verify(rotated.body, rotated.signature, s, clk.Now(), 0); err != nil {
			t.Errorf("after rotation, %s… does not verify: %v", s[:10], err)
		}
	}

	// Pause, then delete: nothing more is sent, and the subscription is gone.
	r = owner.do(`mutation($id: ID!) { updateWebhookSubscription(input: {subscriptionId: $id, active: false}) { webhookSubscription { active } userErrors { code } } }`, map[string]any{"id": sub})
	if r.path("updateWebhookSubscription", "webhookSubscription", "active") != false {
		t.Errorf("pause: %s", r.Raw)
	}
	r = owner.do(`mutation($id: ID!) { redeliverWebhookDelivery(input: {deliveryId: $id}) { userErrors { code } } }`, map[string]any{"id": got.webhookID})
	if fmt.Sprint(r.codes("redeliverWebhookDelivery")) != "[SUBSCRIPTION_INACTIVE]" {
		t.Errorf("redeliver while paused: %s", r.Raw)
	}
	r = owner.do(`mutation($id: ID!) { deleteWebhookSubscription(input: {subscriptionId: $id}) { deletedWebhookSubscriptionId userErrors { code } } }`, map[string]any{"id": sub})
	if r.str("deleteWebhookSubscription", "deletedWebhookSubscriptionId") != sub {
		t.Errorf("delete: %s", r.Raw)
	}
	r = owner.do(`query($id: ID!) { webhookSubscription(id: $id) { id } }`, map[string]any{"id": sub})
	if r.path("webhookSubscription") != nil {
		t.Errorf("a deleted subscription is still there: %s", r.Raw)
	}

	checkCatalogued(t, a)
}

// A shutdown in the middle of retries loses nothing: after a restart on the same store the
// pending delivery is retried and succeeds, with the attempt count carried on.
func TestWebhookRetriesSurviveARestart(t *testing.T) {
	clk := &shiftedClock{}
	dir := t.TempDir()
	_, base, stop := startApp(t, appOptions{dir: dir, clock: clk})
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	rc := newReceiver(t)
	r := owner.do(`mutation($a: ID!, $u: String!) { createWebhookSubscription(input: {accountId: $a, url: $u, eventTypes: ["inventory.adjusted"]}) { secret userErrors { code } } }`,
		map[string]any{"a": w.brightlight, "u": rc.srv.URL})
	secret := r.str("createWebhookSubscription", "secret")
	if secret == "" {
		t.Fatalf("create: %s", r.Raw)
	}
	rc.failNext(1)
	r = owner.do(`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 1, reason: FOUND}) { userErrors { code } } }`, stockVars(w, 0))
	if !r.ok("adjustInventory") {
		t.Fatal(string(r.Raw))
	}
	failed := rc.next(t)
	waitDelivery(t, owner, failed.webhookID, func(d map[string]any) bool { return d["lastResponseStatusCode"] == 503.0 })
	stop()

	_, base, _ = startApp(t, appOptions{dir: dir, clock: clk})
	owner = signIn(t, base, "owner@brightlight.test")
	clk.Advance(31 * time.Second)
	got := rc.next(t)
	if got.webhookID != failed.webhookID || got.attempt != "2" || got.status != http.StatusNoContent ||
		webhooks.Verify(got.body, got.signature, secret, clk.Now(), 0) != nil {
		t.Errorf("after the restart: %+v", got)
	}
	waitDelivery(t, owner, failed.webhookID, func(d map[string]any) bool { return d["status"] == "SUCCEEDED" })
}

// checkCatalogued fails when the feed holds an event type that webhook subscriptions cannot ask
// for: a domain records a type that eventTypes() lacks.
func checkCatalogued(t *testing.T, a *app) {
	t.Helper()
	// distinct is not used: FerretDB refuses the maxTimeMS the client's timeout adds to it.
	cur, err := a.store.DB.Collection("events").Find(context.Background(), bson.M{},
		options.Find().SetProjection(bson.M{"type": 1}))
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Type string `bson:"type"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	known := append(eventTypes(), webhooks.EventSubscriptionDisabled)
	seen := map[string]bool{}
	for _, d := range docs {
		if !seen[d.Type] && !slices.Contains(known, d.Type) {
			t.Errorf("event type %q is recorded but not in eventTypes(): add it there and to the README", d.Type)
		}
		seen[d.Type] = true
	}
	if len(seen) == 0 {
		t.Error("no events recorded")
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// A graceful stop while an attempt is in flight waits for it and records it: after a restart the
// delivery is SUCCEEDED and is not sent again.
func TestShutdownFinishesTheAttemptInFlight(t *testing.T) {
	dir := t.TempDir()
	_, base, stop := startApp(t, appOptions{dir: dir})
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")

	started := make(chan string, 10)
	var mu sync.Mutex
	posts := 0
	slow := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		posts++
		mu.Unlock()
		started <- r.Header.Get(webhooks.HeaderWebhookID)
		time.Sleep(2 * time.Second) // the receiver is slow; the stop must wait for it
		rw.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(slow.Close)
	r := owner.do(`mutation($a: ID!, $u: String!) { createWebhookSubscription(input: {accountId: $a, url: $u, eventTypes: ["inventory.adjusted"]}) { secret userErrors { code } } }`,
		map[string]any{"a": w.brightlight, "u": slow.URL})
	if r.str("createWebhookSubscription", "secret") == "" {
		t.Fatalf("create: %s", r.Raw)
	}
	owner.do(`mutation($s: ID!, $w: ID!) { adjustInventory(input: {skuId: $s, warehouseId: $w, delta: 1, reason: FOUND}) { userErrors { code } } }`, stockVars(w, 0))
	var dlv string
	select {
	case dlv = <-started:
	case <-time.After(15 * time.Second):
		t.Fatal("no attempt started")
	}
	begin := time.Now()
	stop()
	if took := time.Since(begin); took < time.Second {
		t.Errorf("the stop took %v: it did not wait for the attempt in flight", took)
	}

	_, base, _ = startApp(t, appOptions{dir: dir})
	owner = signIn(t, base, "owner@brightlight.test")
	d := waitDelivery(t, owner, dlv, func(map[string]any) bool { return true })
	if d["status"] != "SUCCEEDED" || d["attemptCount"] != 1.0 {
		t.Errorf("after the restart: %v", d)
	}
	time.Sleep(2 * time.Second) // a resend, if any, would come within the workers' poll
	mu.Lock()
	defer mu.Unlock()
	if posts != 1 {
		t.Errorf("the receiver got %d POSTs, want 1", posts)
	}
}
