package transport

import (
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// Collections of this package. Shipments carry an events outbox: declare CollShipments to the
// events relay.
const (
	CollCarriers       = "transport_carriers"
	CollRateCards      = "transport_rate_cards"
	CollCustomsRules   = "transport_customs_rules"
	CollQuotes         = "transport_quotes"
	CollShipments      = "transport_shipments"
	CollTrackingEvents = "transport_tracking_events"
	CollDocuments      = "transport_documents"
	CollScorecards     = "transport_scorecards"
	CollPool           = "transport_pool"
)

// Field names used in queries and updates, in one place.
const (
	fID             = "_id"
	fAccountID      = "accountId"
	fCode           = "code"
	fCarrierID      = "carrierId"
	fServiceCode    = "serviceCode"
	fOrigin         = "origin"
	fDestination    = "destination"
	fEffectiveFrom  = "effectiveFrom"
	fEffectiveTo    = "effectiveTo"
	fRequestID      = "requestId"
	fExpiresAt      = "expiresAt"
	fBookedShipment = "bookedShipmentId"
	fBookingKey     = "bookingKey"
	fIdempotencyKey = "idempotencyKey"
	fTrackingNumber = "trackingNumber"
	fStatus         = "status"
	fVersion        = "version"
	fPending        = "pending"
	fPendingCount   = "pendingCount"
	fOpSeq          = "opSeq"
	fSeen           = "seen"
	fSeenAt         = "seenAt"
	fLastOpAt       = "lastOpAt"
	fMonth          = "month"
	fShipmentID     = "shipmentId"
	fWriteID        = "writeId"
)

// Indexes are this package's indexes; ensure them at start-up (with the relay's outbox index
// for CollShipments). accountId leads every index of tenant data. Two indexes do not: the
// carrier's tracking number (a webhook names a carrier and a tracking number, not an account;
// on a sharded cluster that lookup is the one scatter query) and the pending-op sweep.
func Indexes() []mongodb.Indexes {
	idx := func(name string, unique bool, keys ...string) mongo.IndexModel {
		d := bson.D{}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		o := options.Index().SetName(name) // a fresh options value per index
		if unique {
			o.SetUnique(true)
		}
		return mongo.IndexModel{Keys: d, Options: o}
	}
	return []mongodb.Indexes{
		{Collection: CollCarriers, Models: []mongo.IndexModel{idx("code", true, fCode)}},
		{Collection: CollRateCards, Models: []mongo.IndexModel{
			idx("lane", false, fDestination, fOrigin, fEffectiveFrom),
			idx("carrier_service", false, fCarrierID, fServiceCode, fDestination),
		}},
		{Collection: CollQuotes, Models: []mongo.IndexModel{
			idx("account_request", false, fAccountID, fRequestID),
			idx("expiresAt", false, fExpiresAt),
		}},
		{Collection: CollShipments, Models: []mongo.IndexModel{
			idx("account_idempotencyKey", true, fAccountID, fIdempotencyKey),
			idx("carrier_trackingNumber", true, fCarrierID, fTrackingNumber),
			idx("account_bookedAt_id", false, fAccountID, "bookedAt", fID),
			idx("account_status_bookedAt_id", false, fAccountID, fStatus, "bookedAt", fID),
			idx("account_carrier_bookedAt_id", false, fAccountID, fCarrierID, "bookedAt", fID),
			idx("pendingCount", false, fPendingCount),
		}},
		{Collection: CollTrackingEvents, Models: []mongo.IndexModel{
			idx("account_shipment_occurredAt", false, fAccountID, fShipmentID, "occurredAt"),
		}},
		{Collection: CollDocuments, Models: []mongo.IndexModel{idx("account_shipment", false, fAccountID, fShipmentID)}},
		{Collection: CollScorecards, Models: []mongo.IndexModel{
			idx("carrier_month", false, fCarrierID, fMonth),
			idx("lane_month", false, fOrigin, fDestination, fMonth),
			idx("lastOpAt", false, fLastOpAt),
		}},
		{Collection: CollPool, Models: []mongo.IndexModel{idx("lastOpAt", false, fLastOpAt)}},
	}
}

// ---- money and small values ----

type moneyDoc struct {
	Minor    int64  `bson:"minor"`
	Currency string `bson:"currency"`
}

func toMoneyDoc(m money.Money) moneyDoc {
	return moneyDoc{Minor: m.Amount, Currency: m.Currency.Code()}
}

func (d moneyDoc) toMoney() money.Money {
	c, _ := money.ParseCurrency(d.Currency) // validated on write
	return money.New(d.Minor, c)
}

func optMoneyDoc(m *money.Money) *moneyDoc {
	if m == nil {
		return nil
	}
	d := toMoneyDoc(*m)
	return &d
}

func (d *moneyDoc) opt() *money.Money {
	if d == nil {
		return nil
	}
	m := d.toMoney()
	return &m
}

func currencyOf(code string) money.Currency {
	c, _ := money.ParseCurrency(code)
	return c
}

type addressDoc struct {
	Name       string `bson:"name,omitempty"`
	Company    string `bson:"company,omitempty"`
	Line1      string `bson:"line1,omitempty"`
	Line2      string `bson:"line2,omitempty"`
	City       string `bson:"city,omitempty"`
	Region     string `bson:"region,omitempty"`
	PostalCode string `bson:"postalCode,omitempty"`
	Country    string `bson:"country"`
	Phone      string `bson:"phone,omitempty"`
	Email      string `bson:"email,omitempty"`
}

func toAddressDoc(a Address) addressDoc { return addressDoc(a) }
func (d addressDoc) toAddress() Address { return Address(d) }

type parcelDoc struct {
	Weight int64 `bson:"g"`
	Length int64 `bson:"l"`
	Width  int64 `bson:"w"`
	Height int64 `bson:"h"`
}

func toParcelDocs(ps []ratecard.Parcel) []parcelDoc {
	out := make([]parcelDoc, len(ps))
	for i, p := range ps {
		out[i] = parcelDoc{p.WeightGrams, p.LengthMM, p.WidthMM, p.HeightMM}
	}
	return out
}

func fromParcelDocs(ds []parcelDoc) []ratecard.Parcel {
	out := make([]ratecard.Parcel, len(ds))
	for i, d := range ds {
		out[i] = ratecard.Parcel{WeightGrams: d.Weight, LengthMM: d.Length, WidthMM: d.Width, HeightMM: d.Height}
	}
	return out
}

type weightsDoc struct {
	Actual     int64 `bson:"actual"`
	Volumetric int64 `bson:"volumetric"`
	Chargeable int64 `bson:"chargeable"`
}

type itemDoc struct {
	Description   string    `bson:"description"`
	SKU           string    `bson:"sku,omitempty"`
	HSCode        string    `bson:"hsCode,omitempty"`
	OriginCountry string    `bson:"originCountry"`
	Quantity      int64     `bson:"quantity"`
	UnitValue     moneyDoc  `bson:"unitValue"`
	WeightGrams   int64     `bson:"weightGrams,omitempty"`
	Expected      *moneyDoc `bson:"expectedUnitValue,omitempty"`
}

func toItemDocs(items []ContentItem) []itemDoc {
	out := make([]itemDoc, len(items))
	for i, it := range items {
		out[i] = itemDoc{it.Description, it.SKU, it.HSCode, it.OriginCountry, it.Quantity,
			toMoneyDoc(it.UnitValue), it.WeightGrams, optMoneyDoc(it.ExpectedUnitValue)}
	}
	return out
}

func fromItemDocs(ds []itemDoc) []ContentItem {
	out := make([]ContentItem, len(ds))
	for i, d := range ds {
		out[i] = ContentItem{Description: d.Description, SKU: d.SKU, HSCode: d.HSCode, OriginCountry: d.OriginCountry,
			Quantity: d.Quantity, UnitValue: d.UnitValue.toMoney(), WeightGrams: d.WeightGrams, ExpectedUnitValue: d.Expected.opt()}
	}
	return out
}

// ---- carriers ----

type serviceDoc struct {
	Code      string `bson:"code"`
	Name      string `bson:"name"`
	Mode      string `bson:"mode"`
	MaxWeight int64  `bson:"maxWeightGrams,omitempty"`
	MaxLength int64  `bson:"maxLengthMM,omitempty"`
	MaxGirth  int64  `bson:"maxGirthMM,omitempty"`
}

type carrierDoc struct {
	ID             string       `bson:"_id"`
	Code           string       `bson:"code"`
	Name           string       `bson:"name"`
	Adapter        string       `bson:"adapter"`
	TrackingPrefix string       `bson:"trackingPrefix"`
	Services       []serviceDoc `bson:"services"`
	Active         bool         `bson:"active"`
	WebhookSecret  string       `bson:"webhookSecret"`
	CreatedAt      time.Time    `bson:"createdAt"`
	UpdatedAt      time.Time    `bson:"updatedAt"`
}

func (d carrierDoc) toCarrier() Carrier {
	c := Carrier{ID: d.ID, Code: d.Code, Name: d.Name, Adapter: d.Adapter, TrackingPrefix: d.TrackingPrefix,
		Active: d.Active, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	for _, s := range d.Services {
		c.Services = append(c.Services, CarrierService{Code: s.Code, Name: s.Name, Mode: Mode(s.Mode),
			MaxParcelWeightGrams: s.MaxWeight, MaxLengthMM: s.MaxLength, MaxGirthMM: s.MaxGirth})
	}
	return c
}

func toServiceDocs(ss []CarrierService) []serviceDoc {
	out := make([]serviceDoc, len(ss))
	for i, s := range ss {
		out[i] = serviceDoc{s.Code, s.Name, string(s.Mode), s.MaxParcelWeightGrams, s.MaxLengthMM, s.MaxGirthMM}
	}
	return out
}

// ---- rate cards ----

type breakDoc struct {
	UpTo  int64 `bson:"upToGrams"`
	PerKg int64 `bson:"perKg"`
}

type tierDoc struct {
	MinPooled int64 `bson:"minPooledGrams"`
	Bps       int64 `bson:"discountBps"`
}

type cardDoc struct {
	Currency       string     `bson:"currency"`
	Divisor        int64      `bson:"volumetricDivisor"`
	Breaks         []breakDoc `bson:"breaks"`
	Minimum        int64      `bson:"minimumCharge"`
	FuelBps        int64      `bson:"fuelSurchargeBps"`
	Remote         int64      `bson:"remoteAreaSurcharge"`
	RemotePrefixes []string   `bson:"remotePostcodePrefixes,omitempty"`
	Oversize       int64      `bson:"oversizeSurcharge"`
	OversizeLength int64      `bson:"oversizeLengthMM"`
	OversizeWeight int64      `bson:"oversizeWeightGrams"`
	Tiers          []tierDoc  `bson:"tiers,omitempty"`
}

func toCardDoc(c ratecard.Card) cardDoc {
	d := cardDoc{Currency: c.Currency.Code(), Divisor: c.VolumetricDivisor, Minimum: c.MinimumCharge,
		FuelBps: c.FuelSurchargeBps, Remote: c.RemoteAreaSurcharge, RemotePrefixes: c.RemotePostcodePrefixes,
		Oversize: c.OversizeSurcharge, OversizeLength: c.OversizeLengthMM, OversizeWeight: c.OversizeWeightGrams}
	for _, b := range c.Breaks {
		d.Breaks = append(d.Breaks, breakDoc{b.UpToGrams, b.PerKg})
	}
	for _, t := range c.Tiers {
		d.Tiers = append(d.Tiers, tierDoc{t.MinPooledGrams, t.DiscountBps})
	}
	return d
}

func (d cardDoc) toCard() ratecard.Card {
	c := ratecard.Card{Currency: currencyOf(d.Currency), VolumetricDivisor: d.Divisor, MinimumCharge: d.Minimum,
		FuelSurchargeBps: d.FuelBps, RemoteAreaSurcharge: d.Remote, RemotePostcodePrefixes: d.RemotePrefixes,
		OversizeSurcharge: d.Oversize, OversizeLengthMM: d.OversizeLength, OversizeWeightGrams: d.OversizeWeight}
	for _, b := range d.Breaks {
		c.Breaks = append(c.Breaks, ratecard.Break{UpToGrams: b.UpTo, PerKg: b.PerKg})
	}
	for _, t := range d.Tiers {
		c.Tiers = append(c.Tiers, ratecard.Tier{MinPooledGrams: t.MinPooled, DiscountBps: t.Bps})
	}
	return c
}

type rateCardDoc struct {
	ID            string     `bson:"_id"`
	CarrierID     string     `bson:"carrierId"`
	ServiceCode   string     `bson:"serviceCode"`
	Origin        string     `bson:"origin"`
	Destination   string     `bson:"destination"`
	TransitMin    int        `bson:"transitDaysMin"`
	TransitMax    int        `bson:"transitDaysMax"`
	EffectiveFrom time.Time  `bson:"effectiveFrom"`
	EffectiveTo   *time.Time `bson:"effectiveTo"`
	Card          cardDoc    `bson:"card"`
	CreatedAt     time.Time  `bson:"createdAt"`
	UpdatedAt     time.Time  `bson:"updatedAt"`
}

func (d rateCardDoc) toRateCard() RateCard {
	rc := RateCard{ID: d.ID, CarrierID: d.CarrierID, ServiceCode: d.ServiceCode,
		Lane: ratecard.Lane{Origin: d.Origin, Destination: d.Destination}, TransitDaysMin: d.TransitMin,
		TransitDaysMax: d.TransitMax, EffectiveFrom: d.EffectiveFrom.UTC(), Card: d.Card.toCard(),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	if d.EffectiveTo != nil {
		t := d.EffectiveTo.UTC()
		rc.EffectiveTo = &t
	}
	return rc
}

func toRateCardDoc(rc RateCard) rateCardDoc {
	return rateCardDoc{ID: rc.ID, CarrierID: rc.CarrierID, ServiceCode: rc.ServiceCode, Origin: rc.Lane.Origin,
		Destination: rc.Lane.Destination, TransitMin: rc.TransitDaysMin, TransitMax: rc.TransitDaysMax,
		EffectiveFrom: rc.EffectiveFrom, EffectiveTo: rc.EffectiveTo, Card: toCardDoc(rc.Card),
		CreatedAt: rc.CreatedAt, UpdatedAt: rc.UpdatedAt}
}

// ---- customs ----

type ruleDoc struct {
	Country        string           `bson:"_id"`
	Currency       string           `bson:"currency"`
	DutyDeMinimis  int64            `bson:"dutyDeMinimis"`
	TaxDeMinimis   int64            `bson:"taxDeMinimis"`
	DeMinimisOnCIF bool             `bson:"deMinimisOnCIF"`
	DutyShipping   bool             `bson:"dutyIncludesShipping"`
	TaxShipping    bool             `bson:"taxIncludesShipping"`
	TaxDuty        bool             `bson:"taxIncludesDuty"`
	TaxBps         int64            `bson:"taxBps"`
	TaxName        string           `bson:"taxName"`
	DefaultDuty    int64            `bson:"defaultDutyBps"`
	DutyRates      []prefixRateDoc  `bson:"dutyRates"`
	Restricted     []restrictionDoc `bson:"restricted"`
	Notes          string           `bson:"notes"`
	UpdatedAt      time.Time        `bson:"updatedAt"`
}

type prefixRateDoc struct {
	Prefix string `bson:"prefix"`
	Bps    int64  `bson:"bps"`
}

type restrictionDoc struct {
	Prefix string `bson:"prefix"`
	Reason string `bson:"reason"`
}

func toRuleDoc(r customs.Rule, now time.Time) ruleDoc {
	d := ruleDoc{Country: r.Country, Currency: r.Currency.Code(), DutyDeMinimis: r.DutyDeMinimis,
		TaxDeMinimis: r.TaxDeMinimis, DeMinimisOnCIF: r.DeMinimisOnCIF, DutyShipping: r.DutyIncludesShipping,
		TaxShipping: r.TaxIncludesShipping, TaxDuty: r.TaxIncludesDuty, TaxBps: r.TaxBps, TaxName: r.TaxName,
		DefaultDuty: r.DefaultDutyBps, Notes: r.Notes, UpdatedAt: now,
		DutyRates: []prefixRateDoc{}, Restricted: []restrictionDoc{}}
	for _, x := range r.DutyRates {
		d.DutyRates = append(d.DutyRates, prefixRateDoc(x))
	}
	for _, x := range r.Restricted {
		d.Restricted = append(d.Restricted, restrictionDoc(x))
	}
	return d
}

func (d ruleDoc) toRule() customs.Rule {
	r := customs.Rule{Country: d.Country, Currency: currencyOf(d.Currency), DutyDeMinimis: d.DutyDeMinimis,
		TaxDeMinimis: d.TaxDeMinimis, DeMinimisOnCIF: d.DeMinimisOnCIF, DutyIncludesShipping: d.DutyShipping,
		TaxIncludesShipping: d.TaxShipping, TaxIncludesDuty: d.TaxDuty, TaxBps: d.TaxBps, TaxName: d.TaxName,
		DefaultDutyBps: d.DefaultDuty, Notes: d.Notes}
	for _, x := range d.DutyRates {
		r.DutyRates = append(r.DutyRates, customs.Rate(x))
	}
	for _, x := range d.Restricted {
		r.Restricted = append(r.Restricted, customs.Restriction(x))
	}
	return r
}

type lineDutyDoc struct {
	CustomsValue int64 `bson:"customsValue"`
	Bps          int64 `bson:"bps"`
	Duty         int64 `bson:"duty"`
}

type estimateDoc struct {
	Country    string        `bson:"country"`
	Currency   string        `bson:"currency"`
	Goods      int64         `bson:"goods"`
	Shipping   int64         `bson:"shipping"`
	DutyExempt bool          `bson:"dutyExempt"`
	TaxExempt  bool          `bson:"taxExempt"`
	Lines      []lineDutyDoc `bson:"lines"`
	Duty       int64         `bson:"duty"`
	TaxBase    int64         `bson:"taxBase"`
	TaxBps     int64         `bson:"taxBps"`
	TaxName    string        `bson:"taxName"`
	Tax        int64         `bson:"tax"`
	Total      int64         `bson:"total"`
}

func toEstimateDoc(e *customs.Estimate) *estimateDoc {
	if e == nil {
		return nil
	}
	d := &estimateDoc{Country: e.Country, Currency: e.Currency.Code(), Goods: e.GoodsValue.Amount,
		Shipping: e.Shipping.Amount, DutyExempt: e.DutyExempt, TaxExempt: e.TaxExempt, Duty: e.Duty.Amount,
		TaxBase: e.TaxBase.Amount, TaxBps: e.TaxBps, TaxName: e.TaxName, Tax: e.Tax.Amount, Total: e.Total.Amount}
	for _, l := range e.Lines {
		d.Lines = append(d.Lines, lineDutyDoc{l.CustomsValue.Amount, l.DutyBps, l.Duty.Amount})
	}
	return d
}

func (d *estimateDoc) toEstimate() *customs.Estimate {
	if d == nil {
		return nil
	}
	c := currencyOf(d.Currency)
	m := func(v int64) money.Money { return money.New(v, c) }
	e := &customs.Estimate{Country: d.Country, Currency: c, GoodsValue: m(d.Goods), Shipping: m(d.Shipping),
		DutyExempt: d.DutyExempt, TaxExempt: d.TaxExempt, Duty: m(d.Duty), TaxBase: m(d.TaxBase),
		TaxBps: d.TaxBps, TaxName: d.TaxName, Tax: m(d.Tax), Total: m(d.Total)}
	for _, l := range d.Lines {
		e.Lines = append(e.Lines, customs.LineDuty{CustomsValue: m(l.CustomsValue), DutyBps: l.Bps, Duty: m(l.Duty)})
	}
	return e
}

type flagDoc struct {
	Code    string `bson:"code"`
	Item    int    `bson:"item"`
	Message string `bson:"message"`
}

func toFlagDocs(fs []customs.Flag) []flagDoc {
	out := []flagDoc{}
	for _, f := range fs {
		out = append(out, flagDoc{string(f.Code), f.Item, f.Message})
	}
	return out
}

func fromFlagDocs(ds []flagDoc) []customs.Flag {
	var out []customs.Flag
	for _, d := range ds {
		out = append(out, customs.Flag{Code: customs.FlagCode(d.Code), Item: d.Item, Message: d.Message})
	}
	return out
}

// ---- quotes and shipments ----

type breakdownDoc struct {
	Currency     string `bson:"currency"`
	Linehaul     int64  `bson:"linehaul"`
	TierDiscount int64  `bson:"tierDiscount"`
	Minimum      bool   `bson:"minimumApplied"`
	Freight      int64  `bson:"freight"`
	Remote       int64  `bson:"remoteArea"`
	Oversize     int64  `bson:"oversize"`
	Fuel         int64  `bson:"fuel"`
	Shipping     int64  `bson:"shipping"`
	Duties       int64  `bson:"duties"`
	Taxes        int64  `bson:"taxes"`
	Total        int64  `bson:"total"`
}

func toBreakdownDoc(b Breakdown) breakdownDoc {
	return breakdownDoc{b.Currency.Code(), b.Linehaul.Amount, b.TierDiscount.Amount, b.MinimumApplied,
		b.Freight.Amount, b.RemoteArea.Amount, b.Oversize.Amount, b.Fuel.Amount, b.Shipping.Amount,
		b.Duties.Amount, b.Taxes.Amount, b.Total.Amount}
}

func (d breakdownDoc) toBreakdown() Breakdown {
	c := currencyOf(d.Currency)
	m := func(v int64) money.Money { return money.New(v, c) }
	return Breakdown{Currency: c, Linehaul: m(d.Linehaul), TierDiscount: m(d.TierDiscount), MinimumApplied: d.Minimum,
		Freight: m(d.Freight), RemoteArea: m(d.Remote), Oversize: m(d.Oversize), Fuel: m(d.Fuel),
		Shipping: m(d.Shipping), Duties: m(d.Duties), Taxes: m(d.Taxes), Total: m(d.Total)}
}

type poolDoc struct {
	Pooled      int64 `bson:"pooledGrams"`
	Reached     int   `bson:"tierReached"`
	Bps         int64 `bson:"discountBps"`
	BaseTotal   int64 `bson:"baseTotal"`
	Saving      int64 `bson:"saving"`
	NextBps     int64 `bson:"nextTierDiscountBps"`
	GramsToNext int64 `bson:"gramsToNextTier"`
}

type scoreSummaryDoc struct {
	Months       int     `bson:"months"`
	Shipments    int64   `bson:"shipments"`
	Delivered    int64   `bson:"delivered"`
	OnTime       int64   `bson:"onTime"`
	Late         int64   `bson:"late"`
	Exceptions   int64   `bson:"exceptions"`
	CustomsHolds int64   `bson:"customsHolds"`
	Lost         int64   `bson:"lost"`
	Complaints   int64   `bson:"complaints"`
	Histogram    []int64 `bson:"histogram,omitempty"`
	Reliability  float64 `bson:"reliability"`
}

type quoteDoc struct {
	ID              string          `bson:"_id"`
	AccountID       string          `bson:"accountId"`
	RequestID       string          `bson:"requestId"`
	CarrierID       string          `bson:"carrierId"`
	CarrierCode     string          `bson:"carrierCode"`
	CarrierName     string          `bson:"carrierName"`
	ServiceCode     string          `bson:"serviceCode"`
	ServiceName     string          `bson:"serviceName"`
	Mode            string          `bson:"mode"`
	RateCardID      string          `bson:"rateCardId,omitempty"`
	PoolKey         string          `bson:"poolKey,omitempty"`
	Card            *cardDoc        `bson:"card,omitempty"`
	Origin          addressDoc      `bson:"origin"`
	OriginWarehouse string          `bson:"originWarehouseId,omitempty"`
	Destination     addressDoc      `bson:"destination"`
	Parcels         []parcelDoc     `bson:"parcels"`
	Contents        []itemDoc       `bson:"contents"`
	Incoterm        string          `bson:"incoterm"`
	Weights         weightsDoc      `bson:"weights"`
	Breakdown       breakdownDoc    `bson:"breakdown"`
	Pool            poolDoc         `bson:"pool"`
	Duty            *estimateDoc    `bson:"duty,omitempty"`
	Flags           []flagDoc       `bson:"flags"`
	TransitMin      int             `bson:"transitDaysMin"`
	TransitMax      int             `bson:"transitDaysMax"`
	Scorecard       scoreSummaryDoc `bson:"scorecard"`
	Rank            int             `bson:"rank"`
	Score           float64         `bson:"score"`
	ExpiresAt       time.Time       `bson:"expiresAt"`
	CreatedAt       time.Time       `bson:"createdAt"`
	BookedShipment  string          `bson:"bookedShipmentId,omitempty"`
	BookingKey      string          `bson:"bookingKey,omitempty"`
}

func (d quoteDoc) toQuote() Quote {
	q := Quote{ID: d.ID, AccountID: d.AccountID, RequestID: d.RequestID, CarrierID: d.CarrierID,
		CarrierCode: d.CarrierCode, CarrierName: d.CarrierName, ServiceCode: d.ServiceCode, ServiceName: d.ServiceName,
		Mode: Mode(d.Mode), RateCardID: d.RateCardID, Origin: d.Origin.toAddress(), OriginWarehouse: d.OriginWarehouse,
		Destination: d.Destination.toAddress(), Parcels: fromParcelDocs(d.Parcels), Contents: fromItemDocs(d.Contents),
		Incoterm: Incoterm(d.Incoterm), Weights: ratecard.Weights{ActualGrams: d.Weights.Actual,
			VolumetricGrams: d.Weights.Volumetric, ChargeableGrams: d.Weights.Chargeable},
		Breakdown: d.Breakdown.toBreakdown(), Duty: d.Duty.toEstimate(), Flags: fromFlagDocs(d.Flags),
		TransitDaysMin: d.TransitMin, TransitDaysMax: d.TransitMax, Scorecard: d.Scorecard.toSummary(),
		Rank: d.Rank, Score: d.Score, ExpiresAt: d.ExpiresAt.UTC(), CreatedAt: d.CreatedAt.UTC(),
		BookedShipmentID: d.BookedShipment}
	c := q.Breakdown.Currency
	q.Pool = PoolStatus{PooledGrams: d.Pool.Pooled, TierReached: d.Pool.Reached, DiscountBps: d.Pool.Bps,
		BaseTotal: money.New(d.Pool.BaseTotal, c), Saving: money.New(d.Pool.Saving, c),
		NextTierDiscountBps: d.Pool.NextBps, GramsToNextTier: d.Pool.GramsToNext}
	return q
}

type eventDoc struct {
	ID          string    `bson:"id"`
	Status      string    `bson:"status"`
	OccurredAt  time.Time `bson:"occurredAt"`
	Location    string    `bson:"location,omitempty"`
	Description string    `bson:"description,omitempty"`
	Source      string    `bson:"source"`
	RecordedAt  time.Time `bson:"recordedAt"`
	Weight      int64     `bson:"weightGrams,omitempty"`
}

func (d eventDoc) toEvent() TrackingEvent {
	return TrackingEvent{ID: d.ID, Status: Status(d.Status), OccurredAt: d.OccurredAt.UTC(), Location: d.Location,
		Description: d.Description, Source: Source(d.Source), RecordedAt: d.RecordedAt.UTC(), WeightGrams: d.Weight}
}

func toEventDoc(e TrackingEvent) eventDoc {
	return eventDoc{ID: e.ID, Status: string(e.Status), OccurredAt: e.OccurredAt, Location: e.Location,
		Description: e.Description, Source: string(e.Source), RecordedAt: e.RecordedAt, Weight: e.WeightGrams}
}

type adjustmentDoc struct {
	EventID  string    `bson:"eventId"`
	Measured int64     `bson:"measuredGrams"`
	Old      int64     `bson:"oldChargeableGrams"`
	New      int64     `bson:"newChargeableGrams"`
	Amount   moneyDoc  `bson:"amount"`
	At       time.Time `bson:"at"`
}

type complaintDoc struct {
	Kind    string    `bson:"kind"`
	Note    string    `bson:"note,omitempty"`
	FiledAt time.Time `bson:"filedAt"`
	FiledBy string    `bson:"filedBy,omitempty"`
}

type declarationDoc struct {
	ID            string       `bson:"id"`
	Incoterm      string       `bson:"incoterm"`
	Reason        string       `bson:"reasonForExport"`
	Items         []itemDoc    `bson:"items"`
	SenderEORI    string       `bson:"senderEori,omitempty"`
	ImporterEORI  string       `bson:"importerEori,omitempty"`
	ImporterTaxID string       `bson:"importerTaxId,omitempty"`
	IOSS          string       `bson:"ioss,omitempty"`
	Estimate      *estimateDoc `bson:"estimate,omitempty"`
	Flags         []flagDoc    `bson:"flags"`
	CreatedAt     time.Time    `bson:"createdAt"`
}

type docRefDoc struct {
	Kind        string `bson:"kind"`
	FileName    string `bson:"fileName"`
	ContentType string `bson:"contentType"`
	Size        int    `bson:"size"`
}

// factsDoc are the derived facts the scorecard contribution is computed from.
type factsDoc struct {
	PickedUpAt  *time.Time `bson:"pickedUpAt,omitempty"`
	DeliveredAt *time.Time `bson:"deliveredAt,omitempty"`
	Exception   bool       `bson:"exception,omitempty"`
	CustomsHold bool       `bson:"customsHold,omitempty"`
	Lost        bool       `bson:"lost,omitempty"`
	Returned    bool       `bson:"returned,omitempty"`
}

// laneDoc names a summary document's lane, written on its insert.
type laneDoc struct {
	CarrierID   string `bson:"carrierId"`
	ServiceCode string `bson:"serviceCode"`
	Origin      string `bson:"origin"`
	Destination string `bson:"destination"`
	Month       string `bson:"month"`
}

// incDoc is one counter of an op.
type incDoc struct {
	Field string `bson:"f"`
	N     int64  `bson:"n"`
}

type usageOpDoc struct {
	Category   string            `bson:"category"`
	Code       string            `bson:"code"`
	Quantity   int64             `bson:"quantity"`
	Unit       string            `bson:"unit"`
	Amount     *moneyDoc         `bson:"amount,omitempty"`
	OccurredAt time.Time         `bson:"occurredAt"`
	SourceKey  string            `bson:"sourceKey"`
	Attributes map[string]string `bson:"attributes,omitempty"`
}

// opDoc is a pending op on a shipment: an $inc of a summary document (Coll, DocID), or a usage
// record.
type opDoc struct {
	Kind  string      `bson:"kind"` // opInc or opUsage
	Coll  string      `bson:"coll,omitempty"`
	DocID string      `bson:"docId,omitempty"`
	Lane  *laneDoc    `bson:"lane,omitempty"`
	Inc   []incDoc    `bson:"inc,omitempty"`
	Usage *usageOpDoc `bson:"usage,omitempty"`
}

const (
	opInc   = "inc"
	opUsage = "usage"
)

type shipmentDoc struct {
	ID             string           `bson:"_id"`
	AccountID      string           `bson:"accountId"`
	QuoteID        string           `bson:"quoteId"`
	IdempotencyKey string           `bson:"idempotencyKey"`
	Reference      string           `bson:"reference,omitempty"`
	OrderIDs       []string         `bson:"orderIds,omitempty"`
	CarrierID      string           `bson:"carrierId"`
	CarrierCode    string           `bson:"carrierCode"`
	CarrierName    string           `bson:"carrierName"`
	ServiceCode    string           `bson:"serviceCode"`
	ServiceName    string           `bson:"serviceName"`
	Mode           string           `bson:"mode"`
	TrackingNumber string           `bson:"trackingNumber"`
	Status         string           `bson:"status"`
	StatusAt       time.Time        `bson:"statusAt"`
	Origin         addressDoc       `bson:"origin"`
	Destination    addressDoc       `bson:"destination"`
	Parcels        []parcelDoc      `bson:"parcels"`
	Weights        weightsDoc       `bson:"weights"`
	Billed         int64            `bson:"billedChargeableGrams"`
	BilledShipping int64            `bson:"billedShipping"`
	Card           *cardDoc         `bson:"card,omitempty"`
	TierBps        int64            `bson:"tierDiscountBps"`
	Breakdown      breakdownDoc     `bson:"breakdown"`
	Adjustments    []adjustmentDoc  `bson:"adjustments"`
	Incoterm       string           `bson:"incoterm"`
	TransitMin     int              `bson:"transitDaysMin"`
	TransitMax     int              `bson:"transitDaysMax"`
	Declaration    *declarationDoc  `bson:"declaration,omitempty"`
	Documents      []docRefDoc      `bson:"documents"`
	Track          trackDoc         `bson:"track"`
	Latest         *eventDoc        `bson:"latestEvent,omitempty"`
	EventCount     int64            `bson:"eventCount"`
	Complaints     []complaintDoc   `bson:"complaints"`
	Facts          factsDoc         `bson:"facts"`
	Scored         contribution     `bson:"scored"`
	ScoreKey       string           `bson:"scoreKey"`
	ScoreLane      laneDoc          `bson:"scoreLane"`
	Version        int64            `bson:"version"`
	OpSeq          int64            `bson:"opSeq"`
	Pending        map[string]opDoc `bson:"pending"`
	PendingCount   int64            `bson:"pendingCount"`
	WriteID        string           `bson:"writeId"`
	BookedAt       time.Time        `bson:"bookedAt"`
	UpdatedAt      time.Time        `bson:"updatedAt"`
}

func (d *shipmentDoc) toShipment() Shipment {
	s := Shipment{ID: d.ID, AccountID: d.AccountID, QuoteID: d.QuoteID, IdempotencyKey: d.IdempotencyKey,
		Reference: d.Reference, OrderIDs: d.OrderIDs, CarrierID: d.CarrierID, CarrierCode: d.CarrierCode,
		CarrierName: d.CarrierName, ServiceCode: d.ServiceCode, ServiceName: d.ServiceName, Mode: Mode(d.Mode),
		TrackingNumber: d.TrackingNumber, Status: Status(d.Status), StatusAt: d.StatusAt.UTC(),
		Origin: d.Origin.toAddress(), Destination: d.Destination.toAddress(), Parcels: fromParcelDocs(d.Parcels),
		Weights: ratecard.Weights{ActualGrams: d.Weights.Actual, VolumetricGrams: d.Weights.Volumetric,
			ChargeableGrams: d.Weights.Chargeable},
		BilledChargeableGrams: d.Billed, Breakdown: d.Breakdown.toBreakdown(), Incoterm: Incoterm(d.Incoterm),
		TransitDaysMin: d.TransitMin, TransitDaysMax: d.TransitMax, BookedAt: d.BookedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	for _, a := range d.Adjustments {
		s.Adjustments = append(s.Adjustments, Adjustment{EventID: a.EventID, MeasuredGrams: a.Measured,
			OldChargeableGrams: a.Old, NewChargeableGrams: a.New, Amount: a.Amount.toMoney(), At: a.At.UTC()})
	}
	if dd := d.Declaration; dd != nil {
		s.Declaration = &Declaration{ID: dd.ID, Incoterm: Incoterm(dd.Incoterm), ReasonForExport: ExportReason(dd.Reason),
			Items: fromItemDocs(dd.Items), SenderEORI: dd.SenderEORI, ImporterEORI: dd.ImporterEORI,
			ImporterTaxID: dd.ImporterTaxID, IOSS: dd.IOSS, Estimate: dd.Estimate.toEstimate(),
			Flags: fromFlagDocs(dd.Flags), CreatedAt: dd.CreatedAt.UTC()}
	}
	for _, x := range d.Documents {
		s.Documents = append(s.Documents, Document{ShipmentID: d.ID, Kind: DocumentKind(x.Kind), FileName: x.FileName,
			ContentType: x.ContentType, Size: x.Size})
	}
	if d.Latest != nil {
		e := d.Latest.toEvent()
		s.LatestEvent = &e
	}
	for _, c := range d.Complaints {
		s.Complaints = append(s.Complaints, Complaint{Kind: ComplaintKind(c.Kind), Note: c.Note, FiledAt: c.FiledAt.UTC(), FiledBy: c.FiledBy})
	}
	if t := d.Facts.PickedUpAt; t != nil {
		u := t.UTC()
		s.PickedUpAt = &u
	}
	if t := d.Facts.DeliveredAt; t != nil {
		u := t.UTC()
		s.DeliveredAt = &u
	}
	return s
}

type documentDoc struct {
	ID          string    `bson:"_id"` // shipmentId + ":" + kind
	AccountID   string    `bson:"accountId"`
	ShipmentID  string    `bson:"shipmentId"`
	Kind        string    `bson:"kind"`
	FileName    string    `bson:"fileName"`
	ContentType string    `bson:"contentType"`
	Data        []byte    `bson:"data"`
	CreatedAt   time.Time `bson:"createdAt"`
}

// trackingEventDoc is one event of a shipment's timeline. Its _id, shipment id and event id,
// makes a carrier event idempotent: a replay collides with the first copy.
type trackingEventDoc struct {
	ID          string    `bson:"_id"`
	AccountID   string    `bson:"accountId"`
	ShipmentID  string    `bson:"shipmentId"`
	EventID     string    `bson:"eventId"`
	Status      string    `bson:"status"`
	OccurredAt  time.Time `bson:"occurredAt"`
	Location    string    `bson:"location,omitempty"`
	Description string    `bson:"description,omitempty"`
	Source      string    `bson:"source"`
	RecordedAt  time.Time `bson:"recordedAt"`
	Weight      int64     `bson:"weightGrams,omitempty"`
}

func toTrackingEventDoc(accountID, shipmentID string, e eventDoc) trackingEventDoc {
	return trackingEventDoc{ID: shipmentID + "|" + e.ID, AccountID: accountID, ShipmentID: shipmentID, EventID: e.ID,
		Status: e.Status, OccurredAt: e.OccurredAt, Location: e.Location, Description: e.Description, Source: e.Source,
		RecordedAt: e.RecordedAt, Weight: e.Weight}
}

func (d trackingEventDoc) event() eventDoc {
	return eventDoc{ID: d.EventID, Status: d.Status, OccurredAt: d.OccurredAt, Location: d.Location,
		Description: d.Description, Source: d.Source, RecordedAt: d.RecordedAt, Weight: d.Weight}
}
