package warehousing

import (
	"context"

	"github.com/tradehub/tradehub/internal/errs"
)

// Movement reasons of financing's pledges.
const (
	// ReasonPledge moves units from available to pledged: collateral for a loan.
	ReasonPledge Reason = "PLEDGE"
	// ReasonUnpledge moves them back when the loan is repaid or the lender releases them.
	ReasonUnpledge Reason = "UNPLEDGE"
)

// PledgeStock pledges qty available units of a SKU in a warehouse to a loan, in ONE guarded
// update (available ≥ qty), so pledged units can no longer be reserved, picked, shipped,
// transferred or adjusted away: every other movement takes from available. It does NO
// authorization: financing calls it when a partner funds a loan. Errors: INSUFFICIENT_STOCK
// when fewer units are available; INVALID for a quantity below one.
func (s *Service) PledgeStock(ctx context.Context, accountID, skuID, warehouseID string, qty int64, loanID string) error {
	if qty < 1 {
		return errs.InvalidField("quantity", "at least one unit")
	}
	_, err := s.apply(ctx, move{Movement: Movement{AccountID: accountID, SKUID: skuID, WarehouseID: warehouseID,
		Reason: ReasonPledge, Delta: Delta{Available: -qty, Pledged: qty}, Source: loanID}})
	return err
}

// ReleaseStock gives pledged units back to available (the loan is repaid, written off or the
// lender released them) and serves the backorders waiting for them. Errors: INSUFFICIENT_STOCK when fewer units are
// pledged (already released).
func (s *Service) ReleaseStock(ctx context.Context, accountID, skuID, warehouseID string, qty int64, loanID string) error {
	if qty < 1 {
		return errs.InvalidField("quantity", "at least one unit")
	}
	if _, err := s.apply(ctx, move{Movement: Movement{AccountID: accountID, SKUID: skuID, WarehouseID: warehouseID,
		Reason: ReasonUnpledge, Delta: Delta{Available: qty, Pledged: -qty}, Source: loanID}}); err != nil {
		return err
	}
	// Released units are stock arriving for backorders, like a putaway.
	s.allocateBackorders(ctx, accountID, warehouseID, skuID)
	return nil
}
