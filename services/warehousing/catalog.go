package warehousing

import (
	"context"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/usage"
)

var (
	warehouseCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,15}$`)
	skuCode       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	capability    = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,31}$`)
	hsCode        = regexp.MustCompile(`^[0-9]{4}(\.?[0-9]{2}){1,3}$`)
	barcode       = regexp.MustCompile(`^[0-9A-Za-z-]{4,48}$`)
)

// WarehouseInput is a new warehouse or, for UpdateWarehouse, the changes (zero fields stay,
// except Active, which is always written).
type WarehouseInput struct {
	Code, Name, Timezone string
	Address              Address
	Kind                 WarehouseKind
	Capabilities         []string
	Active               bool
}

func checkAddress(prefix string, a Address) (Address, error) {
	var err error
	if a.Line1, err = text(prefix+".line1", a.Line1, maxText, true); err != nil {
		return a, err
	}
	if a.Line2, err = text(prefix+".line2", a.Line2, maxText, false); err != nil {
		return a, err
	}
	if a.City, err = text(prefix+".city", a.City, 100, true); err != nil {
		return a, err
	}
	if a.Region, err = text(prefix+".region", a.Region, 100, false); err != nil {
		return a, err
	}
	if a.PostalCode, err = text(prefix+".postalCode", a.PostalCode, 20, false); err != nil {
		return a, err
	}
	if country.Validate(a.Country) != nil {
		return a, errs.InvalidField(prefix+".country", "not an ISO 3166-1 alpha-2 country code")
	}
	return a, nil
}

func (in WarehouseInput) check() (WarehouseInput, error) {
	var err error
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	if !warehouseCode.MatchString(in.Code) {
		return in, errs.InvalidField("input.code", "2 to 16 upper-case letters, digits or dashes, such as SZX1")
	}
	if in.Name, err = text("input.name", in.Name, maxText, true); err != nil {
		return in, err
	}
	if _, terr := time.LoadLocation(in.Timezone); terr != nil || in.Timezone == "" || in.Timezone == "Local" {
		return in, errs.InvalidField("input.timezone", "an IANA time zone such as Asia/Shanghai")
	}
	switch in.Kind {
	case Domestic, Overseas, Bonded:
	default:
		return in, errs.InvalidField("input.kind", "DOMESTIC, OVERSEAS or BONDED")
	}
	if len(in.Capabilities) > 20 {
		return in, errs.InvalidField("input.capabilities", "at most 20")
	}
	for i, c := range in.Capabilities {
		if !capability.MatchString(c) {
			return in, errs.InvalidField(field("input.capabilities", i), "upper-case words such as COLD_CHAIN")
		}
	}
	if in.Capabilities == nil {
		in.Capabilities = []string{}
	}
	in.Address, err = checkAddress("input.address", in.Address)
	return in, err
}

// CreateWarehouse adds a warehouse (platform admins). Returns NOT_FOUND/FORBIDDEN from access,
// INVALID with a field, ALREADY_EXISTS when the code is taken.
func (s *Service) CreateWarehouse(ctx context.Context, in WarehouseInput) (Warehouse, error) {
	if err := s.access.Require(ctx, access.DomainPlatform, access.Warehouses, access.Write); err != nil {
		return Warehouse{}, err
	}
	in, err := in.check()
	if err != nil {
		return Warehouse{}, err
	}
	now := s.clock.Now()
	d := warehouseDoc{ID: ids.New(ids.Warehouse), Code: in.Code, Name: in.Name, Address: toAddressDoc(in.Address),
		Timezone: in.Timezone, Kind: string(in.Kind), Capabilities: in.Capabilities, Active: in.Active,
		CreatedAt: now, UpdatedAt: now}
	audit.Annotate(ctx, "", d.ID)
	if _, err := s.whs.InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return Warehouse{}, ErrAlreadyExists.With("input.code", err).WithMessage("a warehouse with this code exists")
		}
		return Warehouse{}, mongodb.MapError(err, "insert warehouse")
	}
	return d.toWarehouse(), nil
}

