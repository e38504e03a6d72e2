package warehousing

import (
	"context"
	"math/big"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/audit"
	"github.com/tradehub/tradehub/services/usage"
)

// PalletCubicMicrometres is the volume one pallet position holds: a 1.2 m × 1.0 m EUR pallet
// stacked to 1.5 m, 1.8 m³, in cubic micrometres. Pallet positions are counted per account and
// warehouse by volume, rounded up: goods of one account share pallets, goods of two never do.
var PalletCubicMicrometres = new(big.Int).Mul(big.NewInt(18), new(big.Int).Exp(big.NewInt(10), big.NewInt(17), nil))

// cubicMicrometresPerQuantity is how many cubic micrometres one step of a usage.Quantity of
// cubic metres is: a millionth of a cubic metre is 10^12 µm³.
var cubicMicrometresPerQuantity = new(big.Int).Exp(big.NewInt(10), big.NewInt(12), nil)

// Snapshot is the storage one account occupied in one warehouse on a day.
type Snapshot struct {
	AccountID, WarehouseID string
	Day                    string // YYYY-MM-DD, UTC
	Units                  int64  // occupying space when this run measured
	// CubicMetres and Pallets are what the day is billed: this run's measure, or the first
	// run's when the day had been recorded before (AlreadyRecorded).
	CubicMetres     usage.Quantity
	Pallets         int64
	AlreadyRecorded bool
}

// SnapshotStorage records, for every account and warehouse holding stock, the day's storage
// usage: cubic metres (units × the SKU's volume; units of SKUs without dimensions count as
// nothing and are logged) and pallet positions (the volume over PalletCubicMicrometres, rounded
// up). Stock counts when it occupies space: on hand, awaiting putaway, picked and damaged.
// Records carry the source keys "storage:<account>:<warehouse>:<day>" and
// "storage_pallets:<account>:<warehouse>:<day>", so running a day again records nothing new.
//
// It does no authorization (the daily job runs it; people go through RunStorageSnapshot). The
// day is the UTC day of day. Returns INTERNAL if the store fails.
func (s *Service) SnapshotStorage(ctx context.Context, day time.Time) ([]Snapshot, error) {
	if _, err := s.Settle(ctx, nil); err != nil {
		s.logger.WarnContext(ctx, "settle movements before the storage snapshot", "error", err)
	}
	start := sinceDay(day)
	key := start.Format(time.DateOnly)
	cur, err := s.balances.Find(ctx, bson.M{"$or": bson.A{
		bson.M{fOnHand: bson.M{"$gt": 0}}, bson.M{fAwaiting: bson.M{"$gt": 0}},
		bson.M{fPicked: bson.M{"$gt": 0}}, bson.M{fDamaged: bson.M{"$gt": 0}},
	}})
	if err != nil {
		return nil, mongodb.MapError(err, "storage snapshot balances")
	}
	var docs []balanceDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.MapError(err, "storage snapshot balances")
	}
	type group struct {
		units  int64
		volume *big.Int // cubic micrometres
	}
	groups := map[[2]string]*group{}
	var order [][2]string
	skuIDs := map[string][]string{}
	for _, d := range docs {
		skuIDs[d.AccountID] = append(skuIDs[d.AccountID], d.SKUID)
	}
	skus := map[string]skuDoc{}
	for acct, list := range skuIDs {
		m, err := s.skuDocs(ctx, acct, list)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			skus[k] = v
		}
	}
	for _, d := range docs {
		k := [2]string{d.AccountID, d.WarehouseID}
		g := groups[k]
		if g == nil {
			g = &group{volume: new(big.Int)}
			groups[k] = g
			order = append(order, k)
		}
		units := d.OnHand + d.AwaitingPutaway + d.Picked + d.Damaged
		g.units += units
		sku := skus[d.SKUID]
		if sku.Dimensions == nil {
			s.logger.WarnContext(ctx, "SKU without dimensions takes no storage space", "sku", d.SKUID)
			continue
		}
		v := new(big.Int).Mul(big.NewInt(sku.Dimensions.LengthUM), big.NewInt(sku.Dimensions.WidthUM))
		v.Mul(v, big.NewInt(sku.Dimensions.HeightUM))
		v.Mul(v, big.NewInt(units))
		g.volume.Add(g.volume, v)
	}
	at := start.Add(12 * time.Hour) // the middle of the day: clearly inside it whatever the zone
	var out []Snapshot
	for _, k := range order {
		g := groups[k]
		// Cubic metres in millionths, rounded half up once per account and warehouse.
		q, rem := new(big.Int).QuoRem(g.volume, cubicMicrometresPerQuantity, new(big.Int))
		if new(big.Int).Lsh(rem, 1).Cmp(cubicMicrometresPerQuantity) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		pallets, prem := new(big.Int).QuoRem(g.volume, PalletCubicMicrometres, new(big.Int))
		if prem.Sign() > 0 {
			pallets.Add(pallets, big.NewInt(1))
		}
		if !q.IsInt64() || !pallets.IsInt64() {
			return nil, errs.Internalf("storage of %s in %s overflows", k[0], k[1])
		}
		snap := Snapshot{AccountID: k[0], WarehouseID: k[1], Day: key, Units: g.units,
			CubicMetres: usage.Quantity(q.Int64()), Pallets: pallets.Int64()}
		attrs := map[string]string{"warehouse": k[1], "day": key}
		if snap.CubicMetres > 0 {
			rec, created, err := s.usage.Record(ctx, usage.Record{AccountID: k[0], Category: usage.Warehousing,
				Code: "storage.cubic_metre_day", Quantity: snap.CubicMetres, Unit: "cubic_metre_day", OccurredAt: at,
				SourceKey: "storage:" + k[0] + ":" + k[1] + ":" + key, Attributes: attrs})
			if err != nil {
				return nil, err
			}
			snap.CubicMetres, snap.AlreadyRecorded = rec.Quantity, !created
		}
		if snap.Pallets > 0 {
			rec, created, err := s.usage.Record(ctx, usage.Record{AccountID: k[0], Category: usage.Warehousing,
				Code: "storage.pallet_day", Quantity: usage.Units(snap.Pallets), Unit: "pallet_day", OccurredAt: at,
				SourceKey: "storage_pallets:" + k[0] + ":" + k[1] + ":" + key, Attributes: attrs})
			if err != nil {
				return nil, err
			}
			snap.Pallets = int64(rec.Quantity / usage.QuantityScale)
			snap.AlreadyRecorded = snap.AlreadyRecorded || !created
		}
		out = append(out, snap)
	}
	return out, nil
}

