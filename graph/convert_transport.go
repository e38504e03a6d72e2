package graph

import (
	"context"
	"strconv"
	"strings"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// carrierOf loads the carrier a visible quote, shipment, rate card or scorecard names, through
// the request's dataloader (one query per level of the response, whatever the number of items).
func (r *Resolver) carrierOf(ctx context.Context, c *model.Carrier) (*model.Carrier, error) {
	if c == nil {
		return nil, errs.Internalf("carrier of a visible object is missing")
	}
	got, err := r.loadersOf(ctx).Carriers.Load(ctx, c.ID)
	if err != nil {
		return nil, errs.Internalf("carrier %s of a visible object: %w", c.ID, err)
	}
	return toGQLCarrier(got), nil
}

// carrierRef is a carrier known by its id only; its resolver loads the rest.
func carrierRef(id string) *model.Carrier { return &model.Carrier{ID: id} }

func formatKg(grams int64) string { return ratecard.FormatKilograms(grams) }

func optionalKg(grams int64) *string {
	if grams == 0 {
		return nil
	}
	s := formatKg(grams)
	return &s
}

func formatCm(mm int64) string {
	s := strconv.FormatInt(mm/10, 10)
	if r := mm % 10; r != 0 {
		s += "." + strconv.FormatInt(r, 10)
	}
	return s
}

func optionalCm(mm int64) *string {
	if mm == 0 {
		return nil
	}
	s := formatCm(mm)
	return &s
}

func optionalInt(v int64, ok bool) *int {
	if !ok {
		return nil
	}
	i := int(v)
	return &i
}

func parseKg(field string, s *string) (int64, error) {
	if s == nil {
		return 0, nil
	}
	return ratecard.ParseKilograms(field, *s)
}

func parseCm(field string, s *string) (int64, error) {
	if s == nil {
		return 0, nil
	}
	return ratecard.ParseCentimetres(field, *s)
}

func parseMinor(field string, s *string, c money.Currency) (int64, error) {
	if s == nil {
		return 0, nil
	}
	v, err := money.ParseAmount(*s, c)
	if err != nil {
		if e, ok := errs.As(err); ok {
			return 0, e.With(field, err)
		}
		return 0, errs.InvalidField(field, "not an amount")
	}
	return v, nil
}

func toGQLCarrier(c transport.Carrier) *model.Carrier {
	out := &model.Carrier{ID: c.ID, Code: c.Code, Name: c.Name, Adapter: c.Adapter, Active: c.Active, CreatedAt: c.CreatedAt,
		Modes: []model.TransportMode{}, Services: []model.CarrierService{}}
	for _, m := range c.Modes() {
		out.Modes = append(out.Modes, model.TransportMode(m))
	}
	for _, s := range c.Services {
		out.Services = append(out.Services, model.CarrierService{Code: s.Code, Name: s.Name, Mode: model.TransportMode(s.Mode),
			MaxParcelWeightKg: optionalKg(s.MaxParcelWeightGrams), MaxLengthCm: optionalCm(s.MaxLengthMM), MaxGirthCm: optionalCm(s.MaxGirthMM)})
	}
	return out
}

func toGQLCarriers(list []transport.Carrier) []model.Carrier {
	out := make([]model.Carrier, len(list))
	for i, c := range list {
		out[i] = *toGQLCarrier(c)
	}
	return out
}

func fromCreateCarrierInput(in model.CreateCarrierInput) (transport.CarrierInput, error) {
	out := transport.CarrierInput{Code: in.Code, Name: in.Name, Adapter: deref(in.Adapter), TrackingPrefix: deref(in.TrackingPrefix), Active: true}
	if in.Active != nil {
		out.Active = *in.Active
	}
	for i, s := range in.Services {
		f := "input.services." + strconv.Itoa(i)
		w, err := parseKg(f+".maxParcelWeightKg", s.MaxParcelWeightKg)
		if err != nil {
			return out, err
		}
		l, err := parseCm(f+".maxLengthCm", s.MaxLengthCm)
		if err != nil {
			return out, err
		}
		g, err := parseCm(f+".maxGirthCm", s.MaxGirthCm)
		if err != nil {
			return out, err
		}
		out.Services = append(out.Services, transport.CarrierService{Code: s.Code, Name: s.Name, Mode: transport.Mode(s.Mode),
			MaxParcelWeightGrams: w, MaxLengthMM: l, MaxGirthMM: g})
	}
	return out, nil
}

func toGQLRateCard(c transport.RateCard) *model.RateCard {
	cur := c.Card.Currency
	m := func(v int64) *model.Money { return toGQLMoney(money.New(v, cur)) }
	out := &model.RateCard{ID: c.ID, Carrier: carrierRef(c.CarrierID), ServiceCode: c.ServiceCode, Origin: c.Lane.Origin,
		Destination: c.Lane.Destination, TransitDaysMin: c.TransitDaysMin, TransitDaysMax: c.TransitDaysMax,
		EffectiveFrom: c.EffectiveFrom, EffectiveTo: c.EffectiveTo, Currency: cur, VolumetricDivisor: int(c.Card.VolumetricDivisor),
		Breaks: []model.WeightBreak{}, MinimumCharge: m(c.Card.MinimumCharge), FuelSurchargeBps: int(c.Card.FuelSurchargeBps),
		RemoteAreaSurcharge: m(c.Card.RemoteAreaSurcharge), RemotePostcodePrefixes: append([]string{}, c.Card.RemotePostcodePrefixes...),
		OversizeSurcharge: m(c.Card.OversizeSurcharge), OversizeLengthCm: optionalCm(c.Card.OversizeLengthMM),
		OversizeWeightKg: optionalKg(c.Card.OversizeWeightGrams), Tiers: []model.PoolTier{}, UpdatedAt: c.UpdatedAt}
	for _, b := range c.Card.Breaks {
		out.Breaks = append(out.Breaks, model.WeightBreak{UpToKg: formatKg(b.UpToGrams), PerKg: m(b.PerKg)})
	}
	for _, t := range c.Card.Tiers {
		out.Tiers = append(out.Tiers, model.PoolTier{MinPooledKg: formatKg(t.MinPooledGrams), DiscountBps: int(t.DiscountBps)})
	}
	return out
}

func toGQLRateCards(list []transport.RateCard) []model.RateCard {
	out := make([]model.RateCard, len(list))
	for i, c := range list {
		out[i] = *toGQLRateCard(c)
	}
	return out
}

func fromRateCardInput(in *model.RateCardInput) (transport.RateCardInput, error) {
	if in == nil {
		return transport.RateCardInput{}, errs.InvalidField("input.rateCard", "required")
	}
	cur := in.Currency
	out := transport.RateCardInput{CarrierID: in.CarrierID, ServiceCode: in.ServiceCode,
		Lane: ratecard.Lane{Origin: in.Origin, Destination: in.Destination}, TransitDaysMin: in.TransitDaysMin,
		TransitDaysMax: in.TransitDaysMax, EffectiveFrom: in.EffectiveFrom, EffectiveTo: in.EffectiveTo,
		Card: ratecard.Card{Currency: cur, VolumetricDivisor: int64(in.VolumetricDivisor), FuelSurchargeBps: int64(in.FuelSurchargeBps),
			RemotePostcodePrefixes: in.RemotePostcodePrefixes}}
	var err error
	if out.Card.MinimumCharge, err = parseMinor("input.minimumCharge", &in.MinimumCharge, cur); err != nil {
		return out, err
	}
	if out.Card.RemoteAreaSurcharge, err = parseMinor("input.remoteAreaSurcharge", in.RemoteAreaSurcharge, cur); err != nil {
		return out, err
	}
	if out.Card.OversizeSurcharge, err = parseMinor("input.oversizeSurcharge", in.OversizeSurcharge, cur); err != nil {
		return out, err
	}
	if out.Card.OversizeLengthMM, err = parseCm("input.oversizeLengthCm", in.OversizeLengthCm); err != nil {
		return out, err
	}
	if out.Card.OversizeWeightGrams, err = parseKg("input.oversizeWeightKg", in.OversizeWeightKg); err != nil {
		return out, err
	}
	for i, b := range in.Breaks {
		f := "input.breaks." + strconv.Itoa(i)
		up, err := parseKg(f+".upToKg", &b.UpToKg)
		if err != nil {
			return out, err
		}
		per, err := parseMinor(f+".perKg", &b.PerKg, cur)
		if err != nil {
			return out, err
		}
		out.Card.Breaks = append(out.Card.Breaks, ratecard.Break{UpToGrams: up, PerKg: per})
	}
	for i, t := range in.Tiers {
		g, err := parseKg("input.tiers."+strconv.Itoa(i)+".minPooledKg", &t.MinPooledKg)
		if err != nil {
			return out, err
		}
		out.Card.Tiers = append(out.Card.Tiers, ratecard.Tier{MinPooledGrams: g, DiscountBps: int64(t.DiscountBps)})
	}
	return out, nil
}

func toGQLCustomsRule(r customs.Rule) *model.CustomsRule {
	out := &model.CustomsRule{Country: r.Country, Currency: r.Currency, DutyDeMinimis: toGQLMoney(money.New(r.DutyDeMinimis, r.Currency)),
		TaxDeMinimis: toGQLMoney(money.New(r.TaxDeMinimis, r.Currency)), DeMinimisOnCif: r.DeMinimisOnCIF,
		DutyIncludesShipping: r.DutyIncludesShipping, TaxIncludesShipping: r.TaxIncludesShipping, TaxIncludesDuty: r.TaxIncludesDuty,
		TaxBps: int(r.TaxBps), TaxName: optional(r.TaxName), DefaultDutyBps: int(r.DefaultDutyBps), Notes: optional(r.Notes),
		DutyRates: []model.DutyRate{}, Restricted: []model.CustomsRestriction{}}
	for _, d := range r.DutyRates {
		out.DutyRates = append(out.DutyRates, model.DutyRate{Prefix: d.Prefix, Bps: int(d.Bps)})
	}
	for _, x := range r.Restricted {
		out.Restricted = append(out.Restricted, model.CustomsRestriction{Prefix: x.Prefix, Reason: x.Reason})
	}
	return out
}

func fromUpsertCustomsRuleInput(in model.UpsertCustomsRuleInput) (customs.Rule, error) {
	out := customs.Rule{Country: in.Country, Currency: in.Currency, DeMinimisOnCIF: in.DeMinimisOnCif,
		DutyIncludesShipping: in.DutyIncludesShipping, TaxIncludesShipping: in.TaxIncludesShipping, TaxIncludesDuty: in.TaxIncludesDuty,
		TaxBps: int64(in.TaxBps), TaxName: deref(in.TaxName), DefaultDutyBps: int64(in.DefaultDutyBps), Notes: deref(in.Notes)}
	var err error
	if out.DutyDeMinimis, err = parseMinor("input.dutyDeMinimis", &in.DutyDeMinimis, in.Currency); err != nil {
		return out, err
	}
	if out.TaxDeMinimis, err = parseMinor("input.taxDeMinimis", &in.TaxDeMinimis, in.Currency); err != nil {
		return out, err
	}
	for _, d := range in.DutyRates {
		out.DutyRates = append(out.DutyRates, customs.Rate{Prefix: d.Prefix, Bps: int64(d.Bps)})
	}
	for _, x := range in.Restricted {
		out.Restricted = append(out.Restricted, customs.Restriction{Prefix: x.Prefix, Reason: x.Reason})
	}
	return out, nil
}

func fromShipmentAddressInput(a *model.ShipmentAddressInput) transport.Address {
	if a == nil {
		return transport.Address{}
	}
	return transport.Address{Name: a.Name, Company: deref(a.Company), Line1: a.Line1, Line2: deref(a.Line2), City: a.City,
		Region: deref(a.Region), PostalCode: deref(a.PostalCode), Country: a.Country, Phone: deref(a.Phone), Email: deref(a.Email)}
}

func toGQLShipmentAddress(a transport.Address) *model.ShipmentAddress {
	return &model.ShipmentAddress{Name: a.Name, Company: optional(a.Company), Line1: a.Line1, Line2: optional(a.Line2), City: a.City,
		Region: optional(a.Region), PostalCode: optional(a.PostalCode), Country: a.Country, Phone: optional(a.Phone), Email: optional(a.Email)}
}

func fromQuoteShipmentInput(in model.QuoteShipmentInput) (transport.QuoteInput, error) {
	out := transport.QuoteInput{AccountID: in.AccountID, OriginWarehouseID: deref(in.OriginWarehouseID),
		Destination: fromShipmentAddressInput(in.Destination)}
	if in.Origin != nil {
		o := fromShipmentAddressInput(in.Origin)
		out.Origin = &o
	}
	if in.Incoterm != nil {
		out.Incoterm = transport.Incoterm(*in.Incoterm)
	}
	if in.Sort != nil {
		out.Sort = transport.SortMode(*in.Sort)
	}
	for _, m := range in.Modes {
		out.Modes = append(out.Modes, transport.Mode(m))
	}
	if len(in.Parcels) > transport.MaxParcels {
		return out, errs.InvalidField("input.parcels", "at most %d parcels", transport.MaxParcels)
	}
	for i, p := range in.Parcels {
		f := "input.parcels." + strconv.Itoa(i)
		var parcel ratecard.Parcel
		var err error
		if parcel.WeightGrams, err = ratecard.ParseKilograms(f+".weightKg", p.WeightKg); err != nil {
			return out, err
		}
		if parcel.LengthMM, err = ratecard.ParseCentimetres(f+".lengthCm", p.LengthCm); err != nil {
			return out, err
		}
		if parcel.WidthMM, err = ratecard.ParseCentimetres(f+".widthCm", p.WidthCm); err != nil {
			return out, err
		}
		if parcel.HeightMM, err = ratecard.ParseCentimetres(f+".heightCm", p.HeightCm); err != nil {
			return out, err
		}
		out.Parcels = append(out.Parcels, parcel)
	}
	if len(in.Contents) > transport.MaxContentItems {
		return out, errs.InvalidField("input.contents", "at most %d items", transport.MaxContentItems)
	}
	for i, c := range in.Contents {
		f := "input.contents." + strconv.Itoa(i)
		unit, err := fromMoneyInput(f+".unitValue", c.UnitValue)
		if err != nil {
			return out, err
		}
		w, err := parseKg(f+".weightKg", c.WeightKg)
		if err != nil {
			return out, err
		}
		item := transport.ContentItem{Description: c.Description, SKU: deref(c.Sku), HSCode: deref(c.HsCode),
			OriginCountry: c.OriginCountry, Quantity: int64(c.Quantity), UnitValue: unit, WeightGrams: w}
		if c.ExpectedUnitValue != nil {
			e, err := fromMoneyInput(f+".expectedUnitValue", c.ExpectedUnitValue)
			if err != nil {
				return out, err
			}
			item.ExpectedUnitValue = &e
		}
		out.Contents = append(out.Contents, item)
	}
	return out, nil
}

func fromBookShipmentInput(in model.BookShipmentInput) transport.BookInput {
	out := transport.BookInput{AccountID: in.AccountID, QuoteID: in.QuoteID, IdempotencyKey: in.IdempotencyKey,
		Reference: deref(in.Reference), OrderIDs: in.OrderIds, SenderEORI: deref(in.SenderEori),
		ImporterEORI: deref(in.ImporterEori), ImporterTaxID: deref(in.ImporterTaxID), IOSS: deref(in.Ioss)}
	if in.ReasonForExport != nil {
		out.ReasonForExport = transport.ExportReason(*in.ReasonForExport)
	}
	return out
}

func toGQLBreakdown(b transport.Breakdown) *model.PriceBreakdown {
	return &model.PriceBreakdown{Linehaul: toGQLMoney(b.Linehaul), TierDiscount: toGQLMoney(b.TierDiscount),
		MinimumApplied: b.MinimumApplied, Freight: toGQLMoney(b.Freight), RemoteArea: toGQLMoney(b.RemoteArea),
		Oversize: toGQLMoney(b.Oversize), Fuel: toGQLMoney(b.Fuel), Shipping: toGQLMoney(b.Shipping),
		Duties: toGQLMoney(b.Duties), Taxes: toGQLMoney(b.Taxes), Total: toGQLMoney(b.Total)}
}

func toGQLWeights(w ratecard.Weights) *model.Weights {
	return &model.Weights{ActualKg: formatKg(w.ActualGrams), VolumetricKg: formatKg(w.VolumetricGrams), ChargeableKg: formatKg(w.ChargeableGrams)}
}

func toGQLPool(p transport.PoolStatus) *model.PoolStatus {
	out := &model.PoolStatus{PooledKg: formatKg(p.PooledGrams), TierReached: optionalInt(int64(p.TierReached), p.TierReached >= 0),
		DiscountBps: int(p.DiscountBps), BaseTotal: toGQLMoney(p.BaseTotal), Saving: toGQLMoney(p.Saving)}
	if p.NextTierDiscountBps > 0 {
		out.NextTierDiscountBps = optionalInt(p.NextTierDiscountBps, true)
		kg := formatKg(p.GramsToNextTier)
		out.KgToNextTier = &kg
	}
	return out
}

func toGQLDutyEstimate(e *customs.Estimate) *model.DutyEstimate {
	if e == nil {
		return nil
	}
	return &model.DutyEstimate{Country: e.Country, GoodsValue: toGQLMoney(e.GoodsValue), Shipping: toGQLMoney(e.Shipping),
		DutyExempt: e.DutyExempt, TaxExempt: e.TaxExempt, Duty: toGQLMoney(e.Duty), TaxBase: toGQLMoney(e.TaxBase),
		TaxBps: int(e.TaxBps), TaxName: optional(e.TaxName), Tax: toGQLMoney(e.Tax), Total: toGQLMoney(e.Total)}
}

func toGQLFlags(fs []customs.Flag) []model.CustomsFlag {
	out := []model.CustomsFlag{}
	for _, f := range fs {
		out = append(out, model.CustomsFlag{Code: string(f.Code), Item: optionalInt(int64(f.Item), f.Item >= 0), Message: f.Message})
	}
	return out
}

func toGQLScorecardSummary(s transport.ScorecardSummary) *model.ScorecardSummary {
	return &model.ScorecardSummary{Months: s.Months, Shipments: int(s.Shipments), Delivered: int(s.Delivered), OnTime: int(s.OnTime),
		Late: int(s.Late), Exceptions: int(s.Exceptions), CustomsHolds: int(s.CustomsHolds), Lost: int(s.Lost),
		Complaints: int(s.Complaints), OnTimeRate: s.OnTimeRate, ExceptionRate: s.ExceptionRate, LostRate: s.LostRate,
		P50Days: s.P50Days, P90Days: s.P90Days, Reliability: s.Reliability}
}

func toGQLQuote(q transport.Quote) *model.Quote {
	out := &model.Quote{ID: q.ID, AccountID: q.AccountID, Carrier: carrierRef(q.CarrierID), ServiceCode: q.ServiceCode,
		ServiceName: q.ServiceName, Mode: model.TransportMode(q.Mode), Rank: q.Rank, Breakdown: toGQLBreakdown(q.Breakdown),
		Weights: toGQLWeights(q.Weights), Pool: toGQLPool(q.Pool), DutyEstimate: toGQLDutyEstimate(q.Duty),
		CustomsFlags: toGQLFlags(q.Flags), TransitDaysMin: q.TransitDaysMin, TransitDaysMax: q.TransitDaysMax,
		Scorecard: toGQLScorecardSummary(q.Scorecard), Incoterm: model.Incoterm(q.Incoterm),
		Origin: toGQLShipmentAddress(q.Origin), Destination: toGQLShipmentAddress(q.Destination), ExpiresAt: q.ExpiresAt,
		BookedShipmentID: optional(q.BookedShipmentID), CreatedAt: q.CreatedAt}
	return out
}

func toGQLQuoteResult(r transport.QuoteResult) *model.QuoteShipmentPayload {
	sort := model.QuoteSort(r.Sort)
	out := &model.QuoteShipmentPayload{Quotes: []model.Quote{}, Sort: &sort, Unavailable: []model.UnavailableService{}, UserErrors: []model.UserError{}}
	for _, q := range r.Quotes {
		out.Quotes = append(out.Quotes, *toGQLQuote(q))
	}
	for _, u := range r.Unavailable {
		out.Unavailable = append(out.Unavailable, model.UnavailableService{CarrierCode: u.CarrierCode, ServiceCode: u.ServiceCode,
			Reason: u.Reason, Message: u.Message})
	}
	return out
}

func toGQLContentItems(items []transport.ContentItem) []model.ContentItem {
	out := []model.ContentItem{}
	for _, it := range items {
		out = append(out, model.ContentItem{Description: it.Description, Sku: optional(it.SKU), HsCode: optional(it.HSCode),
			OriginCountry: it.OriginCountry, Quantity: int(it.Quantity), UnitValue: toGQLMoney(it.UnitValue), WeightKg: optionalKg(it.WeightGrams)})
	}
	return out
}

func toGQLTrackingEvent(e transport.TrackingEvent) *model.TrackingEvent {
	return &model.TrackingEvent{ID: e.ID, Status: model.ShipmentStatus(e.Status), OccurredAt: e.OccurredAt,
		Location: optional(e.Location), Description: optional(e.Description), Source: model.TrackingSource(e.Source),
		RecordedAt: e.RecordedAt, WeightKg: optionalKg(e.WeightGrams), Ignored: e.Ignored}
}

// documentURL is the download route of a shipment document (internal/server mounts it).
func documentURL(accountID, shipmentID string, kind transport.DocumentKind) string {
	return "/documents/shipments/" + accountID + "/" + shipmentID + "/" + strings.ReplaceAll(strings.ToLower(string(kind)), "_", "-")
}

func toGQLShipment(s transport.Shipment) *model.Shipment {
	out := &model.Shipment{ID: s.ID, AccountID: s.AccountID, QuoteID: s.QuoteID, Reference: optional(s.Reference),
		OrderIds: append([]string{}, s.OrderIDs...), Carrier: carrierRef(s.CarrierID), ServiceCode: s.ServiceCode,
		ServiceName: s.ServiceName, Mode: model.TransportMode(s.Mode), TrackingNumber: s.TrackingNumber,
		Status: model.ShipmentStatus(s.Status), StatusAt: s.StatusAt, Origin: toGQLShipmentAddress(s.Origin),
		Destination: toGQLShipmentAddress(s.Destination), Parcels: []model.Parcel{}, Weights: toGQLWeights(s.Weights),
		BilledChargeableKg: formatKg(s.BilledChargeableGrams), Breakdown: toGQLBreakdown(s.Breakdown),
		Adjustments: []model.ShipmentAdjustment{}, Incoterm: model.Incoterm(s.Incoterm), TransitDaysMin: s.TransitDaysMin,
		TransitDaysMax: s.TransitDaysMax, Documents: []model.ShipmentDocument{},
		Complaints: []model.Complaint{}, PickedUpAt: s.PickedUpAt, DeliveredAt: s.DeliveredAt, BookedAt: s.BookedAt, UpdatedAt: s.UpdatedAt}
	for _, p := range s.Parcels {
		out.Parcels = append(out.Parcels, model.Parcel{WeightKg: formatKg(p.WeightGrams), LengthCm: formatCm(p.LengthMM),
			WidthCm: formatCm(p.WidthMM), HeightCm: formatCm(p.HeightMM)})
	}
	for _, a := range s.Adjustments {
		out.Adjustments = append(out.Adjustments, model.ShipmentAdjustment{EventID: a.EventID, MeasuredKg: formatKg(a.MeasuredGrams),
			OldChargeableKg: formatKg(a.OldChargeableGrams), NewChargeableKg: formatKg(a.NewChargeableGrams), Amount: toGQLMoney(a.Amount), At: a.At})
	}
	if d := s.Declaration; d != nil {
		out.Declaration = &model.CustomsDeclaration{Incoterm: model.Incoterm(d.Incoterm), ReasonForExport: model.ExportReason(d.ReasonForExport),
			Items: toGQLContentItems(d.Items), SenderEori: optional(d.SenderEORI), ImporterEori: optional(d.ImporterEORI),
			ImporterTaxID: optional(d.ImporterTaxID), Ioss: optional(d.IOSS), Estimate: toGQLDutyEstimate(d.Estimate),
			Flags: toGQLFlags(d.Flags), CreatedAt: d.CreatedAt}
	}
	for _, d := range s.Documents {
		out.Documents = append(out.Documents, model.ShipmentDocument{Kind: model.ShipmentDocumentKind(d.Kind), FileName: d.FileName,
			ContentType: d.ContentType, Size: d.Size, URL: documentURL(s.AccountID, s.ID, d.Kind)})
	}
	if e := s.LatestEvent; e != nil {
		out.LatestEvent = toGQLTrackingEvent(*e)
	}
	for _, c := range s.Complaints {
		out.Complaints = append(out.Complaints, model.Complaint{Kind: model.ComplaintKind(c.Kind), Note: optional(c.Note), FiledAt: c.FiledAt})
	}
	return out
}

func toGQLShipmentConnection(r cursor.Result[transport.Shipment]) *model.ShipmentConnection {
	c := &model.ShipmentConnection{Edges: []model.ShipmentEdge{}, Nodes: []model.Shipment{}, PageInfo: toGQLPageInfo(r)}
	for i, s := range r.Items {
		n := toGQLShipment(s)
		c.Nodes = append(c.Nodes, *n)
		c.Edges = append(c.Edges, model.ShipmentEdge{Cursor: r.Cursors[i], Node: n})
	}
	return c
}

func toGQLScorecard(s transport.Scorecard) *model.Scorecard {
	out := &model.Scorecard{Carrier: carrierRef(s.CarrierID), ServiceCode: s.ServiceCode, Origin: s.Origin, Destination: s.Destination,
		Month: s.Month, Shipments: int(s.Shipments), Delivered: int(s.Delivered), OnTime: int(s.OnTime), Late: int(s.Late),
		Exceptions: int(s.Exceptions), CustomsHolds: int(s.CustomsHolds), Lost: int(s.Lost), Returned: int(s.Returned),
		Complaints: []model.ComplaintCount{}, TransitHistogram: []int{}, P50Days: s.P50Days, P90Days: s.P90Days,
		OnTimeRate: s.OnTimeRate, ExceptionRate: s.ExceptionRate, CustomsHoldRate: s.CustomsHoldRate, LostRate: s.LostRate,
		ComplaintRate: s.ComplaintRate}
	for _, k := range []transport.ComplaintKind{transport.ComplaintLate, transport.ComplaintDamaged, transport.ComplaintLost, transport.ComplaintOther} {
		if n := s.Complaints[k]; n > 0 {
			out.Complaints = append(out.Complaints, model.ComplaintCount{Kind: model.ComplaintKind(k), Count: int(n)})
		}
	}
	for _, n := range s.TransitHistogram {
		out.TransitHistogram = append(out.TransitHistogram, int(n))
	}
	return out
}

func fromScorecardFilter(f *model.ScorecardFilter) transport.ScorecardFilter {
	if f == nil {
		return transport.ScorecardFilter{}
	}
	return transport.ScorecardFilter{CarrierID: deref(f.CarrierID), ServiceCode: deref(f.ServiceCode), Origin: deref(f.Origin),
		Destination: deref(f.Destination), FromMonth: deref(f.FromMonth), ToMonth: deref(f.ToMonth)}
}

// importErrors maps every line problem of a refused CSV import to a userError.
func importErrors(res transport.ImportResult) []model.UserError {
	out := []model.UserError{}
	for _, e := range res.Errors {
		field := []string{"input", "csv", strconv.Itoa(e.Line)}
		if e.Column != "" {
			field = append(field, e.Column)
		}
		out = append(out, model.UserError{Code: model.UserErrorCode(transport.ErrInvalidCSV.Reason), Field: field, Message: e.Message})
	}
	return out
}

func toGQLTrackingEvents(list []transport.TrackingEvent) []model.TrackingEvent {
	out := make([]model.TrackingEvent, len(list))
	for i, e := range list {
		out[i] = *toGQLTrackingEvent(e)
	}
	return out
}

func shipmentPayload(s transport.Shipment, err error) (*model.ShipmentPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.ShipmentPayload{UserErrors: ue}, err
	}
	return &model.ShipmentPayload{Shipment: toGQLShipment(s), UserErrors: noUserErrors()}, nil
}

