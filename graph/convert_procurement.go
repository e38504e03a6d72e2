package graph

import (
	"context"
	"errors"

	"github.com/vikstrous/dataloadgen"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/services/procurement"
)

// supplierOf loads the supplier a visible RFQ, quote or purchase order names; null when it is
// gone.
func (r *Resolver) supplierOf(ctx context.Context, id string) (*model.Supplier, error) {
	s, err := r.loadersOf(ctx).Suppliers(r.Procurement).Load(ctx, id)
	if err != nil {
		return nil, nil //nolint:nilerr // a missing supplier is null, not an error
	}
	return toGQLSupplier(s), nil
}

// rfqQuotesOf loads an RFQ's quotes through the request's loader (one batch for a list of
// RFQs); nil, nil when the caller may not see them (null, as Quotes' NOT_FOUND was).
func (r *Resolver) rfqQuotesOf(ctx context.Context, rfqID string) ([]procurement.Quote, error) {
	list, err := r.loadersOf(ctx).RFQQuotes(r.Procurement).Load(ctx, rfqID)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []procurement.Quote{}
	}
	return list, nil
}

func toGQLSupplier(s procurement.Supplier) *model.Supplier {
	out := &model.Supplier{ID: s.ID, Name: s.Name, Country: s.Country, Categories: s.Categories,
		Contacts: []model.SupplierContact{}, Status: model.SupplierStatus(s.Status), CreatedAt: s.CreatedAt,
		Score: &model.SupplierScore{Percent: s.Score.Percent(), Orders: int(s.Score.Orders), OnTime: int(s.Score.OnTime),
			UnitsOrdered: int(s.Score.UnitsOrdered), UnitsReceived: int(s.Score.UnitsReceived), UnitsRejected: int(s.Score.UnitsRejected)}}
	if s.AccountID != "" {
		out.AccountID = &s.AccountID
	}
	for _, c := range s.Contacts {
		out.Contacts = append(out.Contacts, model.SupplierContact{Name: c.Name, Email: optional(c.Email), Phone: optional(c.Phone)})
	}
	return out
}

func toGQLSupplierConnection(r cursor.Result[procurement.Supplier]) *model.SupplierConnection {
	c := &model.SupplierConnection{Edges: []model.SupplierEdge{}, Nodes: []model.Supplier{}, PageInfo: toGQLPageInfo(r)}
	for i, s := range r.Items {
		n := toGQLSupplier(s)
		c.Nodes = append(c.Nodes, *n)
		c.Edges = append(c.Edges, model.SupplierEdge{Cursor: r.Cursors[i], Node: n})
	}
	return c
}

func fromCreateSupplierInput(in model.CreateSupplierInput) procurement.SupplierInput {
	out := procurement.SupplierInput{AccountID: deref(in.AccountID), Name: in.Name, Country: in.Country, Categories: in.Categories}
	if in.Status != nil {
		out.Status = procurement.SupplierStatus(*in.Status)
	}
	for _, c := range in.Contacts {
		out.Contacts = append(out.Contacts, procurement.Contact{Name: c.Name, Email: deref(c.Email), Phone: deref(c.Phone)})
	}
	return out
}

func toGQLRfq(x procurement.RFQ) *model.Rfq {
	out := &model.Rfq{ID: x.ID, AccountID: x.AccountID, Title: x.Title, DestinationWarehouseID: x.DestinationWarehouseID,
		Incoterm: model.ProcurementIncoterm(x.Incoterm), Currency: x.Currency, ResponseDeadline: x.ResponseDeadline,
		ShowTargetPrices: x.ShowTargetPrices, Lines: []model.RfqLine{}, SupplierIDs: x.SupplierIDs, Status: model.RfqStatus(x.Status),
		CreatedAt: x.CreatedAt, SentAt: x.SentAt, AwardedAt: x.AwardedAt, SupplierView: x.SupplierView}
	for _, l := range x.Lines {
		ml := model.RfqLine{ID: l.ID, SkuID: optional(l.SKUID), Description: l.Description, Quantity: int(l.Quantity), Unit: l.Unit,
			RequiredBy: l.RequiredBy, Specifications: optional(l.Specifications), HsCode: optional(l.HSCode), UnitWeightGrams: int(l.UnitWeightGrams)}
		if l.TargetUnitPrice != nil {
			ml.TargetUnitPrice = toGQLMoney(*l.TargetUnitPrice)
		}
		out.Lines = append(out.Lines, ml)
	}
	return out
}

