package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// CarrierInput creates or replaces a carrier's details.
type CarrierInput struct {
	Code           string
	Name           string
	Adapter        string // "" means RateCardAdapterName
	TrackingPrefix string // two letters, required for the built-in adapter
	Services       []CarrierService
	Active         bool
}

var prefixPattern = regexp.MustCompile(`^[A-Z]{2}$`)

func (s *Service) validateCarrier(in *CarrierInput) error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	if in.Adapter == "" {
		in.Adapter = RateCardAdapterName
	}
	switch {
	case !ratecard.ValidCode(in.Code):
		return errs.InvalidField("input.code", "a carrier code is 2 to 20 of A–Z, 0–9 and _")
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 100:
		return errs.InvalidField("input.name", "a name is 1 to 100 characters")
	case s.adapters[in.Adapter] == nil:
		return errs.InvalidField("input.adapter", "unknown carrier adapter %q", in.Adapter)
	case in.Adapter == RateCardAdapterName && !prefixPattern.MatchString(in.TrackingPrefix):
		return errs.InvalidField("input.trackingPrefix", "the built-in carrier needs two capital letters")
	case len(in.Services) == 0 || len(in.Services) > 50:
		return errs.InvalidField("input.services", "a carrier has 1 to 50 services")
	}
	seen := map[string]bool{}
	for i, sv := range in.Services {
		f := "input.services." + itoa(i)
		sv.Code = strings.ToUpper(strings.TrimSpace(sv.Code))
		sv.Name = strings.TrimSpace(sv.Name)
		in.Services[i] = sv
		switch {
		case !ratecard.ValidCode(sv.Code):
			return errs.InvalidField(f+".code", "a service code is 2 to 20 of A–Z, 0–9 and _")
		case seen[sv.Code]:
			return errs.InvalidField(f+".code", "service codes must differ")
		case sv.Name == "" || utf8.RuneCountInString(sv.Name) > 100:
			return errs.InvalidField(f+".name", "a name is 1 to 100 characters")
		case !sv.Mode.Valid():
			return errs.InvalidField(f+".mode", "unknown mode")
		case sv.MaxParcelWeightGrams < 0 || sv.MaxLengthMM < 0 || sv.MaxGirthMM < 0:
			return errs.InvalidField(f, "limits must not be negative")
		}
		seen[sv.Code] = true
	}
	return nil
}

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateCarrier adds a carrier (platform admins: carriers write) and returns it with its
// webhook signing secret, shown this once (give it to the carrier; RotateWebhookSecret makes a
// new one). It returns INVALID with a field for bad input and ALREADY_EXISTS (CONFLICT) for a
// code in use.
func (s *Service) CreateCarrier(ctx context.Context, in CarrierInput) (Carrier, string, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, ResCarriers, access.Write); err != nil {
		return Carrier{}, "", err
	}
	return s.createCarrier(ctx, in, newSecret())
}

func (s *Service) createCarrier(ctx context.Context, in CarrierInput, secret string) (Carrier, string, error) {
	if err := s.validateCarrier(&in); err != nil {
		return Carrier{}, "", err
	}
	now := s.clock.Now()
	d := carrierDoc{ID: ids.New(ids.Carrier), Code: in.Code, Name: in.Name, Adapter: in.Adapter,
		TrackingPrefix: in.TrackingPrefix, Services: toServiceDocs(in.Services), Active: in.Active,
		WebhookSecret: secret, CreatedAt: now, UpdatedAt: now}
	audit.Annotate(ctx, "", d.ID)
	if _, err := s.carriers.InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return Carrier{}, "", ErrAlreadyExists.With("input.code", err).WithMessage("a carrier with code %s exists", in.Code)
		}
		return Carrier{}, "", internal("create carrier", err)
	}
	return d.toCarrier(), secret, nil
}

