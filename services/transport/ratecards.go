package transport

import (
	"context"
	"io"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/transport/customs"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// RateCardInput is a rate card to create or replace.
type RateCardInput struct {
	CarrierID      string
	ServiceCode    string
	Lane           ratecard.Lane
	TransitDaysMin int
	TransitDaysMax int
	EffectiveFrom  time.Time
	EffectiveTo    *time.Time
	Card           ratecard.Card
}

// prefixed re-roots a validation error's field under prefix.
func prefixed(prefix string, err error) error {
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		c := *e
		c.Field = append(strings.Split(prefix, "."), e.Field...)
		return &c
	}
	return err
}

func (s *Service) validateRateCard(ctx context.Context, in *RateCardInput) error {
	in.ServiceCode = strings.ToUpper(in.ServiceCode)
	in.Lane.Origin, in.Lane.Destination = strings.ToUpper(in.Lane.Origin), strings.ToUpper(in.Lane.Destination)
	if err := ratecard.ValidateLane(in.Lane); err != nil {
		return prefixed("input.lane", err)
	}
	if err := ratecard.ValidateTransit(in.TransitDaysMin, in.TransitDaysMax); err != nil {
		return prefixed("input", err)
	}
	if in.EffectiveFrom.IsZero() {
		return errs.InvalidField("input.effectiveFrom", "required")
	}
	if in.EffectiveTo != nil && !in.EffectiveTo.After(in.EffectiveFrom) {
		return errs.InvalidField("input.effectiveTo", "must be after effectiveFrom")
	}
	if err := in.Card.Validate(); err != nil {
		return prefixed("input.card", err)
	}
	c, err := s.carrier(ctx, in.CarrierID)
	if errs.IsCode(err, errs.NotFound) {
		return errs.InvalidField("input.carrierId", "no such carrier")
	}
	if err != nil {
		return err
	}
	if _, ok := c.toCarrier().Service(in.ServiceCode); !ok {
		return errs.InvalidField("input.serviceCode", "the carrier has no service %s", in.ServiceCode)
	}
	return nil
}

// CreateRateCard adds a rate card (platform admins: rate_cards write). It returns INVALID with
// a field under "input" for bad input (unknown carrier or service, bad lane, card rules from
// ratecard.Card.Validate).
func (s *Service) CreateRateCard(ctx context.Context, in RateCardInput) (RateCard, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResRateCards, access.Write); err != nil {
		return RateCard{}, err
	}
	if err := s.validateRateCard(ctx, &in); err != nil {
		return RateCard{}, err
	}
	rc := s.newRateCard(in)
	audit.Annotate(ctx, "", rc.ID)
	if _, err := s.cards.InsertOne(ctx, toRateCardDoc(rc)); err != nil {
		return RateCard{}, internal("create rate card", err)
	}
	return rc, nil
}

func (s *Service) newRateCard(in RateCardInput) RateCard {
	now := s.clock.Now()
	rc := RateCard{ID: ids.New(ids.RateCard), CarrierID: in.CarrierID, ServiceCode: in.ServiceCode, Lane: in.Lane,
		TransitDaysMin: in.TransitDaysMin, TransitDaysMax: in.TransitDaysMax, EffectiveFrom: in.EffectiveFrom.UTC(),
		Card: in.Card, CreatedAt: now, UpdatedAt: now}
	if in.EffectiveTo != nil {
		t := in.EffectiveTo.UTC()
		rc.EffectiveTo = &t
	}
	return rc
}

// UpdateRateCard replaces a card's contents. Quotes already given keep the card they were
// priced with (a snapshot); new quotes use the new contents. Errors as CreateRateCard, plus
// NOT_FOUND.
func (s *Service) UpdateRateCard(ctx context.Context, id string, in RateCardInput) (RateCard, error) {
	audit.Annotate(ctx, "", id)
	if err := s.access.Require(ctx, access.DomainPlatform, ResRateCards, access.Write); err != nil {
		return RateCard{}, err
	}
	if err := s.validateRateCard(ctx, &in); err != nil {
		return RateCard{}, err
	}
	old, err := s.RateCard(ctx, id)
	if err != nil {
		return RateCard{}, err
	}
	rc := s.newRateCard(in)
	rc.ID, rc.CreatedAt = id, old.CreatedAt
	if _, err := s.cards.ReplaceOne(ctx, bson.D{{Key: fID, Value: id}}, toRateCardDoc(rc)); err != nil {
		return RateCard{}, internal("update rate card", err)
	}
	return rc, nil
}

