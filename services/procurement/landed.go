package procurement

import (
	"context"
	"sort"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Landed cost.
//
// For a quote, in the RFQ's currency, at the time of the comparison:
//
//	goods   = Σ quoted unit price × RFQ quantity, per line, converted line by line
//	freight = the cheapest transport quote from the supplier's country to the destination
//	          warehouse for the lines' weight, or 0 when the quote's incoterm already pays the
//	          carriage (C and D terms)
//	duties, taxes = the customs rules' estimate for the destination (on goods + freight, as
//	          transport computes it), or 0 when the incoterm is DDP
//	fee     = goods × FeeBps ÷ 10,000, half-even (Tradehub's procurement fee)
//	total   = goods + freight + duties + taxes + fee
//
// Freight, duties and taxes are spread over the lines in proportion to the lines' goods value
// (money.Allocate: exact, remainders to the largest lines), so lines add up to the total. The
// per-unit landed cost is the line total ÷ quantity, half-even.
//
// Ranking (Comparison): by landed total, by lead time (the longest line), and by a weighted
// score in basis points, higher is better:
//
//	6000 × cheapest total ÷ this total + 2000 × shortest lead ÷ this lead + 2000 × supplier score %
//
// (a lead time of 0 days counts as 1; a supplier without a score counts as 50 %). Only quotes
// that price every line are ranked on totals; partial quotes follow, by coverage.

// ComparedQuote is a quote with its landed cost and ranks.
type ComparedQuote struct {
	Quote         Quote
	Supplier      Supplier
	Covers        int // RFQ lines priced
	RankByLanded  int
	RankByLead    int
	RankByScore   int
	WeightedScore int64 // basis points, higher is better
}

// Comparison is an RFQ's quotes side by side.
type Comparison struct {
	RFQ    RFQ
	Quotes []ComparedQuote // by RankByLanded
}

// CompareQuotes computes (again) the landed cost of each quote of the RFQ and stores it with
// the quote; it needs write on the account's RFQs (it asks transport for freight quotes).
// Returns NOT_FOUND, FORBIDDEN; UNKNOWN_FX_RATE when a currency cannot be converted;
// NO_FREIGHT_ESTIMATE when transport has no route for a quote that needs one.
func (s *Service) CompareQuotes(ctx context.Context, rfqID string) (Comparison, error) {
	d, err := s.buyerRFQ(ctx, rfqID)
	if err != nil {
		return Comparison{}, err
	}
	docs, err := s.quoteDocs(ctx, bson.M{fRFQID: d.ID})
	if err != nil {
		return Comparison{}, err
	}
	now := s.clock.Now()
	for _, q := range docs {
		sup, ok, err := s.supplierDoc(ctx, q.SupplierID)
		if err != nil {
			return Comparison{}, err
		}
		if !ok {
			continue
		}
		l, err := s.landed(ctx, d, q, sup.Country, s.converterAt(now))
		if err != nil {
			return Comparison{}, err
		}
		l.ComputedAt = now
		if _, err := s.quotes.UpdateOne(ctx, bson.M{fID: q.ID, "revision": q.Revision}, bson.M{"$set": bson.M{"landed": l}}); err != nil {
			return Comparison{}, internal("store landed cost", err)
		}
	}
	return s.Comparison(ctx, rfqID)
}

// landed computes one quote's landed cost (see the rules at the top of this file).
func (s *Service) landed(ctx context.Context, r rfqDoc, q quoteDoc, origin string, fx *converter) (landedDoc, error) {
	rc := money.MustCurrency(r.Currency)
	qc := money.MustCurrency(q.Currency)
	out := landedDoc{Currency: rc.Code(), FX: []string{}}
	var weights []int64
	var items []FreightItem
	for _, ql := range q.Lines {
		rl, ok := r.line(ql.LineID)
		if !ok {
			continue
		}
		goodsQ := money.New(ql.UnitPrice*rl.Quantity, qc)
		goods, err := fx.convert(ctx, goodsQ, rc)
		if err != nil {
			return landedDoc{}, err
		}
		fee, err := goods.MulBasisPoints(s.cfg.FeeBps, money.HalfEven)
		if err != nil {
			return landedDoc{}, internal("fee", err)
		}
		out.Lines = append(out.Lines, landedLineDoc{LineID: rl.ID, Quantity: rl.Quantity, Goods: goods.Amount, Fee: fee.Amount})
		out.Goods += goods.Amount
		out.Fee += fee.Amount
		weights = append(weights, max(goods.Amount, 1))
		items = append(items, FreightItem{Description: rl.Description, HSCode: rl.HSCode, Quantity: rl.Quantity,
			UnitValue: money.New(ql.UnitPrice, qc), WeightGrams: rl.WeightGrams * rl.Quantity})
	}
	inc := Incoterm(q.Incoterm)
	if len(out.Lines) > 0 && !inc.IncludesDuties() {
		if s.cfg.Freight == nil {
			return landedDoc{}, ErrNoFreight.With("input.rfqId", nil)
		}
		est, err := s.cfg.Freight.EstimateFreight(ctx, FreightRequest{AccountID: r.AccountID, OriginCountry: origin,
			WarehouseID: r.WarehouseID, Items: items})
		if err != nil {
			if c := errs.CodeOf(err); c == errs.Internal || c == errs.Unauthenticated || c == errs.Forbidden {
				return landedDoc{}, err
			}
			return landedDoc{}, ErrNoFreight.With("input.rfqId", err)
		}
		parts := []struct {
			m   money.Money
			set func(l *landedLineDoc, v int64)
			sum *int64
		}{
			{est.Duties, func(l *landedLineDoc, v int64) { l.Duties = v }, &out.Duties},
			{est.Taxes, func(l *landedLineDoc, v int64) { l.Taxes = v }, &out.Taxes},
		}
		if !inc.IncludesFreight() {
			out.Carrier, out.Service, out.TransitDays = est.Carrier, est.Service, est.TransitDays
			parts = append(parts, struct {
				m   money.Money
				set func(l *landedLineDoc, v int64)
				sum *int64
			}{est.Freight, func(l *landedLineDoc, v int64) { l.Freight = v }, &out.Freight})
		}
		for _, p := range parts {
			if p.m.Currency.IsZero() {
				continue
			}
			conv, err := fx.convert(ctx, p.m, rc)
			if err != nil {
				return landedDoc{}, err
			}
			shares, err := conv.Allocate(weights)
			if err != nil {
				return landedDoc{}, internal("allocate", err)
			}
			for i := range out.Lines {
				p.set(&out.Lines[i], shares[i].Amount)
			}
			*p.sum += conv.Amount
		}
	}
	for i := range out.Lines {
		l := &out.Lines[i]
		l.Total = l.Goods + l.Freight + l.Duties + l.Taxes + l.Fee
		per, err := money.New(l.Total, rc).MulRat(1, l.Quantity, money.HalfEven)
		if err != nil {
			return landedDoc{}, internal("per unit", err)
		}
		l.PerUnit = per.Amount
	}
	out.Total = out.Goods + out.Freight + out.Duties + out.Taxes + out.Fee
	out.FX = append(out.FX, fx.used...)
	return out, nil
}

// Comparison returns the RFQ's quotes with their stored landed costs, ranked (see the rules at
// the top of this file). Quotes not compared yet (or revised since) have no landed cost and
// rank last. Buyers only: NOT_FOUND for anyone else.
func (s *Service) Comparison(ctx context.Context, rfqID string) (Comparison, error) {
	d, v, err := s.loadRFQ(ctx, rfqID, "rfqId")
	if err != nil {
		return Comparison{}, err
	}
	if !v.buyer {
		return Comparison{}, ErrNotFound.With("rfqId", nil)
	}
	if err := s.access.Require(ctx, d.AccountID, access.SupplierQuotes, access.Read); err != nil {
		return Comparison{}, notFound(err, "rfqId")
	}
	docs, err := s.quoteDocs(ctx, bson.M{fRFQID: d.ID})
	if err != nil {
		return Comparison{}, err
	}
	out := Comparison{RFQ: d.toRFQ(), Quotes: []ComparedQuote{}}
	for _, q := range docs {
		sd, _, err := s.supplierDoc(ctx, q.SupplierID)
		if err != nil {
			return Comparison{}, err
		}
		out.Quotes = append(out.Quotes, ComparedQuote{Quote: q.toQuote(), Supplier: sd.toSupplier(), Covers: len(q.Lines)})
	}
	rankQuotes(out.Quotes, len(d.Lines))
	return out, nil
}

// rankQuotes fills the ranks and weighted scores and sorts by RankByLanded.
func rankQuotes(qs []ComparedQuote, lines int) {
	full := func(c ComparedQuote) bool { return c.Covers == lines && c.Quote.Landed != nil }
	var minTotal int64 = -1
	minLead := -1
	for _, c := range qs {
		if full(c) {
			if minTotal < 0 || c.Quote.Landed.Total.Amount < minTotal {
				minTotal = c.Quote.Landed.Total.Amount
			}
			if l := max(c.Quote.MaxLeadTime(), 1); minLead < 0 || l < minLead {
				minLead = l
			}
		}
	}
	for i := range qs {
		c := &qs[i]
		if !full(*c) || minTotal < 0 {
			continue
		}
		score := int64(50)
		if p := c.Supplier.Score.Percent(); p != nil {
			score = int64(*p)
		}
		total := max(c.Quote.Landed.Total.Amount, 1)
		c.WeightedScore = 6000*max(minTotal, 1)/total + 2000*int64(minLead)/int64(max(c.Quote.MaxLeadTime(), 1)) + 20*score
	}
	order := func(less func(a, b ComparedQuote) bool, set func(c *ComparedQuote, r int)) {
		idx := make([]int, len(qs))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(x, y int) bool {
			a, b := qs[idx[x]], qs[idx[y]]
			if full(a) != full(b) {
				return full(a)
			}
			if !full(a) {
				return a.Covers > b.Covers
			}
			return less(a, b)
		})
		for r, i := range idx {
			set(&qs[i], r+1)
		}
	}
	order(func(a, b ComparedQuote) bool { return a.Quote.Landed.Total.Amount < b.Quote.Landed.Total.Amount },
		func(c *ComparedQuote, r int) { c.RankByLanded = r })
	order(func(a, b ComparedQuote) bool { return a.Quote.MaxLeadTime() < b.Quote.MaxLeadTime() },
		func(c *ComparedQuote, r int) { c.RankByLead = r })
	order(func(a, b ComparedQuote) bool { return a.WeightedScore > b.WeightedScore },
		func(c *ComparedQuote, r int) { c.RankByScore = r })
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].RankByLanded < qs[j].RankByLanded })
}