// UpdateWarehouse replaces a warehouse's details (platform admins); the code stays. Returns
// NOT_FOUND (input.warehouseId), FORBIDDEN, INVALID.
func (s *Service) UpdateWarehouse(ctx context.Context, id string, in WarehouseInput) (Warehouse, error) {
	audit.Annotate(ctx, "", id)
	if err := s.access.Require(ctx, access.DomainPlatform, access.Warehouses, access.Write); err != nil {
		return Warehouse{}, err
	}
	cur, err := s.findWarehouse(ctx, id, "input.warehouseId")
	if err != nil {
		return Warehouse{}, err
	}
	in.Code = cur.Code
	if in, err = in.check(); err != nil {
		return Warehouse{}, err
	}
	var d warehouseDoc
	err = s.whs.FindOneAndUpdate(ctx, bson.M{fID: id}, bson.M{"$set": bson.M{
		fName: in.Name, "address": toAddressDoc(in.Address), "timezone": in.Timezone, "kind": string(in.Kind),
		"capabilities": in.Capabilities, fActive: in.Active, fUpdatedAt: s.clock.Now()}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return Warehouse{}, mongodb.MapError(err, "update warehouse")
	}
	return d.toWarehouse(), nil
}

// canSeeInactive reports whether the caller may see inactive warehouses (platform admins).
func (s *Service) canSeeInactive(ctx context.Context) bool {
	return s.access.Can(ctx, access.DomainPlatform, access.Warehouses, access.Write)
}

// Warehouses lists warehouses by code: active ones for every signed-in caller, inactive ones too
// for platform admins when asked. Returns UNAUTHENTICATED without a caller.
func (s *Service) Warehouses(ctx context.Context, includeInactive bool, page cursor.Page) (cursor.Result[Warehouse], error) {
	if _, ok := auth.PrincipalFrom(ctx); !ok {
		return cursor.Result[Warehouse]{}, access.ErrUnauthenticated
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Warehouse]{}, err
	}
	filter := bson.M{fActive: true}
	if includeInactive && s.canSeeInactive(ctx) {
		filter = bson.M{}
	}
	res, err := mongodb.FindPage(ctx, s.whs, filter, warehouseKeyset, w)
	if err != nil {
		return cursor.Result[Warehouse]{}, err
	}
	return mapResult(res, warehouseDoc.toWarehouse), nil
}

// Warehouse returns a warehouse visible to the caller (active, or any for platform admins);
// NOT_FOUND otherwise.
func (s *Service) Warehouse(ctx context.Context, id string) (Warehouse, error) {
	m, err := s.WarehousesByID(ctx, []string{id})
	if err != nil {
		return Warehouse{}, err
	}
	w, ok := m[id]
	if !ok {
		return Warehouse{}, notFound("id")
	}
	return w, nil
}

// WarehousesByID loads the warehouses the caller may see among ids in one query (the dataloader's
// fetch): active ones for every signed-in caller, all for platform admins. Warehouses named by
// an account's orders and balances stay readable to it even once deactivated, so relations use
// WarehousesOfRelations instead.
func (s *Service) WarehousesByID(ctx context.Context, list []string) (map[string]Warehouse, error) {
	if _, ok := auth.PrincipalFrom(ctx); !ok {
		return nil, access.ErrUnauthenticated
	}
	filter := bson.M{fID: bson.M{"$in": list}}
	if !s.canSeeInactive(ctx) {
		filter[fActive] = true
	}
	return s.warehouseMap(ctx, filter)
}

// WarehousesOfRelations loads warehouses by id without the active filter, for relations of
// objects the caller was already allowed to see (an order's warehouse).
func (s *Service) WarehousesOfRelations(ctx context.Context, list []string) (map[string]Warehouse, error) {
	return s.warehouseMap(ctx, bson.M{fID: bson.M{"$in": list}})
}

func (s *Service) warehouseMap(ctx context.Context, filter bson.M) (map[string]Warehouse, error) {
	cur, err := s.whs.Find(ctx, filter)
	if err != nil {
		return nil, mongodb.MapError(err, "find warehouses")
	}
	var docs []warehouseDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find warehouses")
	}
	out := make(map[string]Warehouse, len(docs))
	for _, d := range docs {
		out[d.ID] = d.toWarehouse()
	}
	return out, nil
}