// DeleteRateCard removes a card. Platform admins; NOT_FOUND for an unknown id.
func (s *Service) DeleteRateCard(ctx context.Context, id string) error {
	audit.Annotate(ctx, "", id)
	if err := s.access.Require(ctx, access.DomainPlatform, ResRateCards, access.Write); err != nil {
		return err
	}
	res, err := s.cards.DeleteOne(ctx, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return internal("delete rate card", err)
	}
	if res.DeletedCount == 0 {
		return ErrNotFound
	}
	return nil
}

// RateCard returns a card (staff: rate_cards read). NOT_FOUND for an unknown id.
func (s *Service) RateCard(ctx context.Context, id string) (RateCard, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResRateCards, access.Read); err != nil {
		return RateCard{}, err
	}
	var d rateCardDoc
	err := s.cards.FindOne(ctx, bson.D{{Key: fID, Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return RateCard{}, ErrNotFound
	}
	if err != nil {
		return RateCard{}, internal("read rate card", err)
	}
	return d.toRateCard(), nil
}

// RateCardFilter narrows ListRateCards; empty fields match all.
type RateCardFilter struct {
	CarrierID   string
	Destination string
}

// ListRateCards returns the cards that match f (at most 1000), by destination, origin,
// carrier, service and effective date (staff: rate_cards read).
func (s *Service) ListRateCards(ctx context.Context, f RateCardFilter) ([]RateCard, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResRateCards, access.Read); err != nil {
		return nil, err
	}
	filter := bson.D{}
	if f.CarrierID != "" {
		filter = append(filter, bson.E{Key: fCarrierID, Value: f.CarrierID})
	}
	if f.Destination != "" {
		filter = append(filter, bson.E{Key: fDestination, Value: f.Destination})
	}
	cur, err := s.cards.Find(ctx, filter, options.Find().SetLimit(1000).SetSort(bson.D{{Key: fDestination, Value: 1},
		{Key: fOrigin, Value: 1}, {Key: fCarrierID, Value: 1}, {Key: fServiceCode, Value: 1}, {Key: fEffectiveFrom, Value: 1}}))
	if err != nil {
		return nil, internal("list rate cards", err)
	}
	var docs []rateCardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("list rate cards", err)
	}
	out := make([]RateCard, len(docs))
	for i, d := range docs {
		out[i] = d.toRateCard()
	}
	return out, nil
}

// ImportResult is what ImportRateCards did or found.
type ImportResult struct {
	Created []RateCard
	Errors  []ratecard.LineError // non-empty means nothing was imported
}

// ErrInvalidCSV reports a rate card CSV with problems; ImportResult.Errors lists them by line.
var ErrInvalidCSV = errs.Sentinel(errs.Invalid, "INVALID_RATE_CARD_CSV", "the rate card file has errors: nothing was imported")

// MaxImportBytes bounds a rate card CSV.
const MaxImportBytes = 4 << 20