// RunStorageSnapshot is SnapshotStorage for platform admins (warehouses write), so the daily
// job can be run and verified by hand. A day in the future is INVALID.
func (s *Service) RunStorageSnapshot(ctx context.Context, day time.Time) ([]Snapshot, error) {
	audit.Annotate(ctx, "", "")
	if err := s.access.Require(ctx, access.DomainPlatform, access.Warehouses, access.Write); err != nil {
		return nil, err
	}
	if day.IsZero() || sinceDay(day).After(s.clock.Now()) {
		return nil, errs.InvalidField("input.day", "a day up to today")
	}
	return s.SnapshotStorage(ctx, day)
}

// UsageRecords lists an account's billable usage (all categories), oldest first. Returns
// NOT_FOUND for an account the caller may not read usage of; INVALID for bad filters or page
// arguments.
func (s *Service) UsageRecords(ctx context.Context, accountID string, f usage.Filter, page cursor.Page) (cursor.Result[usage.Record], error) {
	if err := s.access.Require(ctx, accountID, access.Usage, access.Read); err != nil {
		return cursor.Result[usage.Record]{}, err
	}
	w, err := page.Validate(cursor.MaxLimit)
	if err != nil {
		return cursor.Result[usage.Record]{}, err
	}
	p, err := s.usage.List(ctx, accountID, f, w)
	if err != nil {
		return cursor.Result[usage.Record]{}, err
	}
	out := cursor.Result[usage.Record]{Items: p.Records}
	if w.Forward {
		out.HasNextPage, out.HasPreviousPage = p.More, w.After != nil
	} else {
		out.HasPreviousPage, out.HasNextPage = p.More, w.Before != nil
	}
	for _, r := range p.Records {
		out.Cursors = append(out.Cursors, cursor.Encode(usage.Cursor(r)))
	}
	return out, nil
}

// UsageTotals adds up an account's usage in [from, to). Errors as UsageRecords.
func (s *Service) UsageTotals(ctx context.Context, accountID string, from, to time.Time) ([]usage.Total, error) {
	if err := s.access.Require(ctx, accountID, access.Usage, access.Read); err != nil {
		return nil, err
	}
	return s.usage.Totals(ctx, accountID, from, to)
}
