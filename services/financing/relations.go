package financing

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
)

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
