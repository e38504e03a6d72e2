package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/transport"
	"github.com/tradehub/tradehub/services/warehousing"
)

// warehouseDirectory gives transport the address of a warehouse used as a quote's origin. Any
// active warehouse of the 3PL may be an origin for any account (warehouses are shared); a
// missing or inactive one is NOT_FOUND.
type warehouseDirectory struct{ w *warehousing.Service }

func (d warehouseDirectory) Warehouse(ctx context.Context, accountID, warehouseID string) (transport.Warehouse, error) {
	m, err := d.w.WarehousesOfRelations(ctx, []string{warehouseID})
	if err != nil {
		return transport.Warehouse{}, err
	}
	wh, ok := m[warehouseID]
	if !ok || !wh.Active {
		return transport.Warehouse{}, transport.ErrNotFound.With("input.originWarehouseId", nil)
	}
	return transport.Warehouse{ID: wh.ID, Name: wh.Name, Address: transport.Address{
		Name: wh.Name, Company: "Tradehub " + wh.Code, Line1: wh.Address.Line1, Line2: wh.Address.Line2,
		City: wh.Address.City, Region: wh.Address.Region, PostalCode: wh.Address.PostalCode, Country: wh.Address.Country,
	}}, nil
}

// orderLinker lets fulfilment orders follow the shipment that carries them: booked → the order
// ships (it must be PACKED), delivered → the order is delivered.
type orderLinker struct{ w *warehousing.Service }

// errOrderNotShippable refuses to book a shipment for an order that is not packed.
var errOrderNotShippable = errs.Sentinel(errs.FailedPrecondition, "INVALID_TRANSITION",
	"only PACKED fulfilment orders can be booked on a shipment")

func (l orderLinker) CheckOrders(ctx context.Context, accountID string, orderIDs []string) error {
	found, err := l.w.VisibleOrders(ctx, orderIDs)
	if err != nil {
		return err
	}
	for i, id := range orderIDs {
		o, ok := found[id]
		field := "input.orderIds." + strconv.Itoa(i)
		switch {
		case !ok || o.AccountID != accountID:
			return transport.ErrNotFound.With(field, nil)
		case o.Status != warehousing.OrderPacked:
			return errOrderNotShippable.With(field, nil)
		}
	}
	return nil
}

func (l orderLinker) ShipmentMoved(ctx context.Context, accountID, shipmentID string, orderIDs []string, status transport.Status, at time.Time) error {
	var errList []error
	for _, id := range orderIDs {
		var err error
		switch status {
		case transport.StatusBooked:
			_, err = l.w.ShipFulfilmentOrder(ctx, id, "Tradehub transport", shipmentID)
		case transport.StatusDelivered:
			_, err = l.w.DeliverFulfilmentOrder(ctx, id)
		}
		if err != nil {
			errList = append(errList, err)
		}
	}
	return errors.Join(errList...)
}

// documentHandler serves a shipment's label or commercial invoice:
// GET /documents/shipments/{accountId}/{shipmentId}/{kind} with kind label or commercial-invoice.
// It is authorized like the shipment (read on the account's shipments; the caller comes from
// the same session cookie or API key as /graphql), and a foreign or missing document is 404.
func documentHandler(t *transport.Service, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := map[string]transport.DocumentKind{"label": transport.DocLabel, "commercial-invoice": transport.DocCommercialInvoice}[r.PathValue("kind")]
		doc, err := t.Document(r.Context(), r.PathValue("account"), r.PathValue("shipment"), kind)
		serveDocument(w, r, logger, "shipment document", doc.FileName, doc.ContentType, doc.Data, err)
	})
}

// serveDocument answers a document download: the file as an attachment never cached by a
// shared cache, or 401 without credentials, 404 for what the caller may not see or that does
// not exist (the same answer, so existence does not leak), 500 (logged) for anything else.
func serveDocument(w http.ResponseWriter, r *http.Request, logger *slog.Logger, what, name, contentType string, data []byte, err error) {
	switch errs.CodeOf(err) {
	case "":
	case errs.Unauthenticated:
		http.Error(w, "sign in or send an API key", http.StatusUnauthorized)
		return
	case errs.NotFound, errs.Invalid, errs.Forbidden:
		http.NotFound(w, r)
		return
	default:
		logger.ErrorContext(r.Context(), what, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
