package webhooks_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tradehub/tradehub/services/webhooks"
)

// A receiver verifies the signature over the raw body before it trusts anything in it, and
// de-duplicates on the delivery id.
func ExampleVerify() {
	const secret = "whsec_kept-in-your-config" // from CreateSubscription or RotateSecret
	processed := map[string]bool{}             // in a real receiver: a unique index

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		err = webhooks.Verify(body, r.Header.Get(webhooks.HeaderSignature), secret, time.Now(), webhooks.DefaultTolerance)
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		id := r.Header.Get(webhooks.HeaderWebhookID)
		if processed[id] {
			w.WriteHeader(http.StatusOK) // a retry of something done: acknowledge again
			return
		}
		var p webhooks.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		processed[id] = true
		fmt.Println("received", p.Type, "seq", p.Seq)
		w.WriteHeader(http.StatusNoContent)
	})

	// What Tradehub sends, here made by hand.
	body := `{"id":"evt_01jq3v8k2m5x7c9d0e4f6g8h1k","type":"shipment.delivered","version":1,` +
		`"accountId":"acct_01jq3v8k2m5x7c9d0e4f6g8h1j","objectId":"shp_01jq3v8k2m5x7c9d0e4f6g8h1m",` +
		`"occurredAt":"2026-11-20T09:30:00Z","seq":42,"data":{}}`
	send := func(signature string) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(body))
		req.Header.Set(webhooks.HeaderWebhookID, "dlv_01jq3v8k2m5x7c9d0e4f6g8h1n")
		req.Header.Set(webhooks.HeaderSignature, signature)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Code
	}
	good := webhooks.SignatureHeader(time.Now(), []byte(body), secret)
	fmt.Println(send(good))
	fmt.Println(send(good)) // the same delivery again
	fmt.Println(send(webhooks.SignatureHeader(time.Now(), []byte(body), "whsec_guessed")))
	// Output:
	// received shipment.delivered seq 42
	// 204
	// 200
	// 400
}