func (s *Service) findWarehouse(ctx context.Context, id, fieldPath string) (warehouseDoc, error) {
	if err := checkID(id, ids.Warehouse, fieldPath); err != nil {
		return warehouseDoc{}, err
	}
	var d warehouseDoc
	err := s.whs.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, notFound(fieldPath)
	}
	if err != nil {
		return d, mongodb.MapError(err, "find warehouse")
	}
	return d, nil
}

// activeWarehouse loads a warehouse that stock may go to: unknown ones are NOT_FOUND, inactive
// ones WAREHOUSE_INACTIVE.
func (s *Service) activeWarehouse(ctx context.Context, id, fieldPath string) (warehouseDoc, error) {
	d, err := s.findWarehouse(ctx, id, fieldPath)
	if err != nil {
		return d, err
	}
	if !d.Active {
		return d, ErrWarehouseInactive.With(fieldPath, nil)
	}
	return d, nil
}

// SKUInput is a new SKU, or for UpdateSKU the new details (Code stays).
type SKUInput struct {
	AccountID       string
	Code            string
	Name            string
	Description     string
	Barcode         string
	HSCode          string
	CountryOfOrigin string
	UnitValue       money.Money
	Weight          *Weight     // Value and Unit; Milligrams is computed
	Dimensions      *Dimensions // Length, Width, Height and Unit; micrometres are computed
	TracksLots      bool
	ReorderPoints   []ReorderPoint
}

// millionths per unit of each weight (milligrams) and length (micrometres), as exact fractions:
// a value in millionths of the unit times num/den is milligrams or micrometres.
var (
	weightFactor = map[WeightUnit][2]int64{Gram: {1, 1000}, Kilogram: {1, 1}, Pound: {45359237, 100000000}, Ounce: {28349523125, 1000000000000}}
	lengthFactor = map[LengthUnit][2]int64{Millimetre: {1, 1000}, Centimetre: {1, 100}, Metre: {1, 1}, Inch: {254, 10000}}
)

// measure converts a decimal value of a unit to integer milligrams or micrometres, rounding half
// up once (to a thousandth of a gram or millimetre, far below what a scale or tape shows).
func measure(fieldPath, value string, num, den int64) (int64, error) {
	q, err := usage.ParseQuantity(value)
	if err != nil || q <= 0 {
		return 0, errs.InvalidField(fieldPath, "a positive decimal such as 12.5")
	}
	// value (millionths of the unit) × num/den = milligrams or micrometres for KG and M; the
	// factors above are relative to those, so the millionths cancel exactly.
	n := new(big.Int).Mul(big.NewInt(int64(q)), big.NewInt(num))
	d := big.NewInt(den)
	r, m := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Lsh(m, 1).Cmp(d) >= 0 {
		r.Add(r, big.NewInt(1))
	}
	if !r.IsInt64() || r.Int64() <= 0 || r.Int64() > 1e12 {
		return 0, errs.InvalidField(fieldPath, "out of range")
	}
	return r.Int64(), nil
}