// rateCardField maps the service's rate card field paths (input.card.breaks.0.perKg,
// input.lane.origin) to the flat GraphQL input (input.breaks.0.perKg, input.origin), under
// input.rateCard for updateRateCard.
func rateCardField(err error, nested bool) error {
	e, ok := errs.As(err)
	if !ok || len(e.Field) < 2 || e.Field[0] != "input" {
		return err
	}
	c := *e
	rest := e.Field[1:]
	if rest[0] == "card" || rest[0] == "lane" {
		rest = rest[1:]
	}
	c.Field = []string{"input"}
	if nested && (len(rest) == 0 || rest[0] != "rateCard") {
		c.Field = append(c.Field, "rateCard")
	}
	c.Field = append(c.Field, rest...)
	return &c
}

func rateCardPayload(c transport.RateCard, err error) (*model.RateCardPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.RateCardPayload{UserErrors: ue}, err
	}
	return &model.RateCardPayload{RateCard: toGQLRateCard(c), UserErrors: noUserErrors()}, nil
}

// followShipments turns the service's shipment changes into the changed shipments, read as
// the subscriber (so a change it may no longer see is skipped). The channel closes when the
// subscription ends or the feed asks the client to subscribe again.
func (r *Resolver) followShipments(ctx context.Context, accountID, shipmentID string) (<-chan *model.Shipment, error) {
	changes, stop, err := r.Transport.SubscribeShipments(ctx, accountID, shipmentID)
	if err != nil {
		return nil, err
	}
	out := make(chan *model.Shipment, 1)
	go func() {
		defer close(out)
		defer stop()
		for c := range changes {
			s, err := r.Transport.Shipment(ctx, accountID, c.ShipmentID)
			if err != nil {
				if errs.CodeOf(err) != errs.NotFound && ctx.Err() == nil {
					r.Logger.WarnContext(ctx, "shipment subscription", "shipment", c.ShipmentID, "error", err)
				}
				continue
			}
			select {
			case out <- toGQLShipment(s):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
