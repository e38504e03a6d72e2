package transport

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
	"github.com/tradehub/tradehub/services/usage"
)

// BookInput books a quote.
type BookInput struct {
	AccountID string
	QuoteID   string
	// IdempotencyKey is required: the same key returns the first booking's shipment; the same
	// key with another quote is IDEMPOTENCY_KEY_REUSED.
	IdempotencyKey string
	Reference      string   // the seller's reference, printed on the label
	OrderIDs       []string // fulfilment orders this shipment carries (OrderLinker)
	// Customs (cross-border shipments): reason for export (default SALE) and tax ids.
	ReasonForExport ExportReason
	SenderEORI      string
	ImporterEORI    string
	ImporterTaxID   string
	IOSS            string
}

// Usage codes written by this package (category TRANSPORT or CUSTOMS).
const (
	UsageFreight         = "freight.charge"             // TRANSPORT, per shipment, amount = shipping
	UsageReweigh         = "freight.reweigh_adjustment" // TRANSPORT, amount = the difference (may be negative)
	UsageDutiesTaxes     = "customs.duties_taxes"       // CUSTOMS, DDP pass-through, amount = duties + taxes
	UsageCustomsDeclared = "customs.declaration"        // CUSTOMS, brokerage per declaration
)

const maxBookAttempts = 5

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return false
		}
	}
	return true
}

func validateBook(in *BookInput) error {
	in.ReasonForExport = ExportReason(strings.ToUpper(string(in.ReasonForExport)))
	if in.ReasonForExport == "" {
		in.ReasonForExport = ReasonSale
	}
	in.SenderEORI = strings.ToUpper(strings.ReplaceAll(in.SenderEORI, " ", ""))
	in.ImporterEORI = strings.ToUpper(strings.ReplaceAll(in.ImporterEORI, " ", ""))
	in.IOSS = strings.ToUpper(strings.ReplaceAll(in.IOSS, " ", ""))
	in.ImporterTaxID = strings.ToUpper(strings.TrimSpace(in.ImporterTaxID))
	switch {
	case !ids.HasPrefix(in.AccountID, ids.Account):
		return errs.InvalidField("input.accountId", "not an account id")
	case !ids.HasPrefix(in.QuoteID, ids.Quote):
		return errs.InvalidField("input.quoteId", "not a quote id")
	case in.IdempotencyKey == "" || len(in.IdempotencyKey) > 100 || !printable(in.IdempotencyKey):
		return errs.InvalidField("input.idempotencyKey", "1 to 100 characters without control characters")
	case utf8.RuneCountInString(in.Reference) > 100 || !printable(in.Reference):
		return errs.InvalidField("input.reference", "at most 100 characters")
	case len(in.OrderIDs) > 100:
		return errs.InvalidField("input.orderIds", "at most 100 orders")
	}
	for i, o := range in.OrderIDs {
		if !ids.HasPrefix(o, ids.Order) {
			return errs.InvalidField("input.orderIds."+itoa(i), "not an order id")
		}
	}
	switch in.ReasonForExport {
	case ReasonSale, ReasonGift, ReasonSample, ReasonReturn, ReasonRepair, ReasonDocuments, ReasonOther:
	default:
		return errs.InvalidField("input.reasonForExport", "unknown reason")
	}
	for _, err := range []error{customs.ValidateEORI("input.senderEori", in.SenderEORI),
		customs.ValidateEORI("input.importerEori", in.ImporterEORI), customs.ValidateIOSS("input.ioss", in.IOSS),
		customs.ValidateTaxID("input.importerTaxId", in.ImporterTaxID)} {
		if err != nil {
			return err
		}
	}
	return nil
}

