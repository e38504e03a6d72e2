// Package transport is Tradehub's transport and customs domain: carriers and their services,
// rate cards with pooled-volume tiers, ranked quotes, bookings with labels and customs
// documents, the shipment status machine fed by carrier webhooks and staff, customs
// declarations with duty estimates, and carrier × lane × month scorecards.
//
// Pricing arithmetic lives in the ratecard sub-package and duty arithmetic in customs; this
// package stores, authorizes and orchestrates. Read ARCHITECTURE.md for the store rules it
// follows (no transactions: one guarded document write per state change, with its events in
// the document's outbox).
//
// # API for the GraphQL layer
//
// Every exported method of Service is one resolver's call. Inputs carry integer grams and
// millimetres and money.Money; ratecard.ParseKilograms / ParseCentimetres convert the GraphQL
// Decimal strings. Errors are *errs.Error: INVALID with a field path under "input" for bad
// input, NOT_FOUND for missing or foreign objects (never FORBIDDEN for another account's id),
// FAILED_PRECONDITION with a Reason (QUOTE_EXPIRED, QUOTE_ALREADY_BOOKED, INVALID_TRANSITION,
// NO_SERVICE_FITS...) for business refusals, CONFLICT for an idempotency key reused with another
// quote.
//
// # Authorization
//
// Methods that touch an account's data call Authorizer.Require(ctx, accountID, resource,
// action) first, with the resources declared below (ResShipments, ResQuotes,
// ResTrackingEvents); platform reference data (carriers, rate cards, customs rules) use
// access.DomainPlatform with ResCarriers, ResRateCards and ResCustomsRules. Carriers and
// scorecards are aggregated reference data without any account's details: any authenticated
// caller may read them. The webhook authenticates carriers by HMAC, not by principal.
//
// # Status machine
//
// BOOKED → PICKED_UP → IN_TRANSIT ⇄ CUSTOMS_HOLD → CUSTOMS_CLEARED → OUT_FOR_DELIVERY →
// DELIVERED, plus EXCEPTION (from any open state, and back to progress), LOST and
// RETURNED_TO_SENDER. DELIVERED, LOST and RETURNED_TO_SENDER are final. Forward moves may skip
// states, because carriers do not scan every step (a parcel may go IN_TRANSIT → DELIVERED);
// backward moves (IN_TRANSIT after CUSTOMS_CLEARED, anything after a final state) are
// INVALID_TRANSITION. Statuses are ranked BOOKED 0, PICKED_UP 1, IN_TRANSIT and CUSTOMS_HOLD 2,
// CUSTOMS_CLEARED 3, OUT_FOR_DELIVERY 4, DELIVERED 5; a move is valid if the new rank is at least
// the highest rank reached.
//
// Events are placed by their event time, not their arrival: the shipment's status and facts
// are, by definition, the fold of the SET of its accepted events in (occurredAt, rank, event id)
// order (derive, the reference), so a late-arriving IN_TRANSIT older than DELIVERED slots in
// before it and never overrides it. A new event that is invalid at its place in that order is
// refused (INVALID_TRANSITION). An event can only become invalid as more events arrive (the
// highest rank before it can only grow), never valid again, so refusing at arrival and setting
// aside later agree: the outcome does not depend on the arrival order.
//
// The shipment document does not carry the timeline: it keeps, per status, the earliest and the
// latest accepted event (trackDoc), minimums and maximums that any arrival order and any replay
// leave the same, from which the status, the status-defining event and the facts follow (see
// trackDoc; a test checks them against derive on random event sets and orders). The timeline
// is one document per event in CollTrackingEvents, whose _id (shipment id | carrier event id)
// makes a replayed carrier event collide with its first copy: the unique index is the
// idempotency key. The timeline entry is written before the shipment's update; if the update
// then fails, the carrier's retry (the webhook answers 503) collides on the entry and applies
// the event again, which the aggregates absorb.
//
// # Scorecards (order-independent, exactly once)
//
// A shipment contributes to the scorecard of its carrier service × lane (origin country →
// destination country) × booking month (its cohort), whatever month its events happen in. Its
// contribution is a function of facts derived from its accepted events: picked up at the
// earliest event of rank ≥ 1, delivered at its DELIVERED event, transit days = elapsed time
// rounded up to whole days, on time if transit days ≤ the promised maximum, and flags (ever an
// EXCEPTION, ever on CUSTOMS_HOLD, LOST, RETURNED_TO_SENDER), plus its complaints by kind.
//
// The shipment document keeps the contribution already counted ("scored"). Each state change
// computes the new contribution and, in the SAME guarded write as the change, stores it and
// queues the difference as a numbered pending op ("pending.<seq>"). Applying an op is an $inc
// on the summary document guarded by a per-shipment marker: {_id, "seen.<shipmentId>": {$not:
// {$gte: seq}}}, $inc the difference, $set the marker to seq. A retry or a second worker finds
// the marker and does nothing (or hits the _id on upsert: already applied), then the op is
// unset from the shipment. So each difference is counted exactly once, and the summary is the
// sum of the shipments' final contributions however their events were ordered or replayed.
// Markers are dropped after an hour (GCMarkers), far beyond any operation's timeout, so the
// summary documents stay small. Reading a scorecard is one document (one query) whatever the
// number of events. ApplyPending finishes ops left behind by a crash.
//
// # Events and subscriptions
//
// Changes emit shipment.booked, shipment.status_changed, shipment.tracking_updated,
// shipment.reweighed and shipment.complaint_filed through the document outbox (package events).
// GraphQL subscriptions use SubscribeShipments, which authorizes and filters the account's
// feed from events.Relay.Subscribe (the Subscriber in Config).
package transport

