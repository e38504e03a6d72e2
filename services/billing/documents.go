package billing

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
)

// Aging is an account's open balance by days past due, in one currency.
type Aging struct {
	Currency                                  money.Currency
	Balance                                   money.Money // every open invoice's balance
	Overdue                                   money.Money
	Days0To30, Days31To60, Days61To90, Over90 money.Money
}

// Statement is an account's position: balances, open and overdue invoices, aging per currency.
type Statement struct {
	AccountID string
	AsOf      time.Time
	Aging     []Aging
	Open      []Invoice // FINALIZED or PARTIALLY_PAID, overdue ones included
	Overdue   []Invoice
}

// Statement returns accountID's statement as of now. Aging buckets count days past the due date
// (an invoice not yet due is in 0–30). NOT_FOUND if the caller may not read invoices.
func (s *Service) Statement(ctx context.Context, accountID string) (Statement, error) {
	if err := s.access.Require(ctx, accountID, access.Invoices, access.Read); err != nil {
		return Statement{}, ErrNotFound
	}
	all, err := s.accountInvoices(ctx, accountID)
	if err != nil {
		return Statement{}, err
	}
	now := s.clock.Now()
	st := Statement{AccountID: accountID, AsOf: now}
	byCur := map[string]*Aging{}
	for i := len(all) - 1; i >= 0; i-- { // oldest first
		inv := all[i]
		if !open(string(inv.Status)) {
			continue
		}
		st.Open = append(st.Open, inv)
		a := byCur[inv.Currency.Code()]
		if a == nil {
			z := money.New(0, inv.Currency)
			a = &Aging{Currency: inv.Currency, Balance: z, Overdue: z, Days0To30: z, Days31To60: z, Days61To90: z, Over90: z}
			byCur[inv.Currency.Code()] = a
		}
		bal := inv.Balance().Amount
		a.Balance.Amount += bal
		days := 0
		if now.After(inv.DueDate) {
			days = int(now.Sub(inv.DueDate).Hours() / 24)
			st.Overdue = append(st.Overdue, inv)
			a.Overdue.Amount += bal
		}
		switch {
		case days <= 30:
			a.Days0To30.Amount += bal
		case days <= 60:
			a.Days31To60.Amount += bal
		case days <= 90:
			a.Days61To90.Amount += bal
		default:
			a.Over90.Amount += bal
		}
	}
	for _, c := range sortedKeys(byCur) {
		st.Aging = append(st.Aging, *byCur[c])
	}
	return st, nil
}

// Document is a rendered invoice file.
type Document struct {
	FileName, ContentType string
	Data                  []byte
}

// InvoiceCSV renders an invoice's lines as CSV. Errors as Invoice.
func (s *Service) InvoiceCSV(ctx context.Context, id string) (Document, error) {
	inv, err := s.Invoice(ctx, id)
	if err != nil {
		return Document{}, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"section", "code", "description", "quantity", "unit", "unit_price", "basis", "rate_bps", "amount", "currency"})
	for _, sec := range inv.Sections {
		for _, l := range sec.Lines {
			up, basis := "", ""
			if l.UnitPrice != nil {
				up = money.FormatAmount(l.UnitPrice.Amount, inv.Currency)
			}
			if l.Basis != nil {
				basis = money.FormatAmount(l.Basis.Amount, inv.Currency)
			}
			_ = w.Write([]string{sec.Category, l.Code, l.Description, l.Quantity, l.Unit, up, basis, fmt.Sprint(l.RateBps),
				money.FormatAmount(l.Amount.Amount, inv.Currency), inv.Currency.Code()})
		}
	}
	_ = w.Write([]string{"TAX", "tax", inv.Tax.Name, "", "", "", money.FormatAmount(inv.Tax.Taxable.Amount, inv.Currency),
		fmt.Sprint(inv.Tax.RateBps), money.FormatAmount(inv.Tax.Amount.Amount, inv.Currency), inv.Currency.Code()})
	_ = w.Write([]string{"TOTAL", "total", "Total", "", "", "", "", "", money.FormatAmount(inv.Total.Amount, inv.Currency), inv.Currency.Code()})
	w.Flush()
	return Document{FileName: fileName(inv) + ".csv", ContentType: "text/csv; charset=utf-8", Data: buf.Bytes()}, nil
}

func fileName(inv Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return "draft-" + inv.ID
}

