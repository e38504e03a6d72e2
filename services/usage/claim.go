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

// Claiming: a record belongs to at most one invoice. Every claim is an update guarded on an
// empty InvoiceID, so of any number of racing claimers exactly one wins each record; an invoice
// is priced from the records it holds, never from what one claimer won, so a re-run of a crashed
// invoice run is harmless. Freeze marks the claimed records of an invoice as billed when the
// invoice is finalized; Release gives back a claim that is not billed (a claim that lost a race
// with a finalize). The invoicing package doc (services/billing) describes the whole protocol.
//
// Cost: an invoice run claims, and a finalize freezes, every record of a month, so both must be
// linear in the records on the embedded store too, where every update command first decodes
// the whole collection in Go (FerretDB v1 pushes no filter but {_id} down to SQLite) and then
// writes each matched document by _id (indexed by mongodb.Embedded.IndexIDPaths). Hence
// ClaimScope and Freeze match records by a scope (account, codes, a window of OccurredAt), not
// by a list of ids: a `$in` of ids is compared with every stored document, so claiming by id
// batches costs records × collection. Each command is kept to one window of at most a few
// thousand records (Windows) so that it ends well within the driver's 30 s operation timeout;
// the number of commands, and so of collection scans, is records / window size + a constant.

// Window is a range of OccurredAt, [From, To); a zero From is unbounded below, a zero To above.
type Window struct{ From, To time.Time }

// Windows cuts the records occurred before end into windows of about size records each, from
// their OccurredAt times in ascending order (records with one time stay in one window). The
// first window is unbounded below and the last ends at end (unbounded when end is zero), so the
// windows cover every record occurred before end, also one that the times did not include.
func Windows(occurred []time.Time, size int, end time.Time) []Window {
	size = max(size, 1)
	var out []Window
	from := time.Time{}
	for i := size; i < len(occurred); i += size {
		cut := occurred[i]
		if !cut.After(from) || (!end.IsZero() && !cut.Before(end)) {
			continue // equal times stay together; the last window ends at end anyway
		}
		out = append(out, Window{From: from, To: cut})
		from = cut
	}
	return append(out, Window{From: from, To: end})
}

func (w Window) filter() bson.D {
	r := bson.D{}
	if !w.From.IsZero() {
		r = append(r, bson.E{Key: "$gte", Value: w.From})
	}
	if !w.To.IsZero() {
		r = append(r, bson.E{Key: "$lt", Value: w.To})
	}
	if len(r) == 0 {
		r = append(r, bson.E{Key: "$exists", Value: true})
	}
	return r
}

// Scope is what ClaimScope claims: the unclaimed records of the account whose code is one of
// Codes, that occurred in Window and were stored no later than RecordedBy (so that a run claims
// what it has seen and priced, not usage recorded while it runs).
type Scope struct {
	Codes      []string
	Window     Window
	RecordedBy time.Time
}

// ClaimScope claims for invoiceID, in one guarded update, the records of accountID in scope
// that no invoice holds, and returns how many it claimed.
func (s *Service) ClaimScope(ctx context.Context, accountID string, sc Scope, invoiceID string) (int, error) {
	if len(sc.Codes) == 0 {
		return 0, nil
	}
	res, err := s.coll.UpdateMany(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: ""},
		{Key: fCode, Value: bson.D{{Key: "$in", Value: sc.Codes}}}, {Key: fOccurredAt, Value: sc.Window.filter()},
		{Key: fCreatedAt, Value: bson.D{{Key: "$lte", Value: sc.RecordedBy}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fInvoiceID, Value: invoiceID}}}})
	if err != nil {
		return 0, errs.Internalf("claim usage of %d codes: %w", len(sc.Codes), err)
	}
	return int(res.ModifiedCount), nil
}

// ClaimAll claims for invoiceID those of ids (records of accountID) that no invoice holds, in one
// guarded update, and returns how many it claimed. For the few records a scope cannot single
// out (a code some of whose records price in another currency or not at all); see the cost note
// above.
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

// Release gives back every claim of invoiceID that is not billed (frozen on the invoice), and
// returns how many it released: for an invoice that is no longer a draft, whose unbilled claims
// came from a claimer that lost the race with its finalize.
func (s *Service) Release(ctx context.Context, accountID, invoiceID string) (int64, error) {
	n, err := s.updateUnbilled(ctx, accountID, invoiceID, bson.D{{Key: fInvoiceID, Value: ""}})
	if err != nil {
		return n, errs.Internalf("release usage of %s: %w", invoiceID, err)
	}
	return n, nil
}