func toGQLRfqConnection(r cursor.Result[procurement.RFQ]) *model.RfqConnection {
	c := &model.RfqConnection{Edges: []model.RfqEdge{}, Nodes: []model.Rfq{}, PageInfo: toGQLPageInfo(r)}
	for i, x := range r.Items {
		n := toGQLRfq(x)
		c.Nodes = append(c.Nodes, *n)
		c.Edges = append(c.Edges, model.RfqEdge{Cursor: r.Cursors[i], Node: n})
	}
	return c
}

func fromCreateRfqInput(in model.CreateRfqInput) procurement.RFQInput {
	out := procurement.RFQInput{AccountID: in.AccountID, Title: in.Title, DestinationWarehouseID: in.DestinationWarehouseID,
		Currency: in.Currency.Code(), ResponseDeadline: in.ResponseDeadline, ShowTargetPrices: deref(in.ShowTargetPrices), SupplierIDs: in.SupplierIds}
	if in.Incoterm != nil {
		out.Incoterm = procurement.Incoterm(*in.Incoterm)
	}
	for _, l := range in.Lines {
		out.Lines = append(out.Lines, procurement.RFQLineInput{SKUID: deref(l.SkuID), Description: deref(l.Description), Quantity: int64(l.Quantity),
			Unit: deref(l.Unit), TargetUnitPrice: l.TargetUnitPrice, RequiredBy: l.RequiredBy, Specifications: deref(l.Specifications),
			HSCode: deref(l.HsCode), UnitWeightGrams: int64(deref(l.UnitWeightGrams))})
	}
	return out
}

func toGQLLandedCost(l *procurement.Landed) *model.LandedCost {
	if l == nil {
		return nil
	}
	out := &model.LandedCost{Goods: toGQLMoney(l.Goods), Freight: toGQLMoney(l.Freight), Duties: toGQLMoney(l.Duties),
		Taxes: toGQLMoney(l.Taxes), Fee: toGQLMoney(l.Fee), Total: toGQLMoney(l.Total), Lines: []model.LandedCostLine{},
		FreightCarrier: optional(l.FreightCarrier), FreightService: optional(l.FreightService), TransitDays: l.TransitDays,
		FxRates: append([]string{}, l.FX...), ComputedAt: l.ComputedAt}
	for _, x := range l.Lines {
		out.Lines = append(out.Lines, model.LandedCostLine{RfqLineID: x.RFQLineID, Quantity: int(x.Quantity), Goods: toGQLMoney(x.Goods),
			Freight: toGQLMoney(x.Freight), Duties: toGQLMoney(x.Duties), Taxes: toGQLMoney(x.Taxes), Fee: toGQLMoney(x.Fee),
			Total: toGQLMoney(x.Total), PerUnit: toGQLMoney(x.PerUnit)})
	}
	return out
}

func toGQLSupplierQuote(q procurement.Quote) *model.SupplierQuote {
	out := &model.SupplierQuote{ID: q.ID, RfqID: q.RFQID, SupplierID: q.SupplierID, Incoterm: model.ProcurementIncoterm(q.Incoterm),
		Currency: q.Currency, ValidUntil: q.ValidUntil, Lines: []model.SupplierQuoteLine{}, Notes: optional(q.Notes),
		Status: model.SupplierQuoteStatus(q.Status), Revision: q.Revision, OnBehalf: q.OnBehalf, SubmittedAt: q.SubmittedAt,
		LandedCost: toGQLLandedCost(q.Landed)}
	for _, l := range q.Lines {
		out.Lines = append(out.Lines, model.SupplierQuoteLine{RfqLineID: l.RFQLineID, UnitPrice: toGQLMoney(l.UnitPrice), Moq: int(l.MOQ),
			LeadTimeDays: l.LeadTimeDays})
	}
	return out
}

func fromSubmitSupplierQuoteInput(in model.SubmitSupplierQuoteInput) procurement.QuoteInput {
	out := procurement.QuoteInput{RFQID: in.RfqID, SupplierID: in.SupplierID, Incoterm: procurement.Incoterm(in.Incoterm),
		Currency: in.Currency.Code(), ValidUntil: in.ValidUntil, Notes: deref(in.Notes)}
	for _, l := range in.Lines {
		out.Lines = append(out.Lines, procurement.QuoteLineInput{RFQLineID: l.RfqLineID, UnitPrice: l.UnitPrice, MOQ: int64(deref(l.Moq)),
			LeadTimeDays: l.LeadTimeDays})
	}
	return out
}

