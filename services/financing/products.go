package financing

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Limits of a product's terms.
const (
	MaxAdvanceRateBps = 10_000
	MaxAPRBps         = 100_000
	MaxTenorDays      = 365
)

func validateProduct(p *Product) error {
	switch {
	case strings.TrimSpace(p.Name) == "" || len(p.Name) > 120:
		return errs.InvalidField("input.name", "a name of 1 to 120 characters")
	case p.Currency.IsZero():
		return errs.InvalidField("input.currency", "a currency")
	case len(p.Collateral) == 0:
		return errs.InvalidField("input.collateral", "at least one collateral type")
	case p.APRBps < 0 || p.APRBps > MaxAPRBps:
		return errs.InvalidField("input.aprBps", "an APR of 0 to %d basis points", MaxAPRBps)
	case p.FeeBps < 0 || p.FeeBps > 10_000:
		return errs.InvalidField("input.feeBps", "a fee of 0 to 10000 basis points")
	case p.MaxTenorDays < 1 || p.MaxTenorDays > MaxTenorDays:
		return errs.InvalidField("input.maxTenorDays", "1 to %d days", MaxTenorDays)
	case p.GraceDays < 0 || p.GraceDays > 90:
		return errs.InvalidField("input.graceDays", "0 to 90 days")
	}
	for _, m := range []struct {
		f string
		v *money.Money
	}{{"input.minFee", &p.MinFee}, {"input.lateFee", &p.LateFee}, {"input.borrowerLimit", &p.BorrowerLimit}} {
		if m.v.Currency.IsZero() {
			*m.v = money.New(m.v.Amount, p.Currency)
		}
		if m.v.Currency != p.Currency {
			return ErrCurrency.With(m.f, nil)
		}
		if m.v.Amount < 0 {
			return errs.InvalidField(m.f, "zero or more")
		}
	}
	seen := map[CollateralType]bool{}
	for i := range p.Collateral {
		c := &p.Collateral[i]
		f := "input.collateral." + itoa(i)
		if !c.Type.Valid() || seen[c.Type] {
			return errs.InvalidField(f+".type", "each collateral type once")
		}
		seen[c.Type] = true
		if c.AdvanceRateBps < 1 || c.AdvanceRateBps > MaxAdvanceRateBps {
			return errs.InvalidField(f+".advanceRateBps", "1 to 10000 basis points")
		}
		if c.SubLimit.Currency.IsZero() {
			c.SubLimit = money.New(c.SubLimit.Amount, p.Currency)
		}
		if c.SubLimit.Currency != p.Currency || c.SubLimit.Amount < 0 {
			return errs.InvalidField(f+".subLimit", "zero or more in the product's currency")
		}
	}
	for i, s := range p.ShipmentStatuses {
		if slices.Contains([]string{"EXCEPTION", "CUSTOMS_HOLD", "LOST", "DELIVERED", "RETURNED_TO_SENDER"}, s) ||
			!slices.Contains(DefaultShipmentStatuses, s) {
			return errs.InvalidField("input.shipmentStatuses."+itoa(i), "a status of goods moving normally")
		}
	}
	for i, l := range p.EligibleLanes {
		if len(l.Origin) != 2 || len(l.Destination) != 2 {
			return errs.InvalidField("input.eligibleLanes."+itoa(i), "two ISO country codes")
		}
	}
	for i, c := range p.DestinationCountries {
		if len(c) != 2 {
			return errs.InvalidField("input.destinationCountries."+itoa(i), "an ISO country code")
		}
	}
	return nil
}

// CreateProduct creates a partner's product (write on financing_products in the partner's
// domain). Errors: INVALID with a field under "input"; access errors.
func (s *Service) CreateProduct(ctx context.Context, p Product) (Product, error) {
	if err := s.access.Require(ctx, p.PartnerID, ResProducts, access.Write); err != nil {
		return Product{}, err
	}
	if err := validateProduct(&p); err != nil {
		return Product{}, err
	}
	p.ID = ids.New(ids.PartnerProduct)
	p.CreatedAt = s.clock.Now()
	if _, err := s.products.InsertOne(ctx, productDoc{ID: p.ID, Product: p}); err != nil {
		return Product{}, internal("insert product", err)
	}
	return p, nil
}