// ImportRateCards reads rate cards from CSV (format: ratecard.Columns) and creates them all, or
// none if any line has a problem (platform admins). With problems it returns the result with
// Errors and ErrInvalidCSV whose field is ["input", "csv", "<line>", "<column>"] of the first
// one, so a resolver can map every LineError to a userError.
func (s *Service) ImportRateCards(ctx context.Context, r io.Reader) (ImportResult, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResRateCards, access.Write); err != nil {
		return ImportResult{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return ImportResult{}, errs.InvalidField("input.csv", "the file could not be read")
	}
	if len(data) > MaxImportBytes {
		return ImportResult{}, errs.InvalidField("input.csv", "the file is larger than %d MiB", MaxImportBytes>>20)
	}
	entries, problems := ratecard.ParseCSV(strings.NewReader(string(data)))
	carriers, err := s.findCarriers(ctx, bson.D{})
	if err != nil {
		return ImportResult{}, err
	}
	byCode := map[string]Carrier{}
	for _, c := range carriers {
		byCode[c.Code] = c.toCarrier()
	}
	var inputs []RateCardInput
	for _, e := range entries {
		c, ok := byCode[e.CarrierCode]
		if !ok {
			problems = append(problems, ratecard.LineError{Line: e.Line, Column: "carrier", Message: "no carrier with this code"})
			continue
		}
		if _, ok := c.Service(e.ServiceCode); !ok {
			problems = append(problems, ratecard.LineError{Line: e.Line, Column: "service", Message: "the carrier has no such service"})
			continue
		}
		inputs = append(inputs, RateCardInput{CarrierID: c.ID, ServiceCode: e.ServiceCode, Lane: e.Lane,
			TransitDaysMin: e.TransitDaysMin, TransitDaysMax: e.TransitDaysMax, EffectiveFrom: e.EffectiveFrom,
			EffectiveTo: e.EffectiveTo, Card: e.Card})
	}
	if len(problems) > 0 {
		p := problems[0]
		e := ErrInvalidCSV.With("", nil)
		e.Field = []string{"input", "csv", itoa(p.Line), p.Column}
		return ImportResult{Errors: problems}, e
	}
	var res ImportResult
	var docs []any
	for _, in := range inputs {
		rc := s.newRateCard(in)
		res.Created = append(res.Created, rc)
		docs = append(docs, toRateCardDoc(rc))
	}
	if len(docs) > 0 {
		if _, err := s.cards.InsertMany(ctx, docs); err != nil {
			return ImportResult{}, internal("import rate cards", err)
		}
	}
	return res, nil
}

// ---- customs rules ----

// CustomsRule returns the duty and tax rule of a destination (staff: customs_rules read).
// NOT_FOUND when the country has none.
func (s *Service) CustomsRule(ctx context.Context, country string) (customs.Rule, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResCustomsRules, access.Read); err != nil {
		return customs.Rule{}, err
	}
	r, ok, err := s.rule(ctx, country)
	if err != nil {
		return customs.Rule{}, err
	}
	if !ok {
		return customs.Rule{}, ErrNotFound
	}
	return r, nil
}

func (s *Service) rule(ctx context.Context, country string) (customs.Rule, bool, error) {
	var d ruleDoc
	err := s.rules.FindOne(ctx, bson.D{{Key: fID, Value: country}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return customs.Rule{}, false, nil
	}
	if err != nil {
		return customs.Rule{}, false, internal("read customs rule", err)
	}
	return d.toRule(), true, nil
}

// ListCustomsRules returns every destination's rule, by country (staff).
func (s *Service) ListCustomsRules(ctx context.Context) ([]customs.Rule, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResCustomsRules, access.Read); err != nil {
		return nil, err
	}
	cur, err := s.rules.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return nil, internal("list customs rules", err)
	}
	var docs []ruleDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("list customs rules", err)
	}
	out := make([]customs.Rule, len(docs))
	for i, d := range docs {
		out[i] = d.toRule()
	}
	return out, nil
}

// UpsertCustomsRule creates or replaces a destination's rule (platform admins: customs_rules
// write). INVALID with a field under "input" for a bad rule.
func (s *Service) UpsertCustomsRule(ctx context.Context, r customs.Rule) (customs.Rule, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResCustomsRules, access.Write); err != nil {
		return customs.Rule{}, err
	}
	if err := r.Validate(); err != nil {
		return customs.Rule{}, prefixed("input", err)
	}
	if err := s.putRule(ctx, r); err != nil {
		return customs.Rule{}, err
	}
	return r, nil
}

func (s *Service) putRule(ctx context.Context, r customs.Rule) error {
	_, err := s.rules.ReplaceOne(ctx, bson.D{{Key: fID, Value: r.Country}}, toRuleDoc(r, s.clock.Now()),
		options.Replace().SetUpsert(true))
	if err != nil {
		return internal("store customs rule", err)
	}
	return nil
}

// SeedCustomsRules stores customs.DefaultRules for every country that has no rule yet, so an
// admin's edits survive restarts. It is system code (start-up, demo): no authorization.
func (s *Service) SeedCustomsRules(ctx context.Context) error {
	for _, r := range customs.DefaultRules() {
		_, ok, err := s.rule(ctx, r.Country)
		if err != nil {
			return err
		}
		if !ok {
			if err := s.putRule(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}
