package graph

import (
	"net/url"
	"sort"
	"time"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/services/billing"
)

func invoiceDocumentURL(inv billing.Invoice, kind string) string {
	return "/documents/invoices/" + url.PathEscape(inv.AccountID) + "/" + url.PathEscape(inv.ID) + "/" + kind
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toGQLSections(ss []billing.Section) []model.InvoiceSection {
	out := []model.InvoiceSection{}
	for _, s := range ss {
		sec := model.InvoiceSection{Category: model.UsageCategory(s.Category), Subtotal: toGQLMoney(s.Subtotal), Lines: []model.InvoiceLine{}}
		for _, l := range s.Lines {
			gl := model.InvoiceLine{Code: l.Code, Description: l.Description, Quantity: l.Quantity, Unit: l.Unit, RateBps: int(l.RateBps),
				Amount: toGQLMoney(l.Amount), Records: l.Records}
			if l.UnitPrice != nil {
				gl.UnitPrice = toGQLMoney(*l.UnitPrice)
			}
			if l.Basis != nil {
				gl.Basis = toGQLMoney(*l.Basis)
			}
			sec.Lines = append(sec.Lines, gl)
		}
		out = append(out, sec)
	}
	return out
}

// toGQLInvoice converts an invoice as seen at now (OVERDUE is derived).
func toGQLInvoice(inv billing.Invoice, now time.Time) *model.Invoice {
	out := &model.Invoice{ID: inv.ID, AccountID: inv.AccountID, Kind: model.InvoiceKind(inv.Kind), Number: optional(inv.Number),
		Status: model.InvoiceStatus(inv.Effective(now)), PeriodStart: inv.PeriodStart, PeriodEnd: inv.PeriodEnd, CurrencyCode: inv.Currency,
		Sections: toGQLSections(inv.Sections), Subtotal: toGQLMoney(inv.Subtotal), Total: toGQLMoney(inv.Total),
		Credited: toGQLMoney(inv.Credited), Paid: toGQLMoney(inv.Paid), Refunded: toGQLMoney(inv.Refunded), Balance: toGQLMoney(inv.Balance()),
		TermsDays: inv.TermsDays, DueDate: optionalTime(inv.DueDate), FinalizedAt: optionalTime(inv.FinalizedAt), Memo: inv.Memo,
		UnpricedCodes: append([]string{}, inv.UnpricedCodes...), Payments: []model.InvoicePayment{}, CreditNotes: []model.CreditNote{},
		SyncStatus: model.InvoiceSyncStatus(inv.Sync), SyncError: optional(inv.SyncError), StripeInvoiceID: optional(inv.StripeID),
		PdfURL: invoiceDocumentURL(inv, "pdf"), CsvURL: invoiceDocumentURL(inv, "csv"), LoanID: optional(inv.LoanID),
		PaymentError: optional(inv.PaymentError), Uncollectible: inv.Uncollectible, CreatedAt: inv.CreatedAt, HostedURL: inv.HostedURL,
		Tax: &model.InvoiceTax{Country: inv.Tax.Country, Name: inv.Tax.Name, RateBps: int(inv.Tax.RateBps), ReverseCharge: inv.Tax.ReverseCharge,
			Taxable: toGQLMoney(inv.Tax.Taxable), Amount: toGQLMoney(inv.Tax.Amount)}}
	for _, p := range inv.Payments {
		out.Payments = append(out.Payments, model.InvoicePayment{ID: p.ID, Amount: toGQLMoney(p.Amount), Method: p.Method, Reference: p.Reference, ReceivedAt: p.ReceivedAt})
	}
	for _, n := range inv.CreditNotes {
		out.CreditNotes = append(out.CreditNotes, model.CreditNote{ID: n.ID, Amount: toGQLMoney(n.Amount), Reason: n.Reason, CreatedAt: n.CreatedAt})
	}
	return out
}

func toGQLInvoices(list []billing.Invoice, now time.Time) []model.Invoice {
	out := []model.Invoice{}
	for _, inv := range list {
		out = append(out, *toGQLInvoice(inv, now))
	}
	return out
}

func toGQLInvoiceConnection(r cursor.Result[billing.Invoice], now time.Time) *model.InvoiceConnection {
	c := &model.InvoiceConnection{Edges: []model.InvoiceEdge{}, Nodes: []model.Invoice{}, PageInfo: toGQLPageInfo(r)}
	for i, inv := range r.Items {
		n := toGQLInvoice(inv, now)
		c.Nodes = append(c.Nodes, *n)
		c.Edges = append(c.Edges, model.InvoiceEdge{Cursor: r.Cursors[i], Node: n})
	}
	return c
}

func toGQLBillingStatement(s billing.Statement) *model.BillingStatement {
	out := &model.BillingStatement{AccountID: s.AccountID, AsOf: s.AsOf, Aging: []model.AgingBuckets{},
		OpenInvoices: toGQLInvoices(s.Open, s.AsOf), OverdueInvoices: toGQLInvoices(s.Overdue, s.AsOf)}
	for _, a := range s.Aging {
		out.Aging = append(out.Aging, model.AgingBuckets{CurrencyCode: a.Currency, Balance: toGQLMoney(a.Balance), Overdue: toGQLMoney(a.Overdue),
			Days0To30: toGQLMoney(a.Days0To30), Days31To60: toGQLMoney(a.Days31To60), Days61To90: toGQLMoney(a.Days61To90), Over90: toGQLMoney(a.Over90)})
	}
	return out
}

func toGQLPreviews(ps []billing.Preview) []model.UsagePreview {
	out := []model.UsagePreview{}
	for _, p := range ps {
		out = append(out, model.UsagePreview{PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd, CurrencyCode: p.Currency,
			Sections: toGQLSections(p.Sections), Total: toGQLMoney(p.Total), UnpricedCodes: append([]string{}, p.UnpricedCodes...)})
	}
	return out
}

func toGQLPriceBook(b billing.PriceBook) *model.PriceBook {
	out := &model.PriceBook{ID: b.ID, AccountID: optional(b.AccountID), Name: b.Name, CurrencyCode: b.Currency, Versions: []model.PriceBookVersion{}}
	for _, v := range b.Versions {
		t := billing.FormatRates(v.Rates, b.Currency)
		r := &model.PriceBookRates{StorageCubicMetreDay: t.StorageCubicMetreDay, StoragePalletDay: t.StoragePalletDay, ReceivingUnit: t.ReceivingUnit,
			ReceivingCarton: t.ReceivingCarton, PickPackOrder: t.PickPackOrder, PickPackExtraLine: t.PickPackExtraLine, ReturnsUnit: t.ReturnsUnit,
			FreightMarkupBps: int(t.FreightMarkupBps), CustomsDeclaration: t.CustomsDeclaration, ProcurementCommissionBps: int(t.ProcurementCommissionBps),
			ProcurementMinimum: t.ProcurementMinimum, FinancingFacilitationBps: int(t.FinancingFacilitationBps), Custom: []model.CustomRate{}}
		for _, c := range t.Custom {
			r.Custom = append(r.Custom, model.CustomRate{Code: c.Code, UnitPrice: c.UnitPrice})
		}
		out.Versions = append(out.Versions, model.PriceBookVersion{EffectiveFrom: v.EffectiveFrom, TermsDays: v.TermsDays, Rates: r})
	}
	return out
}

func fromSetPriceBookVersionInput(in model.SetPriceBookVersionInput) billing.PriceBookInput {
	out := billing.PriceBookInput{AccountID: deref(in.AccountID), Name: deref(in.Name),
		Version: billing.Version{EffectiveFrom: in.EffectiveFrom, TermsDays: in.TermsDays}}
	if in.CurrencyCode != nil {
		out.Currency = *in.CurrencyCode
	}
	if r := in.Rates; r != nil {
		t := &billing.RatesText{StorageCubicMetreDay: r.StorageCubicMetreDay, StoragePalletDay: r.StoragePalletDay, ReceivingUnit: r.ReceivingUnit,
			ReceivingCarton: r.ReceivingCarton, PickPackOrder: r.PickPackOrder, PickPackExtraLine: r.PickPackExtraLine, ReturnsUnit: r.ReturnsUnit,
			CustomsDeclaration: r.CustomsDeclaration, ProcurementMinimum: r.ProcurementMinimum, FreightMarkupBps: int64(r.FreightMarkupBps),
			ProcurementCommissionBps: int64(r.ProcurementCommissionBps), FinancingFacilitationBps: int64(r.FinancingFacilitationBps)}
		for _, c := range r.Custom {
			t.Custom = append(t.Custom, billing.CustomRateText{Code: c.Code, UnitPrice: c.UnitPrice})
		}
		out.RatesText = t
	}
	return out
}

func toGQLUnpriced(m map[string]int) []model.UnpricedCode {
	out := []model.UnpricedCode{}
	for c, n := range m {
		out = append(out, model.UnpricedCode{Code: c, Records: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// invoicePayload maps an invoice mutation's outcome.
func (r *Resolver) invoicePayload(inv billing.Invoice, err error) (*model.InvoicePayload, error) {
	if ue, top := userErrorsOf(err); ue != nil || top != nil {
		return &model.InvoicePayload{UserErrors: ue}, top
	}
	return &model.InvoicePayload{Invoice: toGQLInvoice(inv, r.now()), UserErrors: noUserErrors()}, nil
}

// now is the billing service's clock (OVERDUE is relative to it).
func (r *Resolver) now() time.Time { return r.Billing.Now() }