// BookShipment books a quote: it claims the quote, buys the label from the carrier, files the
// customs declaration (across borders) with its commercial invoice, and stores the shipment with
// its shipment.booked event, the pooled volume, the scorecard's shipment count and the usage
// records (freight charge, DDP duties and taxes, customs brokerage per declaration). It requires
// write on the account's shipments.
//
// A quote is booked at most once: the claim is a guarded update of the quote, so of two
// concurrent bookings of one quote exactly one succeeds (with another idempotency key the other
// gets QUOTE_ALREADY_BOOKED; with the same key both get the same shipment).
//
// Errors: INVALID with a field under "input"; NOT_FOUND for a missing or another account's
// quote; QUOTE_EXPIRED; QUOTE_ALREADY_BOOKED; IDEMPOTENCY_KEY_REUSED (CONFLICT); the
// OrderLinker's errors for orderIds; access errors.
func (s *Service) BookShipment(ctx context.Context, in BookInput) (Shipment, error) {
	audit.Annotate(ctx, in.AccountID, in.QuoteID)
	if err := validateBook(&in); err != nil {
		return Shipment{}, err
	}
	if err := s.access.Require(ctx, in.AccountID, ResShipments, access.Write); err != nil {
		return Shipment{}, err
	}
	if sh, ok, err := s.replay(ctx, in); ok || err != nil {
		return sh, err
	}
	q, err := s.quoteDoc(ctx, in.AccountID, in.QuoteID)
	if err != nil {
		return Shipment{}, err
	}
	if len(in.OrderIDs) > 0 {
		if s.cfg.Orders == nil {
			return Shipment{}, errs.InvalidField("input.orderIds", "orders cannot be linked to shipments here")
		}
		if err := s.cfg.Orders.CheckOrders(ctx, in.AccountID, in.OrderIDs); err != nil {
			return Shipment{}, prefixed("input.orderIds", err)
		}
	}
	shipmentID, err := s.claim(ctx, q, in.IdempotencyKey)
	if err != nil {
		return Shipment{}, err
	}
	carrier, err := s.carrier(ctx, q.CarrierID)
	if err != nil {
		return Shipment{}, internal("carrier of quote", err)
	}
	c := carrier.toCarrier()
	svc, ok := c.Service(q.ServiceCode)
	adapter := s.adapters[c.Adapter]
	if !ok || adapter == nil {
		return Shipment{}, ErrNoServiceFits.WithMessage("the carrier no longer offers this service: ask for new quotes")
	}
	now := s.clock.Now()
	for attempt := range maxBookAttempts {
		d, entry, err := s.prepareShipment(ctx, in, q, c, svc, adapter, shipmentID, attempt, now)
		if err != nil {
			return Shipment{}, err
		}
		doc, err := withOutbox(d, entry)
		if err != nil {
			return Shipment{}, err
		}
		_, err = s.shipments.InsertOne(ctx, doc)
		if err == nil {
			s.afterBooking(ctx, d)
			return d.toShipment(), nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return Shipment{}, internal("store shipment", err)
		}
		// Our own retry (same id or key) is a replay; another shipment's tracking number is a
		// collision of the derived number: try the next one.
		if sh, ok, rerr := s.replay(ctx, in); ok || rerr != nil {
			return sh, rerr
		}
		n, cerr := s.shipments.CountDocuments(ctx, bson.D{{Key: fID, Value: shipmentID}})
		if cerr != nil {
			return Shipment{}, internal("store shipment", cerr)
		}
		if n > 0 {
			return Shipment{}, ErrQuoteAlreadyBooked
		}
	}
	return Shipment{}, internal("store shipment", errs.E(errs.Internal, "tracking numbers kept colliding"))
}