// InvoicePDF renders an invoice: issuer and customer, lines by service, tax, totals, payment
// instructions. Errors as Invoice.
func (s *Service) InvoicePDF(ctx context.Context, id string) (Document, error) {
	inv, err := s.Invoice(ctx, id)
	if err != nil {
		return Document{}, err
	}
	cust, err := s.cfg.Accounts.Customer(ctx, inv.AccountID)
	if err != nil {
		return Document{}, err
	}
	at := inv.FinalizedAt
	if at.IsZero() {
		at = inv.CreatedAt
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Tradehub", false)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	m := func(n int64) string { return money.FormatAmount(n, inv.Currency) + " " + inv.Currency.Code() }
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	title := "Invoice " + inv.Number
	if inv.Number == "" {
		title = "DRAFT invoice"
	}
	pdf.Cell(0, 10, tr(title))
	pdf.Ln(12)
	pdf.SetFont("Helvetica", "", 9)
	iss := s.cfg.Issuer
	for _, l := range []string{iss.Name, iss.Address, iss.Country, "Tax ID " + iss.TaxID} {
		pdf.Cell(0, 4.5, tr(l))
		pdf.Ln(4.5)
	}
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "B", 9)
	pdf.Cell(0, 4.5, tr("Bill to"))
	pdf.Ln(4.5)
	pdf.SetFont("Helvetica", "", 9)
	for _, l := range []string{cust.LegalName, cust.Country, cust.Email} {
		pdf.Cell(0, 4.5, tr(l))
		pdf.Ln(4.5)
	}
	pdf.Ln(3)
	if inv.Kind == KindUsage {
		pdf.Cell(0, 4.5, tr(fmt.Sprintf("Period %s to %s", inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"))))
		pdf.Ln(4.5)
	}
	if !inv.DueDate.IsZero() {
		pdf.Cell(0, 4.5, tr("Issued "+inv.FinalizedAt.Format("2006-01-02")+", due "+inv.DueDate.Format("2006-01-02")))
		pdf.Ln(4.5)
	}
	pdf.Ln(4)
	for _, sec := range inv.Sections {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.Cell(0, 6, tr(sec.Category))
		pdf.Ln(6)
		pdf.SetFont("Helvetica", "", 9)
		for _, l := range sec.Lines {
			pdf.CellFormat(100, 5, tr(l.Description), "", 0, "L", false, 0, "")
			pdf.CellFormat(40, 5, tr(l.Quantity+" "+l.Unit), "", 0, "R", false, 0, "")
			pdf.CellFormat(45, 5, tr(m(l.Amount.Amount)), "", 1, "R", false, 0, "")
		}
		pdf.SetFont("Helvetica", "I", 9)
		pdf.CellFormat(140, 5, tr("Subtotal "+sec.Category), "", 0, "R", false, 0, "")
		pdf.CellFormat(45, 5, tr(m(sec.Subtotal.Amount)), "", 1, "R", false, 0, "")
	}
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 9)
	taxLabel := fmt.Sprintf("%s %s on %s", inv.Tax.Name, bpsPercent(inv.Tax.RateBps), m(inv.Tax.Taxable.Amount))
	if inv.Tax.ReverseCharge {
		taxLabel = "Reverse charge: the customer accounts for the " + inv.Tax.Name
	}
	for _, row := range [][2]string{{"Subtotal", m(inv.Subtotal.Amount)}, {taxLabel, m(inv.Tax.Amount.Amount)}, {"Total", m(inv.Total.Amount)},
		{"Credited", m(inv.Credited.Amount)}, {"Paid", m(inv.Paid.Amount)}, {"Balance due", m(inv.Balance().Amount)}} {
		pdf.CellFormat(140, 5, tr(row[0]), "", 0, "R", false, 0, "")
		pdf.CellFormat(45, 5, tr(row[1]), "", 1, "R", false, 0, "")
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 9)
	pdf.Cell(0, 5, tr("Payment"))
	pdf.Ln(5)
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(0, 4.5, tr("Bank transfer to "+iss.BankDetails+", reference "+fileName(inv)+"."), "", "L", false)
	if inv.HostedURL != "" {
		pdf.MultiCell(0, 4.5, tr("Or pay online: "+inv.HostedURL), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return Document{}, errs.Internalf("invoice PDF: %w", err)
	}
	return Document{FileName: fileName(inv) + ".pdf", ContentType: "application/pdf", Data: buf.Bytes()}, nil
}