func (s *Service) checkSKU(ctx context.Context, in SKUInput) (SKUInput, error) {
	var err error
	if in.Name, err = text("input.name", in.Name, maxText, true); err != nil {
		return in, err
	}
	if in.Description, err = text("input.description", in.Description, maxLongText, false); err != nil {
		return in, err
	}
	if in.Barcode = strings.TrimSpace(in.Barcode); in.Barcode != "" && !barcode.MatchString(in.Barcode) {
		return in, errs.InvalidField("input.barcode", "4 to 48 letters, digits or dashes")
	}
	if in.HSCode = strings.TrimSpace(in.HSCode); in.HSCode != "" {
		if !hsCode.MatchString(in.HSCode) {
			return in, errs.InvalidField("input.hsCode", "an HS code of 6, 8 or 10 digits, such as 8517.62 or 851762")
		}
		in.HSCode = strings.ReplaceAll(in.HSCode, ".", "")
	}
	if in.CountryOfOrigin != "" && country.Validate(in.CountryOfOrigin) != nil {
		return in, errs.InvalidField("input.countryOfOrigin", "not an ISO 3166-1 alpha-2 country code")
	}
	if in.UnitValue.Currency.IsZero() || in.UnitValue.Amount < 0 {
		return in, errs.InvalidField("input.unitValue", "a value of zero or more in a currency")
	}
	if w := in.Weight; w != nil {
		f, ok := weightFactor[w.Unit]
		if !ok {
			return in, errs.InvalidField("input.weight.unit", "G, KG, LB or OZ")
		}
		// Factors convert to kilograms' millionths = milligrams.
		if w.Milligrams, err = measure("input.weight.value", w.Value, f[0], f[1]); err != nil {
			return in, err
		}
	}
	if d := in.Dimensions; d != nil {
		f, ok := lengthFactor[d.Unit]
		if !ok {
			return in, errs.InvalidField("input.dimensions.unit", "MM, CM, M or IN")
		}
		if d.LengthUM, err = measure("input.dimensions.length", d.Length, f[0], f[1]); err != nil {
			return in, err
		}
		if d.WidthUM, err = measure("input.dimensions.width", d.Width, f[0], f[1]); err != nil {
			return in, err
		}
		if d.HeightUM, err = measure("input.dimensions.height", d.Height, f[0], f[1]); err != nil {
			return in, err
		}
	}
	if len(in.ReorderPoints) > 50 {
		return in, errs.InvalidField("input.reorderPoints", "at most 50")
	}
	seen := map[string]bool{}
	for i, r := range in.ReorderPoints {
		fp := field("input.reorderPoints", i)
		if _, err := s.findWarehouse(ctx, r.WarehouseID, fp+".warehouseId"); err != nil {
			return in, err
		}
		if seen[r.WarehouseID] {
			return in, errs.InvalidField(fp+".warehouseId", "one reorder point per warehouse")
		}
		seen[r.WarehouseID] = true
		if r.Point < 0 || r.Point > MaxQuantity || r.Quantity < 0 || r.Quantity > MaxQuantity {
			return in, errs.InvalidField(fp, "point and quantity must be between 0 and %d", MaxQuantity)
		}
	}
	return in, nil
}

func toSKUDoc(in SKUInput) skuDoc {
	d := skuDoc{AccountID: in.AccountID, Code: in.Code, Name: in.Name, NameKey: strings.ToLower(in.Name + " " + in.Code),
		Description: in.Description, Barcode: in.Barcode, HSCode: in.HSCode, CountryOfOrigin: in.CountryOfOrigin,
		UnitValue: toMoneyDoc(in.UnitValue), TracksLots: in.TracksLots, ReorderPoints: []reorderDoc{}}
	if w := in.Weight; w != nil {
		d.Weight = &weightDoc{Value: w.Value, Unit: string(w.Unit), Milligrams: w.Milligrams}
	}
	if x := in.Dimensions; x != nil {
		d.Dimensions = &dimensionsDoc{Length: x.Length, Width: x.Width, Height: x.Height, Unit: string(x.Unit),
			LengthUM: x.LengthUM, WidthUM: x.WidthUM, HeightUM: x.HeightUM}
	}
	for _, r := range in.ReorderPoints {
		d.ReorderPoints = append(d.ReorderPoints, reorderDoc(r))
	}
	return d
}

type skuEvent struct {
	Code string `bson:"code"`
}

