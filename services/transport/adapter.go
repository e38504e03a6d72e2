package transport

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// Adapter is the carrier adapter interface: everything Tradehub asks of a carrier's systems.
// The built-in RateCardAdapter implements it from stored rate cards; a real carrier plugs in
// by implementing it and registering it in Config.Adapters under a name that carriers then use
// in their Adapter field:
//
//   - Rates calls the carrier's rating API (or prices from req.Cards, as the built-in does) and
//     returns one Rate per service it offers; a service it cannot carry is a Rate with
//     Unavailable set. The service applies the parcel limits, duties and ranking itself.
//   - Book buys the label with the carrier's booking API. req.ShipmentID is stable across
//     retries of one booking: pass it as the carrier's idempotency key (or reference) so a
//     retry after a timeout does not buy two labels. req.Attempt counts tracking-number
//     collisions (the built-in derives its numbers; an API adapter can ignore it).
//   - ParseWebhook authenticates a webhook request with the carrier's own scheme (HMAC header,
//     basic auth, mTLS...) using req.Secret, and maps the carrier's event codes to Status.
//     It returns ErrBadSignature when authentication fails, and an INVALID error for a body it
//     cannot read; events it can read but which make no sense (an unknown code) are returned
//     with an empty Status, and refused one by one.
//
// Adapters are called without a principal and must not touch the store.
type Adapter interface {
	Rates(ctx context.Context, req RateRequest) ([]Rate, error)
	Book(ctx context.Context, req BookingRequest) (Booking, error)
	ParseWebhook(ctx context.Context, req WebhookRequest) ([]TrackingUpdate, error)
}

// RateRequest asks a carrier for rates.
type RateRequest struct {
	Carrier     Carrier
	Services    []CarrierService // the services to price (limits and mode filter passed)
	Cards       []RateCard       // the carrier's effective cards on the lane, one per service at most
	PooledGrams map[string]int64 // pooled volume this month by card id
	Origin      Address
	Destination Address
	Parcels     []ratecard.Parcel
	Now         time.Time
}

// Rate is a carrier's price for one service.
type Rate struct {
	ServiceCode    string
	RateCardID     string // the card priced from; "" for an API rate
	Price          ratecard.Price
	TransitDaysMin int
	TransitDaysMax int
	Unavailable    string // a reason code when the service cannot carry the shipment
	Message        string
}

// BookingRequest asks a carrier for a label.
type BookingRequest struct {
	Carrier     Carrier
	Service     CarrierService
	ShipmentID  string
	Attempt     int
	Origin      Address
	Destination Address
	Parcels     []ratecard.Parcel
	Weights     ratecard.Weights
	Reference   string
	BookedAt    time.Time
}

// Booking is what a carrier returns for a booking.
type Booking struct {
	TrackingNumber string
	Label          []byte // PDF
}

// WebhookRequest is a carrier's webhook call.
type WebhookRequest struct {
	Header    http.Header
	Body      []byte
	Secret    []byte
	Now       time.Time
	Tolerance time.Duration
}

// TrackingUpdate is one tracking event as a carrier (or staff) reports it.
type TrackingUpdate struct {
	EventID        string
	TrackingNumber string
	Status         Status
	OccurredAt     time.Time
	Location       string
	Description    string
	WeightGrams    int64 // measured total weight, 0 if not measured
}

// RateCardAdapterName is the Adapter name of the built-in carrier adapter.
const RateCardAdapterName = "ratecard"

// RateCardAdapter is the built-in carrier: prices from stored rate cards, tracking numbers
// "<prefix><12 digits><Luhn check digit>" derived from the shipment id, label PDFs made locally,
// and webhooks signed like Stripe's: header SignatureHeader "t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, "<t>.<body>")>", with a JSON body {"events": [{"id", "trackingNumber",
// "status", "occurredAt" (RFC 3339), "location", "description", "weightGrams"}]}, status one of
// this package's Status values.
type RateCardAdapter struct{}

// SignatureHeader carries the built-in adapter's webhook signature.
const SignatureHeader = "Tradehub-Carrier-Signature"

// Rates prices each service from its card.
func (RateCardAdapter) Rates(_ context.Context, req RateRequest) ([]Rate, error) {
	var out []Rate
	for _, svc := range req.Services {
		var card *RateCard
		for i := range req.Cards {
			if req.Cards[i].ServiceCode == svc.Code {
				card = &req.Cards[i]
			}
		}
		if card == nil {
			continue
		}
		p, err := card.Card.Price(ratecard.Request{Parcels: req.Parcels, DestinationPostcode: req.Destination.PostalCode,
			PooledGrams: req.PooledGrams[card.ID]})
		if err != nil {
			if e, ok := errs.As(err); ok && e.Reason != "" {
				out = append(out, Rate{ServiceCode: svc.Code, RateCardID: card.ID, Unavailable: e.Reason, Message: e.Message})
				continue
			}
			return nil, err
		}
		out = append(out, Rate{ServiceCode: svc.Code, RateCardID: card.ID, Price: p,
			TransitDaysMin: card.TransitDaysMin, TransitDaysMax: card.TransitDaysMax})
	}
	return out, nil
}

