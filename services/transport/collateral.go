package transport

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/services/events"
)

// CollateralShipment returns one of the account's shipments without its timeline, for
// financing's valuation of collateral. It does NO authorization: financing decides who may see
// an account's collateral (its partners under consent included, who hold no shipments role).
// NOT_FOUND for a missing shipment or one of another account.
func (s *Service) CollateralShipment(ctx context.Context, accountID, shipmentID string) (Shipment, error) {
	docs, err := s.findShipments(ctx, bson.D{{Key: fID, Value: shipmentID}, {Key: fAccountID, Value: accountID}})
	if err != nil {
		return Shipment{}, err
	}
	if len(docs) == 0 {
		return Shipment{}, ErrNotFound
	}
	return docs[0].toShipment(), nil
}

// CollateralShipments returns, in one query, the shipments among ids that belong to one of
// accountIDs, without their timeline, for financing's risk picture of a page of requests; the
// caller pairs each with the account it expects. It does NO authorization (see
// CollateralShipment).
func (s *Service) CollateralShipments(ctx context.Context, accountIDs, ids []string) ([]Shipment, error) {
	if len(ids) == 0 || len(accountIDs) == 0 {
		return nil, nil
	}
	docs, err := s.findShipments(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: fAccountID, Value: bson.D{{Key: "$in", Value: accountIDs}}}})
	if err != nil {
		return nil, err
	}
	out := make([]Shipment, len(docs))
	for i, d := range docs {
		out[i] = d.toShipment()
	}
	return out, nil
}

// OpenShipments lists the account's shipments that are not in a final status, newest first (at
// most 250), for financing's list of eligible collateral. It does NO authorization (see
// CollateralShipment).
func (s *Service) OpenShipments(ctx context.Context, accountID string) ([]Shipment, error) {
	cur, err := s.shipments.Find(ctx, bson.D{{Key: fAccountID, Value: accountID},
		{Key: fStatus, Value: bson.D{{Key: "$nin", Value: bson.A{string(StatusDelivered), string(StatusLost), string(StatusReturnedToSender)}}}}},
		options.Find().SetSort(bson.D{{Key: fID, Value: -1}}).SetLimit(250).SetProjection(bson.D{{Key: events.OutboxField, Value: 0}}))
	if err != nil {
		return nil, internal("read open shipments", err)
	}
	var docs []*shipmentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read open shipments", err)
	}
	out := make([]Shipment, len(docs))
	for i, d := range docs {
		out[i] = d.toShipment()
	}
	return out, nil
}