// Freeze marks every record invoiceID has claimed as billed; from then on no Release takes it
// back. It is idempotent (a finalize cut midway calls it again) and returns the number of
// records newly marked.
func (s *Service) Freeze(ctx context.Context, accountID, invoiceID string) (int64, error) {
	n, err := s.updateUnbilled(ctx, accountID, invoiceID, bson.D{{Key: fBilled, Value: true}})
	if err != nil {
		return n, errs.Internalf("freeze usage of %s: %w", invoiceID, err)
	}
	return n, nil
}

// updateUnbilled sets set on invoiceID's unbilled claims, in windows of at most freezeWindow
// records (see the cost note), and returns how many it changed. It reads the claims' times
// first to cut the windows; the last window is unbounded, so a claim made meanwhile is in one.
func (s *Service) updateUnbilled(ctx context.Context, accountID, invoiceID string, set bson.D) (int64, error) {
	unbilled := bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: invoiceID},
		{Key: fBilled, Value: bson.D{{Key: "$ne", Value: true}}}}
	cur, err := s.coll.Find(ctx, unbilled, options.Find().SetSort(bson.D{{Key: fOccurredAt, Value: 1}}).
		SetProjection(bson.D{{Key: fOccurredAt, Value: 1}}))
	if err != nil {
		return 0, err
	}
	var docs []struct {
		OccurredAt time.Time `bson:"occurredAt"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return 0, err
	}
	times := make([]time.Time, len(docs))
	for i, d := range docs {
		times[i] = d.OccurredAt
	}
	var n int64
	for _, w := range Windows(times, s.freezeWindow, time.Time{}) {
		res, err := s.coll.UpdateMany(ctx, append(unbilled[:len(unbilled):len(unbilled)], bson.E{Key: fOccurredAt, Value: w.filter()}),
			bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return n, err
		}
		n += res.ModifiedCount
	}
	return n, nil
}

// maxScan bounds one read of Claimed or Unclaimed, and so a run's memory (about 100 MB at the
// bound): a month of a busy seller is tens of thousands of records (one per order and line, a
// daily storage record per warehouse); the benchmark bills 100,000 in one run.
const maxScan = 250_000

// Claimed returns every record invoiceID has claimed (only the billed ones when billedOnly), in
// (OccurredAt, ID) order. It returns an INTERNAL error if the store fails or there are more
// than 250,000.
func (s *Service) Claimed(ctx context.Context, accountID, invoiceID string, billedOnly bool) ([]Record, error) {
	f := bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: invoiceID}}
	if billedOnly {
		f = append(f, bson.E{Key: fBilled, Value: true})
	}
	return s.scan(ctx, f)
}

// Unclaimed returns accountID's records that no invoice has claimed and that occurred before
// before, oldest first (at most 250,000; an INTERNAL error beyond).
func (s *Service) Unclaimed(ctx context.Context, accountID string, before time.Time) ([]Record, error) {
	return s.scan(ctx, bson.D{{Key: fAccountID, Value: accountID}, {Key: fInvoiceID, Value: ""},
		{Key: fOccurredAt, Value: bson.D{{Key: "$lt", Value: before}}}})
}

// StrayInvoices returns the invoices that hold unbilled claims on accountID's records: drafts,
// and invoices finalized while a crashed or slower claimer was claiming for them.
func (s *Service) StrayInvoices(ctx context.Context, accountID string) ([]string, error) {
	// An aggregation, not distinct: FerretDB v1 refuses the maxTimeMS the driver adds to it.
	cur, err := s.coll.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: fAccountID, Value: accountID},
			{Key: fInvoiceID, Value: bson.D{{Key: "$ne", Value: ""}}}, {Key: fBilled, Value: bson.D{{Key: "$ne", Value: true}}}}}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$" + fInvoiceID}}}},
	})
	if err != nil {
		return nil, errs.Internalf("invoices with unbilled usage: %w", err)
	}
	var groups []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return nil, errs.Internalf("invoices with unbilled usage: %w", err)
	}
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.ID
	}
	return out, nil
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
// (at most 250,000; an INTERNAL error beyond).
func (s *Service) InPeriod(ctx context.Context, accountID string, from, to time.Time) ([]Record, error) {
	return s.scan(ctx, bson.D{{Key: fAccountID, Value: accountID},
		{Key: fOccurredAt, Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}})
}
