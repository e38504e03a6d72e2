package transport

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/tradehub/tradehub/internal/errs"
)

// WebhookHandler returns the carriers' tracking webhook endpoint. Mount it with the carrier's
// code as the last path segment, e.g.
//
//	mux.Handle("POST /webhooks/carriers/{carrier}", transport.WebhookHandler())
//
// It reads at most MaxWebhookBody bytes, has the carrier's adapter authenticate the request
// with the carrier's secret (the built-in adapter: SignatureHeader, HMAC-SHA256 over
// "<timestamp>.<body>", timestamp within Config.WebhookTolerance) and applies the events with
// ReceiveTrackingUpdates. Answers (JSON):
//
//   - 200 {"results": [{"id", "outcome", "shipmentId", "status", "message"}]}: every event has
//     an outcome; refused ones (INVALID_TRANSITION, UNKNOWN_TRACKING_NUMBER, INVALID) are final
//     and must not be retried, REPLAYED means already applied.
//   - 503 with the same body when some outcome is FAILED: retry the request (replays are
//     harmless).
//   - 401 for a bad, missing or stale signature; 404 for an unknown or inactive carrier; 400
//     for a body that cannot be read; 405 for a method other than POST; 413 for a body too
//     large.
func (s *Service) WebhookHandler() http.Handler {
	return http.HandlerFunc(s.serveWebhook)
}

type webhookResult struct {
	ID         string `json:"id"`
	Outcome    string `json:"outcome"`
	ShipmentID string `json:"shipmentId,omitempty"`
	Status     string `json:"status,omitempty"`
	Message    string `json:"message,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func webhookError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func (s *Service) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		webhookError(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	code := r.PathValue("carrier")
	if code == "" {
		code = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBody+1))
	if err != nil {
		webhookError(w, http.StatusBadRequest, "the body could not be read")
		return
	}
	if len(body) > MaxWebhookBody {
		webhookError(w, http.StatusRequestEntityTooLarge, "the body is too large")
		return
	}
	ctx := r.Context()
	c, err := s.carrierByCode(ctx, strings.ToUpper(code))
	if err != nil || !c.Active {
		if err != nil && !errs.IsCode(err, errs.NotFound) {
			s.log.Error("transport: webhook carrier lookup", "err", err)
			webhookError(w, http.StatusServiceUnavailable, "try again")
			return
		}
		webhookError(w, http.StatusNotFound, "unknown carrier")
		return
	}
	adapter := s.adapters[c.Adapter]
	if adapter == nil {
		webhookError(w, http.StatusNotFound, "unknown carrier")
		return
	}
	ups, err := adapter.ParseWebhook(ctx, WebhookRequest{Header: r.Header, Body: body, Secret: []byte(c.WebhookSecret),
		Now: s.clock.Now(), Tolerance: s.cfg.WebhookTolerance})
	switch {
	case errs.IsCode(err, errs.Unauthenticated):
		webhookError(w, http.StatusUnauthorized, "bad signature")
		return
	case errs.IsCode(err, errs.Invalid):
		e, _ := errs.As(err)
		webhookError(w, http.StatusBadRequest, e.Message)
		return
	case err != nil:
		s.log.Error("transport: webhook parse", "carrier", c.Code, "err", err)
		webhookError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	results, err := s.receive(ctx, c.ID, ups, SourceCarrier)
	if err != nil {
		s.log.Error("transport: webhook apply", "carrier", c.Code, "err", err)
		webhookError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	out := struct {
		Results []webhookResult `json:"results"`
	}{Results: make([]webhookResult, len(results))}
	status := http.StatusOK
	for i, r := range results {
		out.Results[i] = webhookResult{ID: r.EventID, Outcome: string(r.Outcome), ShipmentID: r.ShipmentID,
			Status: string(r.Status), Message: r.Message}
		if r.Outcome == OutcomeFailed {
			status = http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, out)
}