// replay returns the shipment booked with in's idempotency key, if any.
func (s *Service) replay(ctx context.Context, in BookInput) (Shipment, bool, error) {
	var d shipmentDoc
	err := s.shipments.FindOne(ctx, bson.D{{Key: fAccountID, Value: in.AccountID}, {Key: fIdempotencyKey, Value: in.IdempotencyKey}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return Shipment{}, false, nil
	}
	if err != nil {
		return Shipment{}, false, internal("find booking", err)
	}
	if d.QuoteID != in.QuoteID {
		return Shipment{}, false, ErrIdempotencyKeyReuse.With("input.idempotencyKey", nil)
	}
	return d.toShipment(), true, nil
}

// claim marks the quote booked by a new shipment id, or returns the id an earlier attempt with
// the same key claimed it for.
func (s *Service) claim(ctx context.Context, q quoteDoc, key string) (string, error) {
	classify := func(q quoteDoc) (string, error) {
		switch {
		case q.BookedShipment != "" && q.BookingKey == key:
			return q.BookedShipment, nil // a retry of a booking that stopped half-way
		case q.BookedShipment != "":
			return "", ErrQuoteAlreadyBooked.With("input.quoteId", nil)
		case !s.clock.Now().Before(q.ExpiresAt):
			return "", ErrQuoteExpired.With("input.quoteId", nil)
		}
		return "", nil
	}
	if id, err := classify(q); id != "" || err != nil {
		return id, err
	}
	id := ids.New(ids.Shipment)
	now := s.clock.Now()
	err := s.quotes.FindOneAndUpdate(ctx, bson.D{{Key: fID, Value: q.ID}, {Key: fAccountID, Value: q.AccountID},
		{Key: fBookedShipment, Value: bson.D{{Key: "$exists", Value: false}}}, {Key: fExpiresAt, Value: bson.D{{Key: "$gt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fBookedShipment, Value: id}, {Key: fBookingKey, Value: key}}}}).Err()
	if err == nil {
		return id, nil
	}
	if err != mongo.ErrNoDocuments {
		return "", internal("claim quote", err)
	}
	fresh, err := s.quoteDoc(ctx, q.AccountID, q.ID)
	if err != nil {
		return "", err
	}
	if id, err := classify(fresh); id != "" || err != nil {
		return id, err
	}
	return "", ErrQuoteExpired.With("input.quoteId", nil)
}

type bookedData struct {
	ShipmentID     string   `bson:"shipmentId"`
	QuoteID        string   `bson:"quoteId"`
	TrackingNumber string   `bson:"trackingNumber"`
	CarrierCode    string   `bson:"carrierCode"`
	ServiceCode    string   `bson:"serviceCode"`
	Status         string   `bson:"status"`
	Total          moneyDoc `bson:"total"`
}

func (s *Service) prepareShipment(ctx context.Context, in BookInput, q quoteDoc, c Carrier, svc CarrierService,
	adapter Adapter, shipmentID string, attempt int, now time.Time) (*shipmentDoc, events.OutboxEntry, error) {
	parcels := fromParcelDocs(q.Parcels)
	w := ratecard.Weights{ActualGrams: q.Weights.Actual, VolumetricGrams: q.Weights.Volumetric, ChargeableGrams: q.Weights.Chargeable}
	booking, err := adapter.Book(ctx, BookingRequest{Carrier: c, Service: svc, ShipmentID: shipmentID, Attempt: attempt,
		Origin: q.Origin.toAddress(), Destination: q.Destination.toAddress(), Parcels: parcels, Weights: w,
		Reference: in.Reference, BookedAt: now})
	if err != nil {
		return nil, events.OutboxEntry{}, internal("carrier booking", err)
	}
	d := &shipmentDoc{ID: shipmentID, AccountID: in.AccountID, QuoteID: q.ID, IdempotencyKey: in.IdempotencyKey,
		Reference: in.Reference, OrderIDs: in.OrderIDs, CarrierID: c.ID, CarrierCode: c.Code, CarrierName: c.Name,
		ServiceCode: svc.Code, ServiceName: svc.Name, Mode: string(svc.Mode), TrackingNumber: booking.TrackingNumber,
		Status: string(StatusBooked), StatusAt: now, Origin: q.Origin, Destination: q.Destination, Parcels: q.Parcels,
		Weights: q.Weights, Billed: q.Weights.Chargeable, BilledShipping: q.Breakdown.Shipping, Card: q.Card,
		TierBps: q.Pool.Bps, Breakdown: q.Breakdown, Adjustments: []adjustmentDoc{}, Incoterm: q.Incoterm,
		TransitMin: q.TransitMin, TransitMax: q.TransitMax, Documents: []docRefDoc{}, Track: trackDoc{Min: map[string]evKey{}, Max: map[string]evKey{}},
		Complaints: []complaintDoc{}, Pending: map[string]opDoc{}, BookedAt: now, UpdatedAt: now}
	if err := s.storeDocument(ctx, in.AccountID, shipmentID, DocLabel, "label-"+booking.TrackingNumber+".pdf", booking.Label, now); err != nil {
		return nil, events.OutboxEntry{}, err
	}
	d.Documents = append(d.Documents, docRefDoc{string(DocLabel), "label-" + booking.TrackingNumber + ".pdf", pdfContentType, len(booking.Label)})

	cur := currencyOf(q.Breakdown.Currency)
	var ops []opDoc
	if q.PoolKey != "" {
		parts := strings.Split(q.PoolKey, "|")
		ops = append(ops, opDoc{Kind: opInc, Coll: CollPool, DocID: q.PoolKey, Inc: []incDoc{{"grams", q.Weights.Chargeable}},
			Lane: &laneDoc{parts[0], parts[1], parts[2], parts[3], parts[4]}})
	}
	lane := laneDoc{c.ID, svc.Code, q.Origin.Country, q.Destination.Country, monthOf(now)}
	d.ScoreLane = lane
	d.ScoreKey = ScorecardKey{lane.CarrierID, lane.ServiceCode, lane.Origin, lane.Destination, lane.Month}.id()
	d.Scored = contributionOf(factsDoc{}, d.TransitMax, nil)
	ops = append(ops, opDoc{Kind: opInc, Coll: CollScorecards, DocID: d.ScoreKey, Inc: diff(contribution{}, d.Scored), Lane: &lane})
	attrs := map[string]string{"shipmentId": shipmentID, "carrier": c.Code, "service": svc.Code, "trackingNumber": booking.TrackingNumber}
	shipping := money.New(q.Breakdown.Shipping, cur)
	ops = append(ops, usageOp(in.AccountID, usage.Transport, UsageFreight, "shipment", usage.Units(1), &shipping, now,
		"freight:"+shipmentID, attrs))
	if q.Incoterm == string(DDP) && q.Breakdown.Duties+q.Breakdown.Taxes > 0 {
		dt := money.New(q.Breakdown.Duties+q.Breakdown.Taxes, cur)
		ops = append(ops, usageOp(in.AccountID, usage.Customs, UsageDutiesTaxes, "shipment", usage.Units(1), &dt, now,
			"duties:"+shipmentID, attrs))
	}
	if q.Origin.Country != q.Destination.Country {
		decl := &declarationDoc{ID: ids.New(ids.Declaration), Incoterm: q.Incoterm, Reason: string(in.ReasonForExport),
			Items: q.Contents, SenderEORI: in.SenderEORI, ImporterEORI: in.ImporterEORI, ImporterTaxID: in.ImporterTaxID,
			IOSS: in.IOSS, Estimate: q.Duty, CreatedAt: now}
		var rule *customs.Rule
		goods := money.Money{}
		if q.Duty != nil {
			if r, ok, err := s.rule(ctx, q.Destination.Country); err == nil && ok {
				rule = &r
			}
			goods = q.Duty.toEstimate().GoodsValue
		}
		importerTax := in.ImporterTaxID
		if importerTax == "" {
			importerTax = in.ImporterEORI
		}
		decl.Flags = toFlagDocs(customs.Check(checkInput(fromItemDocs(q.Contents), rule, q.Origin.Country,
			q.Incoterm == string(DDP), goods, in.SenderEORI, importerTax, in.IOSS, "")))
		d.Declaration = decl
		pdf, err := commercialInvoicePDF(d, decl)
		if err != nil {
			return nil, events.OutboxEntry{}, err
		}
		name := "commercial-invoice-" + decl.ID + ".pdf"
		if err := s.storeDocument(ctx, in.AccountID, shipmentID, DocCommercialInvoice, name, pdf, now); err != nil {
			return nil, events.OutboxEntry{}, err
		}
		d.Documents = append(d.Documents, docRefDoc{string(DocCommercialInvoice), name, pdfContentType, len(pdf)})
		ops = append(ops, usageOp(in.AccountID, usage.Customs, UsageCustomsDeclared, "declaration", usage.Units(1), nil, now,
			"customs:"+decl.ID, map[string]string{"shipmentId": shipmentID, "declarationId": decl.ID}))
	}
	for i, op := range ops {
		d.Pending[strconv.Itoa(i+1)] = op
	}
	d.OpSeq, d.PendingCount = int64(len(ops)), int64(len(ops))
	entry, err := events.New(events.Draft{AccountID: in.AccountID, Type: "shipment.booked", ObjectID: shipmentID,
		Actor: actor(ctx), OccurredAt: now, Data: bookedData{ShipmentID: shipmentID, QuoteID: q.ID,
			TrackingNumber: booking.TrackingNumber, CarrierCode: c.Code, ServiceCode: svc.Code,
			Status: string(StatusBooked), Total: moneyDoc{q.Breakdown.Total, q.Breakdown.Currency}}})
	if err != nil {
		return nil, events.OutboxEntry{}, err
	}
	return d, entry, nil
}

// afterBooking applies the booking's ops and tells the relay and the orders. Failures are
// logged: ApplyPending finishes the ops.
func (s *Service) afterBooking(ctx context.Context, d *shipmentDoc) {
	if err := s.applyPending(context.WithoutCancel(ctx), []*shipmentDoc{d}); err != nil {
		s.log.Warn("transport: booking ops left pending", "shipment", d.ID, "err", err)
	}
	s.notify()
	if len(d.OrderIDs) > 0 && s.cfg.Orders != nil {
		if err := s.cfg.Orders.ShipmentMoved(context.WithoutCancel(ctx), d.AccountID, d.ID, d.OrderIDs, StatusBooked, d.BookedAt); err != nil {
			s.log.Warn("transport: orders not told of booking", "shipment", d.ID, "err", err)
		}
	}
}

// withOutbox is the shipment document with its first event in the outbox, for the insert.
func withOutbox(d *shipmentDoc, entries ...events.OutboxEntry) (bson.D, error) {
	raw, err := bson.Marshal(d)
	if err != nil {
		return nil, internal("encode shipment", err)
	}
	var doc bson.D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return nil, internal("encode shipment", err)
	}
	return append(doc, bson.E{Key: events.OutboxField, Value: entries}), nil
}