// CreateSKU adds a SKU to an account. Returns NOT_FOUND/FORBIDDEN/ACCOUNT_SUSPENDED from access,
// INVALID with a field (bad code, HS code, country, value, measurements, reorder points;
// NOT_FOUND for an unknown warehouse), ALREADY_EXISTS when the account has the code.
func (s *Service) CreateSKU(ctx context.Context, in SKUInput) (SKU, error) {
	audit.Annotate(ctx, in.AccountID, "")
	if err := s.access.Require(ctx, in.AccountID, access.SKUs, access.Write); err != nil {
		return SKU{}, err
	}
	in.Code = strings.TrimSpace(in.Code)
	if !skuCode.MatchString(in.Code) {
		return SKU{}, errs.InvalidField("input.code", "1 to 64 letters, digits, dots, dashes, slashes or underscores")
	}
	in, err := s.checkSKU(ctx, in)
	if err != nil {
		return SKU{}, err
	}
	d := toSKUDoc(in)
	d.ID = ids.New(ids.SKU)
	d.CreatedAt = s.clock.Now()
	d.UpdatedAt = d.CreatedAt
	audit.Annotate(ctx, in.AccountID, d.ID)
	ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "sku.created", ObjectID: d.ID, Actor: actor(ctx),
		OccurredAt: d.CreatedAt, Data: skuEvent{Code: d.Code}})
	if err != nil {
		return SKU{}, err
	}
	if err := s.insertWithEvent(ctx, s.skus, d, ev); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			return SKU{}, ErrAlreadyExists.With("input.code", err).WithMessage("the account already has a SKU with this code")
		}
		return SKU{}, err
	}
	s.notify()
	return d.toSKU(), nil
}

// UpdateSKU replaces a SKU's details (not its code or account). Errors are CreateSKU's, with
// NOT_FOUND at input.skuId for a SKU the caller may not see.
func (s *Service) UpdateSKU(ctx context.Context, skuID string, in SKUInput) (SKU, error) {
	cur, err := s.authorizeSKU(ctx, skuID, "input.skuId", access.SKUs)
	if err != nil {
		return SKU{}, err
	}
	in.AccountID, in.Code = cur.AccountID, cur.Code
	if in, err = s.checkSKU(ctx, in); err != nil {
		return SKU{}, err
	}
	d := toSKUDoc(in)
	now := s.clock.Now()
	ev, err := events.New(events.Draft{AccountID: d.AccountID, Type: "sku.updated", ObjectID: skuID, Actor: actor(ctx),
		OccurredAt: now, Data: skuEvent{Code: d.Code}})
	if err != nil {
		return SKU{}, err
	}
	var out skuDoc
	err = s.skus.FindOneAndUpdate(ctx, bson.M{fID: skuID, fAccountID: cur.AccountID}, bson.D{
		{Key: "$set", Value: bson.M{fName: d.Name, "nameKey": d.NameKey, "description": d.Description,
			"barcode": d.Barcode, "hsCode": d.HSCode, "countryOfOrigin": d.CountryOfOrigin, "unitValue": d.UnitValue,
			"weight": d.Weight, "dimensions": d.Dimensions, "tracksLots": d.TracksLots,
			"reorderPoints": d.ReorderPoints, fUpdatedAt: now}},
		events.Push(ev),
	}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if err != nil {
		return SKU{}, mongodb.MapError(err, "update sku")
	}
	s.notify()
	return out.toSKU(), nil
}

// authorizeSKU loads a SKU by id and requires write on res in its account; a SKU of another
// account is NOT_FOUND at fieldPath, exactly like a missing one.
func (s *Service) authorizeSKU(ctx context.Context, id, fieldPath string, res access.Resource) (skuDoc, error) {
	audit.Annotate(ctx, "", id)
	d, err := s.findSKU(ctx, id, fieldPath)
	if err != nil {
		return d, err
	}
	audit.Annotate(ctx, d.AccountID, id)
	return d, s.requireObject(ctx, d.AccountID, res, access.Write, fieldPath)
}

func (s *Service) findSKU(ctx context.Context, id, fieldPath string) (skuDoc, error) {
	if err := checkID(id, ids.SKU, fieldPath); err != nil {
		return skuDoc{}, err
	}
	var d skuDoc
	err := s.skus.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, notFound(fieldPath)
	}
	if err != nil {
		return d, mongodb.MapError(err, "find sku")
	}
	return d, nil
}

// SKU returns a SKU the caller may see; NOT_FOUND otherwise.
func (s *Service) SKU(ctx context.Context, id string) (SKU, error) {
	d, err := s.findSKU(ctx, id, "id")
	if err != nil {
		return SKU{}, err
	}
	if err := s.requireObject(ctx, d.AccountID, access.SKUs, access.Read, "id"); err != nil {
		return SKU{}, err
	}
	return d.toSKU(), nil
}