// Products lists a partner's products (read on financing_products in its domain).
func (s *Service) Products(ctx context.Context, partnerID string) ([]Product, error) {
	if err := s.access.Require(ctx, partnerID, ResProducts, access.Read); err != nil {
		return nil, err
	}
	docs, err := findAll[productDoc](ctx, s.products, bson.D{{Key: fPartnerID, Value: partnerID}},
		options.Find().SetSort(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make([]Product, len(docs))
	for i, d := range docs {
		out[i] = d.Product
	}
	return out, nil
}

// Product returns a product to its partner's people (read on financing_products), or to a caller
// who reads the financing of an account with a facility under it. NOT_FOUND otherwise.
func (s *Service) Product(ctx context.Context, id string) (Product, error) {
	d, err := findOne[productDoc](ctx, s.products, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return Product{}, err
	}
	if s.access.Require(ctx, d.PartnerID, ResProducts, access.Read) == nil {
		return d.Product, nil
	}
	facs, err := findAll[facilityDoc](ctx, s.facilities, bson.D{{Key: fProductID, Value: id}})
	if err != nil {
		return Product{}, err
	}
	for _, f := range facs {
		if sc, err := s.readScope(ctx, f.AccountID); err == nil && sc.sees(f.PartnerID) {
			return d.Product, nil
		}
	}
	return Product{}, ErrNotFound
}

func (s *Service) product(ctx context.Context, id string) (Product, error) {
	d, err := findOne[productDoc](ctx, s.products, bson.D{{Key: fID, Value: id}})
	return d.Product, err
}

// FacilityInput opens a facility.
type FacilityInput struct {
	AccountID string
	ProductID string
	Limit     money.Money
}

// CreateFacility opens a credit facility for an account under a product (write on
// financing_decisions in the account's domain, by the product's partner or staff). The account
// must have consented to the partner. Errors: NOT_FOUND for a product or account the caller
// cannot see; NO_CONSENT; INVALID input.limit; ALREADY_EXISTS for a second facility of the
// account under the product.
func (s *Service) CreateFacility(ctx context.Context, in FacilityInput) (Facility, error) {
	p, err := s.product(ctx, in.ProductID)
	if err != nil {
		return Facility{}, ErrNotFound.With("input.productId", nil)
	}
	if err := s.access.Require(ctx, p.PartnerID, ResProducts, access.Read); err != nil {
		return Facility{}, ErrNotFound.With("input.productId", nil)
	}
	if err := s.requirePartnerAct(ctx, in.AccountID, p.PartnerID, ResFinancingDecisions); err != nil {
		return Facility{}, notFoundAt(err, "input.accountId")
	}
	if !slices.Contains(s.cfg.Partners.ConsentingAccounts(p.PartnerID), in.AccountID) {
		return Facility{}, ErrNoConsent.With("input.accountId", nil)
	}
	if in.Limit.Currency != p.Currency {
		return Facility{}, ErrCurrency.With("input.limit", nil)
	}
	if in.Limit.Amount <= 0 {
		return Facility{}, errs.InvalidField("input.limit", "a limit above zero")
	}
	now := s.clock.Now()
	f := Facility{ID: ids.New(ids.Facility), AccountID: in.AccountID, PartnerID: p.PartnerID, ProductID: p.ID,
		Limit: in.Limit, Outstanding: money.New(0, p.Currency), Status: FacilityActive, CreatedAt: now, UpdatedAt: now}
	if _, err := s.facilities.InsertOne(ctx, facilityDoc{ID: f.ID, Headroom: f.Limit.Amount, Facility: f}); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return Facility{}, ErrDuplicateFacility.With("input.productId", nil)
		}
		return Facility{}, internal("insert facility", err)
	}
	return withAvailable(f), nil
}

func withAvailable(f Facility) Facility {
	f.Available = money.New(max(0, f.Limit.Amount-f.Outstanding.Amount), f.Limit.Currency)
	return f
}