func toGQLComparison(c procurement.Comparison) *model.RfqComparison {
	out := &model.RfqComparison{Quotes: []model.ComparedQuote{}}
	for _, q := range c.Quotes {
		out.Quotes = append(out.Quotes, model.ComparedQuote{Quote: toGQLSupplierQuote(q.Quote), Supplier: toGQLSupplier(q.Supplier),
			LinesCovered: q.Covers, RankByLandedCost: q.RankByLanded, RankByLeadTime: q.RankByLead, RankByScore: q.RankByScore,
			WeightedScore: int(q.WeightedScore)})
	}
	return out
}

func fromPaymentTerms(p *model.PaymentTermsInput) *procurement.PaymentTerms {
	if p == nil {
		return nil
	}
	return &procurement.PaymentTerms{DepositPercent: p.DepositPercent, Balance: procurement.BalanceDue(p.Balance)}
}

func fromAwardRfqInput(in model.AwardRfqInput) procurement.AwardInput {
	out := procurement.AwardInput{RFQID: in.RfqID, QuoteID: deref(in.QuoteID), Notes: deref(in.Notes)}
	if p := fromPaymentTerms(in.PaymentTerms); p != nil {
		out.PaymentTerms = *p
	}
	for _, l := range in.Lines {
		out.Lines = append(out.Lines, procurement.LineAward{RFQLineID: l.RfqLineID, QuoteID: l.QuoteID})
	}
	return out
}

func toGQLPurchaseOrder(p procurement.PurchaseOrder) *model.PurchaseOrder {
	out := &model.PurchaseOrder{ID: p.ID, AccountID: p.AccountID, Number: p.Number, RfqID: p.RFQID, QuoteID: p.QuoteID,
		SupplierID: p.SupplierID, DestinationWarehouseID: p.DestinationWarehouseID, Incoterm: model.ProcurementIncoterm(p.Incoterm),
		Lines: []model.PurchaseOrderLine{}, Total: toGQLMoney(p.Total), ReceivedValue: toGQLMoney(p.ReceivedValue()),
		PaymentTerms: &model.PaymentTerms{DepositPercent: p.PaymentTerms.DepositPercent, Balance: model.BalanceDue(p.PaymentTerms.Balance)},
		Notes:        optional(p.Notes), Status: model.PurchaseOrderStatus(p.Status), ReceiptID: p.ReceiptID, PromisedShipBy: p.PromisedShipBy,
		IssuedAt: p.IssuedAt, ConfirmedAt: p.ConfirmedAt, ShippedAt: p.ShippedAt, ReceivedAt: p.ReceivedAt}
	for _, l := range p.Lines {
		out.Lines = append(out.Lines, model.PurchaseOrderLine{RfqLineID: l.RFQLineID, SkuID: optional(l.SKUID), Description: l.Description,
			Quantity: int(l.Quantity), Unit: l.Unit, UnitPrice: toGQLMoney(l.UnitPrice), LeadTimeDays: l.LeadTimeDays,
			Received: int(l.Received), Rejected: int(l.Rejected)})
	}
	return out
}

func toGQLPurchaseOrderConnection(r cursor.Result[procurement.PurchaseOrder]) *model.PurchaseOrderConnection {
	c := &model.PurchaseOrderConnection{Edges: []model.PurchaseOrderEdge{}, Nodes: []model.PurchaseOrder{}, PageInfo: toGQLPageInfo(r)}
	for i, x := range r.Items {
		n := toGQLPurchaseOrder(x)
		c.Nodes = append(c.Nodes, *n)
		c.Edges = append(c.Edges, model.PurchaseOrderEdge{Cursor: r.Cursors[i], Node: n})
	}
	return c
}

func toGQLFxRate(x procurement.FXRate) *model.FxRate {
	return &model.FxRate{Base: x.Base, Quote: x.Quote, Rate: x.Rate, EffectiveAt: x.EffectiveAt}
}

func purchaseOrderPayload(p procurement.PurchaseOrder, err error) (*model.PurchaseOrderPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.PurchaseOrderPayload{UserErrors: ue}, err
	}
	return &model.PurchaseOrderPayload{PurchaseOrder: toGQLPurchaseOrder(p), UserErrors: []model.UserError{}}, nil
}

func rfqPayload(x procurement.RFQ, err error) (*model.RfqPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.RfqPayload{UserErrors: ue}, err
	}
	return &model.RfqPayload{Rfq: toGQLRfq(x), UserErrors: []model.UserError{}}, nil
}

func supplierPayload(s procurement.Supplier, err error) (*model.SupplierPayload, error) {
	ue, err := userErrorsOf(err)
	if err != nil || ue != nil {
		return &model.SupplierPayload{UserErrors: ue}, err
	}
	return &model.SupplierPayload{Supplier: toGQLSupplier(s), UserErrors: []model.UserError{}}, nil
}