import (
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// Resources this package authorizes; the integrator adds them to access.Matrix.
const (
	// In an account's domain.
	ResShipments      access.Resource = "shipments"       // read: list, view, subscribe; write: book, complain
	ResQuotes         access.Resource = "quotes"          // read: view a quote; write: ask for quotes
	ResTrackingEvents access.Resource = "tracking_events" // write: staff record tracking events
	// In the platform domain.
	ResCarriers     access.Resource = "carriers"      // write: create and edit carriers
	ResRateCards    access.Resource = "rate_cards"    // read, write: rate cards and CSV import
	ResCustomsRules access.Resource = "customs_rules" // read, write: duty and tax rules
)

// Mode is how a service moves goods.
type Mode string

const (
	ModeExpress    Mode = "EXPRESS"
	ModePostal     Mode = "POSTAL"
	ModeAirFreight Mode = "AIR_FREIGHT"
	ModeSeaFreight Mode = "SEA_FREIGHT"
	ModeRail       Mode = "RAIL"
	ModeTruck      Mode = "TRUCK"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool {
	switch m {
	case ModeExpress, ModePostal, ModeAirFreight, ModeSeaFreight, ModeRail, ModeTruck:
		return true
	}
	return false
}

// Status is where a shipment stands.
type Status string

const (
	StatusBooked           Status = "BOOKED"
	StatusPickedUp         Status = "PICKED_UP"
	StatusInTransit        Status = "IN_TRANSIT"
	StatusCustomsHold      Status = "CUSTOMS_HOLD"
	StatusCustomsCleared   Status = "CUSTOMS_CLEARED"
	StatusOutForDelivery   Status = "OUT_FOR_DELIVERY"
	StatusDelivered        Status = "DELIVERED"
	StatusException        Status = "EXCEPTION"
	StatusReturnedToSender Status = "RETURNED_TO_SENDER"
	StatusLost             Status = "LOST"
)

// Statuses lists every status in the order of the machine.
func Statuses() []Status {
	return []Status{StatusBooked, StatusPickedUp, StatusInTransit, StatusCustomsHold, StatusCustomsCleared,
		StatusOutForDelivery, StatusDelivered, StatusException, StatusReturnedToSender, StatusLost}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses() {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether no event can follow s.
func (s Status) Final() bool {
	return s == StatusDelivered || s == StatusLost || s == StatusReturnedToSender
}

// Incoterm says who pays duties and taxes: DDP the seller (they are quoted and billed), DAP
// the receiver.
type Incoterm string

const (
	DDP Incoterm = "DDP"
	DAP Incoterm = "DAP"
)

// SortMode orders quotes.
type SortMode string

const (
	// SortBestValue ranks by price ÷ reliability (see Reliability); the default.
	SortBestValue SortMode = "BEST_VALUE"
	// SortCheapest ranks by total price (converted to USD to compare currencies), then speed.
	SortCheapest SortMode = "CHEAPEST"
	// SortFastest ranks by promised maximum then minimum transit days, then price.
	SortFastest SortMode = "FASTEST"
)

// ComplaintKind is what a seller complains about.
type ComplaintKind string

const (
	ComplaintLate    ComplaintKind = "LATE"
	ComplaintDamaged ComplaintKind = "DAMAGED"
	ComplaintLost    ComplaintKind = "LOST"
	ComplaintOther   ComplaintKind = "OTHER"
)

// ExportReason is the reason for export on a customs declaration.
type ExportReason string

const (
	ReasonSale      ExportReason = "SALE"
	ReasonGift      ExportReason = "GIFT"
	ReasonSample    ExportReason = "SAMPLE"
	ReasonReturn    ExportReason = "RETURN"
	ReasonRepair    ExportReason = "REPAIR"
	ReasonDocuments ExportReason = "DOCUMENTS"
	ReasonOther     ExportReason = "OTHER"
)

// Source says who reported a tracking event.
type Source string

const (
	SourceCarrier Source = "CARRIER"
	SourceStaff   Source = "STAFF"
)

// DocumentKind names a shipment document.
type DocumentKind string

const (
	DocLabel             DocumentKind = "LABEL"
	DocCommercialInvoice DocumentKind = "COMMERCIAL_INVOICE"
)

// Address is a postal address.
type Address struct {
	Name       string
	Company    string
	Line1      string
	Line2      string
	City       string
	Region     string // state, province or ISO 3166-2 subdivision suffix ("GD" for CN-GD)
	PostalCode string
	Country    string // ISO 3166-1 alpha-2
	Phone      string
	Email      string
}

// CarrierService is one service a carrier sells, with the parcel limits it accepts (0 = no
// limit).
type CarrierService struct {
	Code                 string // "EXPRESS_SAVER": 2–20 of A–Z, 0–9, _
	Name                 string
	Mode                 Mode
	MaxParcelWeightGrams int64
	MaxLengthMM          int64 // longest side
	MaxGirthMM           int64 // longest side + 2 × (the two others)
}

// Carrier is a carrier Tradehub books with.
type Carrier struct {
	ID   string
	Code string // "SWIFTX", unique
	Name string
	// Adapter names the adapter that talks to the carrier: "ratecard" for the built-in one.
	Adapter string
	// TrackingPrefix is the two letters the built-in adapter starts tracking numbers with.
	TrackingPrefix string
	Services       []CarrierService
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Service returns the carrier's service with code, if any.
func (c Carrier) Service(code string) (CarrierService, bool) {
	for _, s := range c.Services {
		if s.Code == code {
			return s, true
		}
	}
	return CarrierService{}, false
}

// Modes are the distinct modes of the carrier's services.
func (c Carrier) Modes() []Mode {
	var out []Mode
	seen := map[Mode]bool{}
	for _, s := range c.Services {
		if !seen[s.Mode] {
			seen[s.Mode] = true
			out = append(out, s.Mode)
		}
	}
	return out
}

// RateCard prices one carrier service on one lane for a period.
type RateCard struct {
	ID             string
	CarrierID      string
	ServiceCode    string
	Lane           ratecard.Lane
	TransitDaysMin int
	TransitDaysMax int
	EffectiveFrom  time.Time
	EffectiveTo    *time.Time // exclusive; nil = open
	Card           ratecard.Card
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ContentItem is one line of goods in a parcel.
type ContentItem struct {
	Description   string
	SKU           string // optional, for the seller's reference
	HSCode        string // 6–10 digits (dots allowed on input); "" is accepted and flagged
	OriginCountry string
	Quantity      int64
	UnitValue     money.Money
	WeightGrams   int64 // net weight of the line, optional
	// ExpectedUnitValue is the SKU's known value (catalogue or purchase price), when the caller
	// has it; the declaration flags a declared value far from it.
	ExpectedUnitValue *money.Money
}

// Breakdown is a quote's or shipment's price. Every amount is in Currency.
type Breakdown struct {
	Currency       money.Currency
	Linehaul       money.Money // per-kg price × chargeable weight
	TierDiscount   money.Money // pooled-volume tier discount taken off the linehaul
	MinimumApplied bool
	Freight        money.Money // linehaul − discount, at least the minimum charge
	RemoteArea     money.Money
	Oversize       money.Money
	Fuel           money.Money
	Shipping       money.Money // freight + surcharges + fuel: what the carrier charges
	Duties         money.Money // DDP only, else zero
	Taxes          money.Money // DDP only, else zero
	Total          money.Money // shipping + duties + taxes
}

// PoolStatus shows what pooling does for a quote.
type PoolStatus struct {
	PooledGrams int64 // the lane's pooled chargeable volume this month
	TierReached int   // index in the card's tiers, -1 for the base
	DiscountBps int64
	// BaseTotal is what the seller would pay at the base tier alone; Saving = BaseTotal − Total.
	BaseTotal money.Money
	Saving    money.Money
	// NextTierDiscountBps and GramsToNextTier describe the next tier; both 0 at the top.
	NextTierDiscountBps int64
	GramsToNextTier     int64
}

// ScorecardSummary is a carrier service's measured record on a lane over recent months.
type ScorecardSummary struct {
	Months       int // how many booking months it covers
	Shipments    int64
	Delivered    int64
	OnTime       int64
	Late         int64
	Exceptions   int64
	CustomsHolds int64
	Lost         int64
	Complaints   int64
	// Rates are fractions of shipments (of delivered ones for on time), nil without data.
	OnTimeRate    *float64
	ExceptionRate *float64
	LostRate      *float64
	P50Days       *int
	P90Days       *int
	// Reliability is the factor BEST_VALUE divides the price by (see Reliability).
	Reliability float64
}

// Quote is one priced, bookable option. It expires at ExpiresAt.
type Quote struct {
	ID               string
	AccountID        string
	RequestID        string // shared by the quotes of one QuoteShipment call
	CarrierID        string
	CarrierCode      string
	CarrierName      string
	ServiceCode      string
	ServiceName      string
	Mode             Mode
	RateCardID       string
	Origin           Address
	OriginWarehouse  string
	Destination      Address
	Parcels          []ratecard.Parcel
	Contents         []ContentItem
	Incoterm         Incoterm
	Weights          ratecard.Weights
	Breakdown        Breakdown
	Pool             PoolStatus
	Duty             *customs.Estimate // DDP cross-border only, in the destination's currency
	Flags            []customs.Flag
	TransitDaysMin   int
	TransitDaysMax   int
	Scorecard        ScorecardSummary
	Rank             int     // 1 = best in the requested sort
	Score            float64 // BEST_VALUE's effective price in USD minor units (lower is better)
	ExpiresAt        time.Time
	CreatedAt        time.Time
	BookedShipmentID string
}

// Unavailable says why a carrier service gave no quote.
type Unavailable struct {
	CarrierCode string
	ServiceCode string
	Reason      string // EXCEEDS_SERVICE_LIMITS, WEIGHT_BEYOND_RATE_CARD, CARRIER_ERROR, MODE_FILTERED
	Message     string
}

// QuoteResult is QuoteShipment's answer.
type QuoteResult struct {
	RequestID   string
	Sort        SortMode
	Quotes      []Quote
	Unavailable []Unavailable
}

// TrackingEvent is one entry of a shipment's timeline.
type TrackingEvent struct {
	ID          string // the carrier's event id, or "staff_<evt id>"
	Status      Status
	OccurredAt  time.Time
	Location    string
	Description string
	Source      Source
	RecordedAt  time.Time
	WeightGrams int64 // a carrier-measured weight, 0 if none
	// Ignored is true for an event that was valid when it arrived but that later events placed
	// after a final state; it stays in the timeline for the record, outside the status.
	Ignored bool
}

// Adjustment is a re-weigh: the carrier measured another weight and the price changed.
type Adjustment struct {
	EventID            string
	MeasuredGrams      int64
	OldChargeableGrams int64
	NewChargeableGrams int64
	Amount             money.Money // new shipping − old shipping, may be negative
	At                 time.Time
}

// Complaint is a seller's complaint about a shipment.
type Complaint struct {
	Kind    ComplaintKind
	Note    string
	FiledAt time.Time
	FiledBy string
}

// Declaration is a shipment's customs declaration.
type Declaration struct {
	ID              string
	Incoterm        Incoterm
	ReasonForExport ExportReason
	Items           []ContentItem
	SenderEORI      string
	ImporterEORI    string
	ImporterTaxID   string
	IOSS            string
	Estimate        *customs.Estimate
	Flags           []customs.Flag
	CreatedAt       time.Time
}

// Document is a stored shipment document (label, commercial invoice); Data is filled only by
// Document.
type Document struct {
	ShipmentID  string
	Kind        DocumentKind
	FileName    string
	ContentType string
	Size        int
	Data        []byte
}

// Shipment is a booked shipment.
type Shipment struct {
	ID             string
	AccountID      string
	QuoteID        string
	IdempotencyKey string
	Reference      string
	OrderIDs       []string
	CarrierID      string
	CarrierCode    string
	CarrierName    string
	ServiceCode    string
	ServiceName    string
	Mode           Mode
	TrackingNumber string
	Status         Status
	StatusAt       time.Time
	Origin         Address
	Destination    Address
	Parcels        []ratecard.Parcel
	Weights        ratecard.Weights // as booked
	// BilledChargeableGrams is the chargeable weight billed so far (changes with re-weighs).
	BilledChargeableGrams int64
	Breakdown             Breakdown
	Adjustments           []Adjustment
	Incoterm              Incoterm
	TransitDaysMin        int
	TransitDaysMax        int
	Declaration           *Declaration
	Documents             []Document // without Data
	// Events is the timeline by event time; only Shipment fills it (lists carry LatestEvent).
	Events []TrackingEvent
	// LatestEvent is the event that set the current status; nil while BOOKED.
	LatestEvent *TrackingEvent
	Complaints  []Complaint
	PickedUpAt  *time.Time
	DeliveredAt *time.Time
	BookedAt    time.Time
	UpdatedAt   time.Time
}

// Errors of this domain (reasons are the userError codes).
var (
	ErrNotFound            = errs.Sentinel(errs.NotFound, "NOT_FOUND", "not found")
	ErrQuoteExpired        = errs.Sentinel(errs.FailedPrecondition, "QUOTE_EXPIRED", "the quote has expired: ask for new quotes")
	ErrQuoteAlreadyBooked  = errs.Sentinel(errs.FailedPrecondition, "QUOTE_ALREADY_BOOKED", "the quote is already booked")
	ErrIdempotencyKeyReuse = errs.Sentinel(errs.Conflict, "IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for another quote")
	ErrInvalidTransition   = errs.Sentinel(errs.FailedPrecondition, "INVALID_TRANSITION", "the shipment cannot move to that status")
	ErrNoServiceFits       = errs.Sentinel(errs.FailedPrecondition, "NO_SERVICE_FITS", "no carrier service on this lane accepts these parcels")
	ErrNoRoute             = errs.Sentinel(errs.FailedPrecondition, "NO_ROUTE", "no carrier serves this lane")
	ErrExceedsLimits       = errs.Sentinel(errs.Invalid, "EXCEEDS_CARRIER_LIMITS", "the parcels exceed every carrier's limits on this lane")
	ErrTimelineFull        = errs.Sentinel(errs.FailedPrecondition, "TIMELINE_FULL", "the shipment has too many tracking events")
	ErrAlreadyExists       = errs.Sentinel(errs.Conflict, "ALREADY_EXISTS", "already exists")
	ErrBadSignature        = errs.Sentinel(errs.Unauthenticated, "BAD_SIGNATURE", "the webhook signature is missing, wrong or too old")
	ErrBusy                = errs.Sentinel(errs.Conflict, "CONCURRENT_UPDATE", "the shipment changed at the same time: try again")
)
