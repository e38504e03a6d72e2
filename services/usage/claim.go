package usage

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
)

// fBilled marks a claimed record as part of its invoice's frozen lines (set when the invoice is
// finalized). Records stored before billing existed have no such field, which reads as false.
const fBilled = "billed"

// Claiming: a record belongs to at most one invoice. ClaimAll sets InvoiceID with a guarded
// update on an empty InvoiceID, so of any number of racing claimers exactly one wins; an invoice
// is priced from the records it holds, never from what one claimer won, so a re-run of a crashed
// invoice run is harmless. Freeze marks the claimed records of an invoice as billed when the invoice is finalized;
// Release gives back a claim that is not billed (a claim that lost a race with a finalize).
// The invoicing package doc (services/billing) describes the whole protocol.

// ClaimAll claims for invoiceID those of ids (records of accountID) that no invoice holds, in one
// guarded update, and returns how many it claimed. Each record is claimed by at most one invoice
// whatever runs race (the update is guarded on an empty InvoiceID). One update per batch keeps a
// run linear in its records on a store that scans for each update (the embedded FerretDB does:
// one update per record made a run quadratic, 0.37 s per record at 1,500 records).
func (s *Service) ClaimAll(ctx context.Context, accountID string, ids []string, invoiceID string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res, err := s.coll.UpdateMany(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}}, {Key: fAccountID, Value: accountID},
		{Key: fInvoiceID, Value: ""}}, bson.D{{Key: "$set", Value: bson.D{{Key: fInvoiceID, Value: invoiceID}}}})
	if err != nil {
		return 0, errs.Internalf("claim %d usage records: %w", len(ids), err)
	}
	return int(res.ModifiedCount), nil
}

// Release gives back invoiceID's claim on record id, unless the record is billed (frozen on
// the invoice). It reports whether the claim was released.
func (s *Service) Release(ctx context.Context, accountID, id, invoiceID string) (bool, error) {
	res, err := s.coll.UpdateOne(ctx, bson.D{{Key: fID, Value: id}, {Key: fAccountID, Value: accountID},
		{Key: fInvoiceID, Value: invoiceID}, {Key: fBilled, Value: bson.D{{Key: "$ne", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fInvoiceID, Value: ""}}}})
	if err != nil {
		return false, errs.Internalf("release usage %s: %w", id, err)
	}
	return res.ModifiedCount == 1, nil
}

// Freeze marks every record invoiceID has claimed as billed; from then on no Release takes it
// back. It is idempotent and returns the number of records newly marked.
func (s *Service) Freeze(ctx context.Context, accountID, invoiceID string) (int64, error) {
	res, err := s.coll.UpdateMany(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: invoiceID},
		{Key: fBilled, Value: bson.D{{Key: "$ne", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fBilled, Value: true}}}})
	if err != nil {
		return 0, errs.Internalf("freeze usage of %s: %w", invoiceID, err)
	}
	return res.ModifiedCount, nil
}

// maxScan bounds one read of Claimed or Unclaimed: an invoice of one month holds a few
// thousand records at most (a daily storage record per warehouse, one per order).
const maxScan = 50_000

// Claimed returns every record invoiceID has claimed (only the billed ones when billedOnly), in
// (OccurredAt, ID) order. It returns an INTERNAL error if the store fails or there are more
// than 50,000.
func (s *Service) Claimed(ctx context.Context, accountID, invoiceID string, billedOnly bool) ([]Record, error) {
	f := bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: invoiceID}}
	if billedOnly {
		f = append(f, bson.E{Key: fBilled, Value: true})
	}
	return s.scan(ctx, f)
}

// Unclaimed returns accountID's records that no invoice has claimed and that occurred before
// before, oldest first (at most 50,000; an INTERNAL error beyond).
func (s *Service) Unclaimed(ctx context.Context, accountID string, before time.Time) ([]Record, error) {
	return s.scan(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: ""},
		{Key: fOccurredAt, Value: bson.D{{Key: "$lt", Value: before}}}})
}

// Strays returns accountID's records that an invoice claimed but did not bill: the claims of
// drafts, and those a crashed claimer left behind on an invoice finalized meanwhile.
func (s *Service) Strays(ctx context.Context, accountID string) ([]Record, error) {
	return s.scan(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: bson.D{{Key: "$ne", Value: ""}}},
		{Key: fBilled, Value: bson.D{{Key: "$ne", Value: true}}}})
}

func (s *Service) scan(ctx context.Context, f bson.D) ([]Record, error) {
	cur, err := s.coll.Find(ctx, f, options.Find().SetSort(bson.D{{Key: fOccurredAt, Value: 1}, {Key: fID, Value: 1}}).SetLimit(maxScan+1))
	if err != nil {
		return nil, errs.Internalf("scan usage: %w", err)
	}
	var docs []recordDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errs.Internalf("scan usage: %w", err)
	}
	if len(docs) > maxScan {
		return nil, errs.Internalf("scan usage: more than %d records", maxScan)
	}
	out := make([]Record, len(docs))
	for i, d := range docs {
		if out[i], err = fromDoc(d); err != nil {
			return nil, errs.Internalf("scan usage: %w", err)
		}
	}
	return out, nil
}

// InPeriod returns accountID's records that occurred in [from, to), claimed or not, oldest first
// (at most 50,000; an INTERNAL error beyond).
func (s *Service) InPeriod(ctx context.Context, accountID string, from, to time.Time) ([]Record, error) {
	return s.scan(ctx, bson.D{{Key: fAccountID, Value: accountID},
		{Key: fOccurredAt, Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}})
}
