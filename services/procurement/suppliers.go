package procurement

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
)

// SupplierInput creates a supplier. AccountID empty makes a platform-curated supplier.
type SupplierInput struct {
	ID         string // optional: a known supplier id (the demo's supplier domain); platform only
	AccountID  string
	Name       string
	Country    string
	Categories []string
	Contacts   []Contact
	Status     SupplierStatus // default PENDING
}

func text(field, v string, maxLen int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return "", errs.InvalidField(field, "required")
	}
	if utf8.RuneCountInString(v) > maxLen || !utf8.ValidString(v) {
		return "", errs.InvalidField(field, "at most %d characters", maxLen)
	}
	return v, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// supplierDomain is where writes to a supplier are authorized: its account, or the platform.
func supplierDomain(accountID string) string {
	if accountID == "" {
		return access.DomainPlatform
	}
	return accountID
}

// CreateSupplier adds a supplier: write on the account's suppliers, or on the platform's for a
// curated one. Returns INVALID with a field for bad input; access errors.
func (s *Service) CreateSupplier(ctx context.Context, in SupplierInput) (Supplier, error) {
	var err error
	if in.AccountID != "" && !ids.HasPrefix(in.AccountID, ids.Account) {
		return Supplier{}, errs.InvalidField("input.accountId", "not an account id")
	}
	if in.Name, err = text("input.name", in.Name, maxText, true); err != nil {
		return Supplier{}, err
	}
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if country.Validate(in.Country) != nil {
		return Supplier{}, errs.InvalidField("input.country", "not an ISO 3166-1 alpha-2 country code such as CN")
	}
	if len(in.Categories) > 20 {
		return Supplier{}, errs.InvalidField("input.categories", "at most 20 categories")
	}
	cats := []string{}
	for i, c := range in.Categories {
		if c, err = text("input.categories."+itoa(i), c, 60, true); err != nil {
			return Supplier{}, err
		}
		cats = append(cats, c)
	}
	if len(in.Contacts) > 10 {
		return Supplier{}, errs.InvalidField("input.contacts", "at most 10 contacts")
	}
	var contacts []contactDoc
	for i, c := range in.Contacts {
		f := "input.contacts." + itoa(i)
		var d contactDoc
		if d.Name, err = text(f+".name", c.Name, maxText, true); err != nil {
			return Supplier{}, err
		}
		if d.Email, err = text(f+".email", c.Email, maxText, false); err != nil {
			return Supplier{}, err
		}
		if d.Email != "" && !strings.Contains(d.Email, "@") {
			return Supplier{}, errs.InvalidField(f+".email", "not an email address")
		}
		if d.Phone, err = text(f+".phone", c.Phone, 40, false); err != nil {
			return Supplier{}, err
		}
		contacts = append(contacts, d)
	}
	if in.Status == "" {
		in.Status = SupplierPending
	}
	if !in.Status.Valid() {
		return Supplier{}, errs.InvalidField("input.status", "PENDING, VERIFIED or SUSPENDED")
	}
	if in.ID != "" && (in.AccountID != "" || !ids.HasPrefix(in.ID, ids.Supplier)) {
		return Supplier{}, errs.InvalidField("input.id", "only a platform-curated supplier takes a given supplier id")
	}
	if err := s.access.Require(ctx, supplierDomain(in.AccountID), access.Suppliers, access.Write); err != nil {
		return Supplier{}, err
	}
	id := in.ID
	if id == "" {
		id = ids.New(ids.Supplier)
	}
	now := s.clock.Now()
	d := supplierDoc{ID: id, Key: id, AccountID: in.AccountID, Name: in.Name, Country: in.Country, Categories: cats,
		Contacts: contacts, Status: string(in.Status), CreatedAt: now, UpdatedAt: now}
	if _, err := s.suppliers.InsertOne(ctx, d); err != nil {
		return Supplier{}, mongodb.MapError(err, "insert supplier")
	}
	return d.toSupplier(), nil
}

func (s *Service) supplierDoc(ctx context.Context, id string) (supplierDoc, bool, error) {
	var d supplierDoc
	err := s.suppliers.FindOne(ctx, bson.M{fID: id}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return d, false, nil
	}
	if err != nil {
		return d, false, internal("find supplier", err)
	}
	return d, true, nil
}