// SKUFilter narrows SKUs.
type SKUFilter struct {
	Search     string // in the name and code, case-insensitive; or exactly the barcode
	TracksLots *bool
}

// SKUs lists an account's SKUs by code. Returns NOT_FOUND for an account the caller may not
// read, INVALID for bad page arguments or a search over 100 characters.
func (s *Service) SKUs(ctx context.Context, accountID string, f SKUFilter, page cursor.Page) (cursor.Result[SKU], error) {
	if err := s.access.Require(ctx, accountID, access.SKUs, access.Read); err != nil {
		return cursor.Result[SKU]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[SKU]{}, err
	}
	search, err := text("search", f.Search, 100, false)
	if err != nil {
		return cursor.Result[SKU]{}, err
	}
	filter := bson.M{fAccountID: accountID}
	if search != "" {
		// Names and codes match by substring; a scanned barcode matches exactly.
		filter["$or"] = bson.A{
			bson.M{"nameKey": bson.M{"$regex": regexp.QuoteMeta(strings.ToLower(search))}},
			bson.M{"barcode": search},
		}
	}
	if f.TracksLots != nil {
		filter["tracksLots"] = *f.TracksLots
	}
	res, err := mongodb.FindPage(ctx, s.skus, filter, skuKeyset, w)
	if err != nil {
		return cursor.Result[SKU]{}, err
	}
	return mapResult(res, skuDoc.toSKU), nil
}

// SKUsByID loads SKUs by id in one query, for relations of objects the caller was allowed to see
// (an order's lines): no authorization, and no account filter, since the ids come from the
// caller's own visible objects.
func (s *Service) SKUsByID(ctx context.Context, list []string) (map[string]SKU, error) {
	cur, err := s.skus.Find(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, mongodb.MapError(err, "find skus")
	}
	var docs []skuDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find skus")
	}
	out := make(map[string]SKU, len(docs))
	for _, d := range docs {
		out[d.ID] = d.toSKU()
	}
	return out, nil
}

// VisibleSKUs loads the SKUs among ids that the caller may read (node(id:)).
func (s *Service) VisibleSKUs(ctx context.Context, list []string) (map[string]SKU, error) {
	all, err := s.SKUsByID(ctx, list)
	if err != nil {
		return nil, err
	}
	for id, k := range all {
		if !s.access.Can(ctx, k.AccountID, access.SKUs, access.Read) {
			delete(all, id)
		}
	}
	return all, nil
}

// skuDocs loads an account's SKUs by id, keyed by id; ids of other accounts are absent.
func (s *Service) skuDocs(ctx context.Context, accountID string, list []string) (map[string]skuDoc, error) {
	cur, err := s.skus.Find(ctx, bson.M{fAccountID: accountID, fID: bson.M{"$in": list}})
	if err != nil {
		return nil, mongodb.MapError(err, "find skus")
	}
	var docs []skuDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "find skus")
	}
	out := make(map[string]skuDoc, len(docs))
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}

// SuggestedReorder is a SKU below its reorder point in a warehouse and how much to reorder.
type SuggestedReorder struct {
	WarehouseID string
	Available   int64
	Point       int64
	Quantity    int64
}

// SuggestedReorders computes, from a SKU and its balances, where it is low: available below
// the point, and the reorder quantity (the SKU's usual quantity, or at least what brings it
// back to the point).
func SuggestedReorders(k SKU, balances []Balance) []SuggestedReorder {
	avail := map[string]int64{}
	for _, b := range balances {
		avail[b.WarehouseID] = b.Available
	}
	out := []SuggestedReorder{}
	for _, r := range k.ReorderPoints {
		a := avail[r.WarehouseID]
		if r.Point > 0 && a < r.Point {
			out = append(out, SuggestedReorder{WarehouseID: r.WarehouseID, Available: a, Point: r.Point,
				Quantity: max(r.Quantity, r.Point-a)})
		}
	}
	return out
}