// Facilities lists the account's facilities the caller may see (a partner sees its own).
func (s *Service) Facilities(ctx context.Context, accountID string) ([]Facility, error) {
	sc, err := s.readScope(ctx, accountID)
	if err != nil {
		return nil, err
	}
	docs, err := findAll[facilityDoc](ctx, s.facilities, bson.D{{Key: fAccountID, Value: accountID}},
		options.Find().SetSort(bson.D{{Key: fID, Value: 1}}))
	if err != nil {
		return nil, err
	}
	var out []Facility
	for _, d := range docs {
		if sc.sees(d.PartnerID) {
			out = append(out, withAvailable(d.Facility))
		}
	}
	return out, nil
}

// Facility returns one facility; NOT_FOUND when the caller may not see it.
func (s *Service) Facility(ctx context.Context, id string) (Facility, error) {
	d, err := findOne[facilityDoc](ctx, s.facilities, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return Facility{}, err
	}
	sc, err := s.readScope(ctx, d.AccountID)
	if err != nil || !sc.sees(d.PartnerID) {
		return Facility{}, ErrNotFound
	}
	return withAvailable(d.Facility), nil
}

// SetFacilityStatus freezes, reopens or closes a facility (the partner or staff). A frozen or
// closed facility takes no new drawdowns; loans already funded run on. CLOSED is final.
func (s *Service) SetFacilityStatus(ctx context.Context, id string, st FacilityStatus) (Facility, error) {
	d, err := findOne[facilityDoc](ctx, s.facilities, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return Facility{}, notFoundAt(err, "input.facilityId")
	}
	if err := s.requirePartnerAct(ctx, d.AccountID, d.PartnerID, ResFinancingDecisions); err != nil {
		return Facility{}, notFoundAt(err, "input.facilityId")
	}
	if st != FacilityActive && st != FacilityFrozen && st != FacilityClosed {
		return Facility{}, errs.InvalidField("input.status", "ACTIVE, FROZEN or CLOSED")
	}
	res, err := s.facilities.UpdateOne(ctx, bson.D{{Key: fID, Value: id}, {Key: fStatus, Value: bson.D{{Key: "$ne", Value: string(FacilityClosed)}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fStatus, Value: string(st)}, {Key: "updatedat", Value: s.clock.Now()}}}})
	if err != nil {
		return Facility{}, internal("set facility status", err)
	}
	if res.MatchedCount == 0 {
		return Facility{}, ErrInvalidTransition.With("input.status", nil)
	}
	return s.Facility(ctx, id)
}

// drawdown takes amount from the facility in ONE guarded update: it matches only while the
// facility is ACTIVE and its headroom (limit − outstanding, stored so that it can guard) covers
// the amount, so concurrent drawdowns never overdraw and none fails while there is room.
func (s *Service) drawdown(ctx context.Context, facilityID string, amount int64) error {
	res, err := s.facilities.UpdateOne(ctx, bson.D{{Key: fID, Value: facilityID}, {Key: fStatus, Value: string(FacilityActive)},
		{Key: fHeadroom, Value: bson.D{{Key: "$gte", Value: amount}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: fOutstand, Value: amount}, {Key: fHeadroom, Value: -amount}}},
			{Key: "$set", Value: bson.D{{Key: "updatedat", Value: s.clock.Now()}}}})
	if err != nil {
		return internal("drawdown", err)
	}
	if res.ModifiedCount == 1 {
		return nil
	}
	d, err := findOne[facilityDoc](ctx, s.facilities, bson.D{{Key: fID, Value: facilityID}})
	if err != nil {
		return err
	}
	if d.Status != FacilityActive {
		return ErrFacilityUnavailable
	}
	return ErrInsufficientFacility
}

// restore gives principal back to the facility (repayment, write-off, a failed funding).
func (s *Service) restore(ctx context.Context, facilityID string, amount int64) error {
	if amount <= 0 {
		return nil
	}
	_, err := s.facilities.UpdateOne(ctx, bson.D{{Key: fID, Value: facilityID}, {Key: fOutstand, Value: bson.D{{Key: "$gte", Value: amount}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: fOutstand, Value: -amount}, {Key: fHeadroom, Value: amount}}},
			{Key: "$set", Value: bson.D{{Key: "updatedat", Value: s.clock.Now()}}}})
	return internal("restore facility", err)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
