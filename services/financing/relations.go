package financing

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// visibleOne reads one document of an account's requests or loans; NOT_FOUND when the caller
// may not read the account's financing, or is a partner other than the document's.
func visibleOne[T any](ctx context.Context, s *Service, c *mongo.Collection, id string, owner func(T) (accountID, partnerID string)) (T, error) {
	var zero T
	d, err := findOne[T](ctx, c, bson.D{{Key: fID, Value: id}})
	if err != nil {
		return zero, err
	}
	accountID, partnerID := owner(d)
	sc, err := s.readScope(ctx, accountID)
	if err != nil || !sc.sees(partnerID) {
		return zero, ErrNotFound
	}
	return d, nil
}

// visibleList lists an account's requests or loans the caller may see (a partner: its own),
// newest first, at most 250.
func visibleList[T any](ctx context.Context, s *Service, c *mongo.Collection, accountID string) ([]T, error) {
	sc, err := s.readScope(ctx, accountID)
	if err != nil {
		return nil, err
	}
	filter := bson.D{{Key: fAccountID, Value: accountID}}
	if sc.partnerID != "" {
		filter = append(filter, bson.E{Key: fPartnerID, Value: sc.partnerID})
	}
	return findAll[T](ctx, c, filter, options.Find().SetSort(bson.D{{Key: fID, Value: -1}}).SetLimit(250))
}

// FacilitiesOfRelations, ProductsOfRelations and LoansOfRelations load by id without
// authorization, one `$in` each, for the GraphQL dataloaders of relations of objects the caller
// was already allowed to see (a request's facility and loan, a facility's product): a queue of
// requests with their facilities costs one query, not one per request.
func (s *Service) FacilitiesOfRelations(ctx context.Context, ids []string) (map[string]Facility, error) {
	docs, err := findAll[facilityDoc](ctx, s.facilities, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Facility, len(docs))
	for _, d := range docs {
		out[d.ID] = withAvailable(d.Facility)
	}
	return out, nil
}

// ProductsOfRelations: see FacilitiesOfRelations.
func (s *Service) ProductsOfRelations(ctx context.Context, ids []string) (map[string]Product, error) {
	docs, err := findAll[productDoc](ctx, s.products, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Product, len(docs))
	for _, d := range docs {
		out[d.ID] = d.Product
	}
	return out, nil
}

// LoansOfRelations: see FacilitiesOfRelations.
func (s *Service) LoansOfRelations(ctx context.Context, ids []string) (map[string]Loan, error) {
	docs, err := findAll[loanDoc](ctx, s.loans, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Loan, len(docs))
	for _, d := range docs {
		out[d.ID] = d.Loan
	}
	return out, nil
}
