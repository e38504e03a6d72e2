package procurement

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
)

// QuotesOfRFQs is Quotes for many RFQs at once, for the request's dataloader (an RFQ list with
// its quotes): two finds whatever the number of RFQs. An RFQ whose quotes the caller may not see
// (as Quotes would answer NOT_FOUND) is absent from the map.
func (s *Service) QuotesOfRFQs(ctx context.Context, rfqIDs []string) (map[string][]Quote, error) {
	list := make([]string, 0, len(rfqIDs))
	for _, id := range rfqIDs {
		if ids.HasPrefix(id, ids.RFQ) {
			list = append(list, id)
		}
	}
	out := map[string][]Quote{}
	if len(list) == 0 {
		return out, nil
	}
	cur, err := s.rfqs.Find(ctx, bson.M{fID: bson.M{"$in": list}})
	if err != nil {
		return nil, internal("find rfqs", err)
	}
	var rfqs []rfqDoc
	if err := cur.All(ctx, &rfqs); err != nil {
		return nil, internal("find rfqs", err)
	}
	views := map[string]rfqView{}
	var visible []string
	sup, isSupplier := s.cfg.SupplierOf(ctx)
	for _, d := range rfqs {
		// The same rules as loadRFQ and Quotes.
		var v rfqView
		switch {
		case s.access.Require(ctx, d.AccountID, access.RFQs, access.Read) == nil:
			if s.access.Require(ctx, d.AccountID, access.SupplierQuotes, access.Read) != nil {
				continue
			}
			v = rfqView{buyer: true}
		case isSupplier && containsString(d.SupplierIDs, sup) && d.Status != string(RFQDraft) &&
			s.access.Require(ctx, sup, access.RFQs, access.Read) == nil:
			if s.access.Require(ctx, sup, access.SupplierQuotes, access.Read) != nil {
				continue
			}
			v = rfqView{supplier: sup}
		default:
			continue
		}
		views[d.ID] = v
		visible = append(visible, d.ID)
		out[d.ID] = []Quote{}
	}
	if len(visible) == 0 {
		return out, nil
	}
	docs, err := s.quoteDocs(ctx, bson.M{fRFQID: bson.M{"$in": visible}})
	if err != nil {
		return nil, err
	}
	for _, q := range docs {
		v, ok := views[q.RFQID]
		if !ok || !v.buyer && q.SupplierID != v.supplier {
			continue
		}
		qq := q.toQuote()
		if !v.buyer {
			qq.Landed = nil // the buyer's comparison is the buyer's
		}
		out[q.RFQID] = append(out[q.RFQID], qq)
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
