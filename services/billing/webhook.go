package billing

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
)

// WebhookTolerance is how old a signed Stripe event may be (stripe-go's default, 5 minutes).
const WebhookTolerance = webhook.DefaultTolerance

type eventDoc struct {
	ID         string    `bson:"_id"`
	Type       string    `bson:"type"`
	ReceivedAt time.Time `bson:"receivedAt"`
}

// WebhookHandler serves POST /webhooks/stripe: 400 for a bad signature or a stale timestamp
// (nothing changed), 200 for an event handled, replayed, of an unknown type or for an unknown
// invoice; 500 when the store or the loan application fails, so that Stripe delivers it again.
func (s *Service) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.StripeWebhookSecret == "" {
			http.NotFound(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ev, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), s.cfg.StripeWebhookSecret,
			webhook.ConstructEventOptions{Tolerance: WebhookTolerance, IgnoreAPIVersionMismatch: true})
		if err != nil {
			http.Error(w, "invalid signature", http.StatusBadRequest)
			return
		}
		if err := s.HandleEvent(r.Context(), ev); err != nil {
			s.log.ErrorContext(r.Context(), "stripe webhook", "event", ev.ID, "type", ev.Type, "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// HandleEvent applies a verified Stripe event once: an event id already recorded is a replay
// and changes nothing. The event id is recorded after the change, so a failure midway is
// retried by Stripe's redelivery; every change is a forward-only guarded update, so applying
// one twice does nothing the second time.
func (s *Service) HandleEvent(ctx context.Context, ev stripe.Event) error {
	if ev.ID == "" {
		return nil
	}
	n, err := s.events.CountDocuments(ctx, bson.D{{Key: "_id", Value: ev.ID}})
	if err != nil {
		return errs.Internalf("stripe event %s: %w", ev.ID, err)
	}
	if n > 0 {
		return nil
	}
	if err := s.applyEvent(ctx, ev); err != nil {
		return err
	}
	_, err = s.events.InsertOne(ctx, eventDoc{ID: ev.ID, Type: string(ev.Type), ReceivedAt: s.clock.Now()})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return errs.Internalf("record stripe event %s: %w", ev.ID, err)
	}
	return nil
}

func (s *Service) applyEvent(ctx context.Context, ev stripe.Event) error {
	var stripeInvoiceID, ourID string
	switch ev.Type {
	case "invoice.paid", "invoice.payment_failed", "invoice.voided", "invoice.marked_uncollectible":
		var in stripe.Invoice
		if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &in) != nil {
			s.log.WarnContext(ctx, "stripe webhook: unreadable invoice", "event", ev.ID)
			return nil
		}
		stripeInvoiceID, ourID = in.ID, in.Metadata["tradehub_invoice_id"]
	case "charge.refunded":
		var ch stripe.Charge
		if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &ch) != nil || ch.Invoice == nil {
			s.log.InfoContext(ctx, "stripe webhook: refund of no invoice", "event", ev.ID)
			return nil
		}
		stripeInvoiceID = ch.Invoice.ID
		return s.onInvoice(ctx, ev, stripeInvoiceID, "", func(d *invoiceDoc) error {
			if ch.AmountRefunded <= d.Refunded {
				return errSkip // an older refund event arriving late
			}
			d.Refunded = ch.AmountRefunded
			return nil
		})
	default:
		s.log.InfoContext(ctx, "stripe webhook: ignored event type", "event", ev.ID, "type", ev.Type)
		return nil
	}
	switch ev.Type {
	case "invoice.paid":
		err := s.onInvoice(ctx, ev, stripeInvoiceID, ourID, func(d *invoiceDoc) error {
			if !open(d.Status) {
				return errSkip // PAID already, or VOID
			}
			bal := d.Total - d.Credited - d.Paid
			d.Paid += bal
			d.Payments = append(d.Payments, paymentDoc{ID: ids.New(ids.Payment), Amount: bal, Method: "STRIPE",
				Reference: "stripe:" + stripeInvoiceID, ReceivedAt: s.clock.Now()})
			d.PaymentError = ""
			settle(d)
			return nil
		})
		if err != nil {
			return err
		}
		if id := s.ourInvoice(ctx, stripeInvoiceID, ourID); id != "" {
			return s.applyLoan(ctx, id)
		}
		return nil
	case "invoice.payment_failed":
		return s.onInvoice(ctx, ev, stripeInvoiceID, ourID, func(d *invoiceDoc) error {
			if !open(d.Status) {
				return errSkip // a late failure never reverts PAID
			}
			d.PaymentError = "Stripe reported a failed payment attempt (" + ev.ID + ")"
			return nil
		})
	case "invoice.voided":
		return s.onInvoice(ctx, ev, stripeInvoiceID, ourID, func(d *invoiceDoc) error {
			if d.Status != string(StatusFinalized) || d.Paid != 0 {
				return errSkip
			}
			d.Status = string(StatusVoid)
			return nil
		})
	default: // invoice.marked_uncollectible
		return s.onInvoice(ctx, ev, stripeInvoiceID, ourID, func(d *invoiceDoc) error {
			if !open(d.Status) || d.Uncollectible {
				return errSkip
			}
			d.Uncollectible = true
			return nil
		})
	}
}

// ourInvoice finds our invoice id from Stripe's (or the metadata we set); "" when unknown.
func (s *Service) ourInvoice(ctx context.Context, stripeID, ourID string) string {
	var d invoiceDoc
	if stripeID != "" {
		if s.invoices.FindOne(ctx, bson.D{{Key: "stripeId", Value: stripeID}}).Decode(&d) == nil {
			return d.ID
		}
	}
	if ourID != "" && ids.HasPrefix(ourID, ids.Invoice) {
		if s.invoices.FindOne(ctx, bson.D{{Key: "_id", Value: ourID}}).Decode(&d) == nil && (d.StripeID == "" || d.StripeID == stripeID) {
			return d.ID
		}
	}
	return ""
}

func (s *Service) onInvoice(ctx context.Context, ev stripe.Event, stripeID, ourID string, fn func(d *invoiceDoc) error) error {
	id := s.ourInvoice(ctx, stripeID, ourID)
	if id == "" {
		s.log.WarnContext(ctx, "stripe webhook: unknown invoice; ignored", "event", ev.ID, "type", ev.Type, "stripe_invoice", stripeID)
		return nil
	}
	_, err := s.mutate(ctx, id, fn)
	return err
}
