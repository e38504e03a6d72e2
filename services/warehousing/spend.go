package warehousing

import (
	"context"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

// MaxSpendMonths bounds SpendByMonth: one totals query per month.
const MaxSpendMonths = 12

// SpendLine is what an account's usage came to in one UTC month, one category and one currency.
type SpendLine struct {
	Month    string // "2026-11"
	Category usage.Category
	Amount   money.Money
}

// SpendByMonth sums the account's usage amounts of the last `months` UTC calendar months (this
// one included) by category and currency, oldest month first: the dashboard's spend chart, as a
// flat list so that its price in the query-cost model stays small. Usage without an amount
// (not priced at record time) adds nothing.
func (s *Service) SpendByMonth(ctx context.Context, accountID string, months int) ([]SpendLine, error) {
	if err := s.access.Require(ctx, accountID, access.Usage, access.Read); err != nil {
		return nil, err
	}
	if months < 1 || months > MaxSpendMonths {
		return nil, errs.InvalidField("months", "between 1 and %d", MaxSpendMonths)
	}
	now := s.clock.Now().UTC()
	out := []SpendLine{}
	for i := months - 1; i >= 0; i-- {
		from := time.Date(now.Year(), now.Month()-time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 1, 0)
		totals, err := s.usage.Totals(ctx, accountID, from, to)
		if err != nil {
			return nil, err
		}
		sums := map[usage.Category]map[string]money.Money{}
		for _, t := range totals {
			for _, a := range t.Amounts {
				byCur := sums[t.Category]
				if byCur == nil {
					byCur = map[string]money.Money{}
					sums[t.Category] = byCur
				}
				cur, ok := byCur[a.Currency.Code()]
				if !ok {
					byCur[a.Currency.Code()] = a
					continue
				}
				sum, err := cur.Add(a)
				if err != nil {
					return nil, errs.Internalf("spend of %s: %w", accountID, err)
				}
				byCur[a.Currency.Code()] = sum
			}
		}
		month := from.Format("2006-01")
		var lines []SpendLine
		for cat, byCur := range sums {
			for _, m := range byCur {
				lines = append(lines, SpendLine{Month: month, Category: cat, Amount: m})
			}
		}
		sort.Slice(lines, func(i, j int) bool {
			if lines[i].Category != lines[j].Category {
				return lines[i].Category < lines[j].Category
			}
			return lines[i].Amount.Currency.Code() < lines[j].Amount.Currency.Code()
		})
		out = append(out, lines...)
	}
	return out, nil
}

// LowStockCounts is how many balances of each account are below their reorder point now (the
// account managers' console's health column): one store query for a page of accounts. An
// account whose inventory the caller may not read is absent from the map (its figure is hidden,
// not an error); a readable one without low balances is 0.
func (s *Service) LowStockCounts(ctx context.Context, accountIDs []string) (map[string]int, error) {
	readable := make([]string, 0, len(accountIDs))
	for _, id := range accountIDs {
		err := s.access.Require(ctx, id, access.Inventory, access.Read)
		if errs.IsCode(err, errs.NotFound) || errs.IsCode(err, errs.Forbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		readable = append(readable, id)
	}
	return mongodb.CountByAccount(ctx, s.balances, fAccountID, readable, bson.D{{Key: fLowStock, Value: true}}, "count low stock")
}