// canSeeSupplier: curated suppliers by any signed-in caller, private ones by readers of the
// account's suppliers, and every supplier by its own supplier users.
func (s *Service) canSeeSupplier(ctx context.Context, d supplierDoc) bool {
	if d.AccountID == "" {
		if s.access.Require(ctx, d.ID, access.Suppliers, access.Read) == nil {
			return true
		}
		_, err := s.SignedIn(ctx)
		return err == nil
	}
	return s.access.Require(ctx, d.AccountID, access.Suppliers, access.Read) == nil ||
		s.access.Require(ctx, d.ID, access.Suppliers, access.Read) == nil
}

// Supplier returns a supplier the caller may see; NOT_FOUND otherwise.
func (s *Service) Supplier(ctx context.Context, id string) (Supplier, error) {
	if !ids.HasPrefix(id, ids.Supplier) {
		return Supplier{}, ErrNotFound.With("id", nil)
	}
	d, ok, err := s.supplierDoc(ctx, id)
	if err != nil {
		return Supplier{}, err
	}
	if !ok || !s.canSeeSupplier(ctx, d) {
		return Supplier{}, ErrNotFound.With("id", nil)
	}
	return d.toSupplier(), nil
}

// SuppliersByID returns the visible suppliers among list (for loaders and node(id:)).
func (s *Service) SuppliersByID(ctx context.Context, list []string) (map[string]Supplier, error) {
	cur, err := s.suppliers.Find(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, internal("find suppliers", err)
	}
	var docs []supplierDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("find suppliers", err)
	}
	out := map[string]Supplier{}
	for _, d := range docs {
		if s.canSeeSupplier(ctx, d) {
			out[d.ID] = d.toSupplier()
		}
	}
	return out, nil
}

// SuppliersOfRelations loads suppliers by id without authorization, for the dataloader of
// objects the caller was already allowed to see (an RFQ's invited suppliers, a PO's supplier).
func (s *Service) SuppliersOfRelations(ctx context.Context, list []string) (map[string]Supplier, error) {
	cur, err := s.suppliers.Find(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, internal("find suppliers", err)
	}
	var docs []supplierDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("find suppliers", err)
	}
	out := map[string]Supplier{}
	for _, d := range docs {
		out[d.ID] = d.toSupplier()
	}
	return out, nil
}

// Suppliers lists the account's own suppliers and the platform-curated ones. Requires read on
// the account's suppliers.
func (s *Service) Suppliers(ctx context.Context, accountID string, page cursor.Page) (cursor.Result[Supplier], error) {
	if err := s.access.Require(ctx, accountID, access.Suppliers, access.Read); err != nil {
		return cursor.Result[Supplier]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[Supplier]{}, err
	}
	res, err := mongodb.FindPage(ctx, s.suppliers, bson.M{fAccountID: bson.M{"$in": bson.A{accountID, ""}}},
		idKeyset(func(d supplierDoc) string { return d.ID }), w)
	if err != nil {
		return cursor.Result[Supplier]{}, err
	}
	out := cursor.Result[Supplier]{Cursors: res.Cursors, HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage}
	for _, d := range res.Items {
		out.Items = append(out.Items, d.toSupplier())
	}
	return out, nil
}

// SetSupplierStatus verifies, suspends or reinstates a supplier: write on the account's
// suppliers, or platform admins for a curated one. Returns NOT_FOUND for a supplier the caller
// cannot see (at input.supplierId), FORBIDDEN for one it can see but not change (a curated
// supplier for an account's people).
func (s *Service) SetSupplierStatus(ctx context.Context, id string, st SupplierStatus) (Supplier, error) {
	if !st.Valid() {
		return Supplier{}, errs.InvalidField("input.status", "PENDING, VERIFIED or SUSPENDED")
	}
	d, ok, err := s.supplierDoc(ctx, id)
	if err != nil {
		return Supplier{}, err
	}
	if !ok || !s.canSeeSupplier(ctx, d) {
		return Supplier{}, ErrNotFound.With("input.supplierId", nil)
	}
	if err := s.access.Require(ctx, supplierDomain(d.AccountID), access.Suppliers, access.Write); err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return Supplier{}, access.ErrForbidden
		}
		return Supplier{}, err
	}
	now := s.clock.Now()
	if _, err := s.suppliers.UpdateOne(ctx, bson.M{fID: id}, bson.M{"$set": bson.M{fStatus: string(st), "updatedAt": now}}); err != nil {
		return Supplier{}, internal("set supplier status", err)
	}
	d.Status, d.UpdatedAt = string(st), now
	return d.toSupplier(), nil
}

// SignedIn returns the caller's subject, or UNAUTHENTICATED.
func (s *Service) SignedIn(ctx context.Context) (string, error) {
	if a := actor(ctx); a != "" {
		return a, nil
	}
	return "", access.ErrUnauthenticated
}