// UpdateCarrier replaces a carrier's name, adapter, prefix, services and active flag (its code
// stays). Removing a service leaves its rate cards unused. Same errors as CreateCarrier, plus
// NOT_FOUND.
func (s *Service) UpdateCarrier(ctx context.Context, id string, in CarrierInput) (Carrier, error) {
	audit.Annotate(ctx, "", id)
	if err := s.access.Require(ctx, access.DomainPlatform, ResCarriers, access.Write); err != nil {
		return Carrier{}, err
	}
	old, err := s.carrier(ctx, id)
	if err != nil {
		return Carrier{}, err
	}
	in.Code = old.Code
	if err := s.validateCarrier(&in); err != nil {
		return Carrier{}, err
	}
	var d carrierDoc
	err = s.carriers.FindOneAndUpdate(ctx, bson.D{{Key: fID, Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: in.Name}, {Key: "adapter", Value: in.Adapter}, {Key: "trackingPrefix", Value: in.TrackingPrefix},
		{Key: "services", Value: toServiceDocs(in.Services)}, {Key: "active", Value: in.Active},
		{Key: "updatedAt", Value: s.clock.Now()}}}}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return Carrier{}, ErrNotFound
	}
	if err != nil {
		return Carrier{}, internal("update carrier", err)
	}
	return d.toCarrier(), nil
}

// RotateWebhookSecret gives a carrier a new webhook secret and returns it; the old one stops
// working at once (coordinate with the carrier). Platform admins; NOT_FOUND for an unknown id.
func (s *Service) RotateWebhookSecret(ctx context.Context, id string) (string, error) {
	audit.Annotate(ctx, "", id)
	if err := s.access.Require(ctx, access.DomainPlatform, ResCarriers, access.Write); err != nil {
		return "", err
	}
	secret := newSecret()
	res, err := s.carriers.UpdateOne(ctx, bson.D{{Key: fID, Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "webhookSecret", Value: secret}, {Key: "updatedAt", Value: s.clock.Now()}}}})
	if err != nil {
		return "", internal("rotate secret", err)
	}
	if res.MatchedCount == 0 {
		return "", ErrNotFound
	}
	return secret, nil
}

// Carrier returns a carrier. Carriers are reference data: any authenticated caller may read
// them. UNAUTHENTICATED without a principal, NOT_FOUND for an unknown id.
func (s *Service) Carrier(ctx context.Context, id string) (Carrier, error) {
	if err := requirePrincipal(ctx); err != nil {
		return Carrier{}, err
	}
	d, err := s.carrier(ctx, id)
	if err != nil {
		return Carrier{}, err
	}
	return d.toCarrier(), nil
}

func (s *Service) carrier(ctx context.Context, id string) (carrierDoc, error) {
	var d carrierDoc
	err := s.carriers.FindOne(ctx, bson.D{{Key: fID, Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return d, ErrNotFound
	}
	if err != nil {
		return d, internal("read carrier", err)
	}
	return d, nil
}

func (s *Service) carrierByCode(ctx context.Context, code string) (carrierDoc, error) {
	var d carrierDoc
	err := s.carriers.FindOne(ctx, bson.D{{Key: fCode, Value: code}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return d, ErrNotFound
	}
	if err != nil {
		return d, internal("read carrier", err)
	}
	return d, nil
}

// ListCarriers returns every carrier, by code (a few dozen at most). Any authenticated caller.
func (s *Service) ListCarriers(ctx context.Context) ([]Carrier, error) {
	if err := requirePrincipal(ctx); err != nil {
		return nil, err
	}
	docs, err := s.findCarriers(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	out := make([]Carrier, len(docs))
	for i, d := range docs {
		out[i] = d.toCarrier()
	}
	return out, nil
}

// CarriersByID returns the carriers with the given ids in one query, for a dataloader; unknown
// ids are absent from the map. Any authenticated caller.
func (s *Service) CarriersByID(ctx context.Context, carrierIDs []string) (map[string]Carrier, error) {
	if err := requirePrincipal(ctx); err != nil {
		return nil, err
	}
	docs, err := s.findCarriers(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: carrierIDs}}}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Carrier, len(docs))
	for _, d := range docs {
		out[d.ID] = d.toCarrier()
	}
	return out, nil
}

func (s *Service) findCarriers(ctx context.Context, filter bson.D) ([]carrierDoc, error) {
	cur, err := s.carriers.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: fCode, Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, internal("list carriers", err)
	}
	var docs []carrierDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("list carriers", err)
	}
	return docs, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