// Book makes the tracking number and the label.
func (RateCardAdapter) Book(_ context.Context, req BookingRequest) (Booking, error) {
	tn := TrackingNumber(req.Carrier.TrackingPrefix, req.ShipmentID, req.Attempt)
	label, err := labelPDF(req, tn)
	if err != nil {
		return Booking{}, err
	}
	return Booking{TrackingNumber: tn, Label: label}, nil
}

// ParseWebhook verifies the signature and reads the body.
func (RateCardAdapter) ParseWebhook(_ context.Context, req WebhookRequest) ([]TrackingUpdate, error) {
	if err := VerifySignature(req.Header.Get(SignatureHeader), req.Secret, req.Body, req.Now, req.Tolerance); err != nil {
		return nil, err
	}
	return ParseWebhookBody(req.Body)
}

// TrackingNumber derives the built-in carrier's tracking number for a shipment: the prefix, 12
// digits from SHA-256 of the shipment id and attempt, and a Luhn check digit. The same inputs
// always give the same number, so a retried booking gets the same label.
func TrackingNumber(prefix, shipmentID string, attempt int) string {
	sum := sha256.Sum256([]byte(shipmentID + "#" + strconv.Itoa(attempt)))
	n := binary.BigEndian.Uint64(sum[:8]) % 1_000_000_000_000
	digits := fmt.Sprintf("%012d", n)
	return prefix + digits + strconv.Itoa(luhn(digits))
}

// ValidTrackingNumber reports whether s has the built-in format with a correct check digit.
func ValidTrackingNumber(s string) bool {
	if len(s) != 15 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return int(s[14]-'0') == luhn(s[2:14])
}

// luhn returns the check digit that makes digits+check pass the Luhn test.
func luhn(digits string) int {
	sum := 0
	double := true // the check digit will be rightmost, so the last payload digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return (10 - sum%10) % 10
}

// SignWebhook returns the SignatureHeader value for body at time t: what a carrier (or a test,
// or the demo) sends.
func SignWebhook(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// VerifySignature checks a SignatureHeader value: a timestamp within tolerance of now and at
// least one v1 signature that matches (several are allowed while a secret is rotated). It
// returns ErrBadSignature (UNAUTHENTICATED) otherwise, whatever the reason, so a caller learns
// nothing about which part was wrong.
func VerifySignature(header string, secret, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secret) == 0 || len(header) > 1024 {
		return ErrBadSignature
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignature
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return ErrBadSignature
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// Webhook body limits.
const (
	MaxWebhookBody   = 1 << 20
	MaxWebhookEvents = 500
)

type webhookBody struct {
	Events []webhookEvent `json:"events"`
}

type webhookEvent struct {
	ID             string `json:"id"`
	TrackingNumber string `json:"trackingNumber"`
	Status         string `json:"status"`
	OccurredAt     string `json:"occurredAt"`
	Location       string `json:"location"`
	Description    string `json:"description"`
	WeightGrams    int64  `json:"weightGrams"`
}

// ParseWebhookBody reads the built-in adapter's JSON body. It returns an INVALID error for a
// body over MaxWebhookBody, that is not the JSON object described on RateCardAdapter, has no
// events or more than MaxWebhookEvents. Fields are not validated here (an unreadable time
// becomes the zero time, an unknown status is kept): each event is refused on its own later, so
// one bad event does not drop a batch. It never panics (a fuzz target checks it).
func ParseWebhookBody(body []byte) ([]TrackingUpdate, error) {
	if len(body) > MaxWebhookBody {
		return nil, errs.E(errs.Invalid, "the body is larger than %d bytes", MaxWebhookBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var b webhookBody
	if err := dec.Decode(&b); err != nil {
		return nil, errs.E(errs.Invalid, "the body is not the expected JSON object")
	}
	if dec.More() {
		return nil, errs.E(errs.Invalid, "the body has data after the JSON object")
	}
	if len(b.Events) == 0 || len(b.Events) > MaxWebhookEvents {
		return nil, errs.E(errs.Invalid, "a body carries 1 to %d events", MaxWebhookEvents)
	}
	out := make([]TrackingUpdate, len(b.Events))
	for i, e := range b.Events {
		t, _ := time.Parse(time.RFC3339Nano, e.OccurredAt)
		out[i] = TrackingUpdate{EventID: e.ID, TrackingNumber: e.TrackingNumber, Status: Status(e.Status),
			OccurredAt: t, Location: e.Location, Description: e.Description, WeightGrams: e.WeightGrams}
	}
	return out, nil
}

// EncodeWebhookBody writes updates as the built-in adapter's JSON body (for carriers' test
// tools, the demo and tests).
func EncodeWebhookBody(updates []TrackingUpdate) []byte {
	b := webhookBody{Events: make([]webhookEvent, len(updates))}
	for i, u := range updates {
		b.Events[i] = webhookEvent{ID: u.EventID, TrackingNumber: u.TrackingNumber, Status: string(u.Status),
			OccurredAt: u.OccurredAt.UTC().Format(time.RFC3339Nano), Location: u.Location, Description: u.Description,
			WeightGrams: u.WeightGrams}
	}
	out, _ := json.Marshal(b) // plain strings and numbers: cannot fail
	return out
}
