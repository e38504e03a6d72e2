package transport

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/internal/money"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/transport/ratecard"
)

// PDFs use fpdf's core Helvetica, which covers Windows-1252 only: text outside it (Chinese
// names, say) prints as "?". A deployment that needs it embeds a UTF-8 TrueType font.

const pdfContentType = "application/pdf"

func newPDF(size fpdf.SizeType, at time.Time) (*fpdf.Fpdf, func(string) string) {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: size})
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true) // with the fixed dates: the same shipment makes the same bytes
	pdf.SetProducer("Tradehub", false)
	pdf.SetAutoPageBreak(true, 10)
	return pdf, pdf.UnicodeTranslatorFromDescriptor("")
}

func outputPDF(pdf *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, errs.Internalf("transport: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func addressLines(a Address) []string {
	var out []string
	for _, s := range []string{a.Name, a.Company, a.Line1, a.Line2,
		strings.TrimSpace(a.PostalCode + " " + a.City), strings.TrimSpace(a.Region + " " + a.Country), a.Phone} {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// labelPDF draws a 4 × 6 inch shipping label.
func labelPDF(req BookingRequest, trackingNumber string) ([]byte, error) {
	pdf, tr := newPDF(fpdf.SizeType{Wd: 101.6, Ht: 152.4}, req.BookedAt)
	pdf.SetMargins(5, 5, 5)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 8, tr(req.Carrier.Name), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, tr(req.Service.Name+" ("+string(req.Service.Mode)+")"), "", 1, "L", false, 0, "")
	pdf.Line(5, pdf.GetY()+1, 96.6, pdf.GetY()+1)
	pdf.Ln(3)
	block := func(title string, a Address) {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.CellFormat(0, 4, title, "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		for _, l := range addressLines(a) {
			pdf.CellFormat(0, 4.5, tr(l), "", 1, "L", false, 0, "")
		}
		pdf.Ln(2)
	}
	block("FROM", req.Origin)
	pdf.SetFont("Helvetica", "B", 12)
	block("SHIP TO", req.Destination)
	pdf.Line(5, pdf.GetY(), 96.6, pdf.GetY())
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 4.5, fmt.Sprintf("Pieces: %d   Weight: %s kg   Chargeable: %s kg", len(req.Parcels),
		ratecard.FormatKilograms(req.Weights.ActualGrams), ratecard.FormatKilograms(req.Weights.ChargeableGrams)), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 4.5, "Date: "+req.BookedAt.UTC().Format("2006-01-02"), "", 1, "L", false, 0, "")
	if req.Reference != "" {
		pdf.CellFormat(0, 4.5, tr("Ref: "+req.Reference), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	drawBars(pdf, trackingNumber, 8, pdf.GetY(), 85, 18)
	pdf.SetY(pdf.GetY() + 20)
	pdf.SetFont("Courier", "B", 16)
	pdf.CellFormat(0, 8, trackingNumber, "", 1, "C", false, 0, "")
	return outputPDF(pdf)
}

// drawBars draws a scannable-looking bar pattern of the tracking number. It is NOT a standard
// symbology; a real carrier's label comes from its API with its own barcode.
func drawBars(pdf *fpdf.Fpdf, s string, x, y, w, h float64) {
	var bits []bool
	for _, c := range []byte(s) {
		for i := 7; i >= 0; i-- {
			bits = append(bits, c>>i&1 == 1, false)
		}
	}
	step := w / float64(len(bits))
	pdf.SetFillColor(0, 0, 0)
	for i, b := range bits {
		if b {
			pdf.Rect(x+float64(i)*step, y, step, h, "F")
		}
	}
}

// commercialInvoicePDF draws the commercial invoice of a declaration.
func commercialInvoicePDF(sh *shipmentDoc, d *declarationDoc) ([]byte, error) {
	pdf, tr := newPDF(fpdf.SizeType{Wd: 210, Ht: 297}, d.CreatedAt)
	pdf.SetMargins(15, 15, 15)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, "COMMERCIAL INVOICE", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 5, tr(fmt.Sprintf("Invoice no. %s    Date %s    Shipment %s", d.ID, d.CreatedAt.UTC().Format("2006-01-02"), sh.ID)), "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 5, tr(fmt.Sprintf("Carrier %s %s    Tracking %s", sh.CarrierName, sh.ServiceName, sh.TrackingNumber)), "", 1, "C", false, 0, "")
	pdf.Ln(4)
	top := pdf.GetY()
	col := func(x float64, title string, a Address, extra []string) {
		pdf.SetXY(x, top)
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(85, 5, title, "", 2, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		for _, l := range append(addressLines(a), extra...) {
			pdf.CellFormat(85, 4.5, tr(l), "", 2, "L", false, 0, "")
		}
	}
	var exp, imp []string
	if d.SenderEORI != "" {
		exp = append(exp, "EORI: "+d.SenderEORI)
	}
	if d.IOSS != "" {
		exp = append(exp, "IOSS: "+d.IOSS)
	}
	if d.ImporterEORI != "" {
		imp = append(imp, "EORI: "+d.ImporterEORI)
	}
	if d.ImporterTaxID != "" {
		imp = append(imp, "Tax id: "+d.ImporterTaxID)
	}
	col(15, "EXPORTER / SHIPPER", sh.Origin.toAddress(), exp)
	y1 := pdf.GetY()
	col(110, "IMPORTER / CONSIGNEE", sh.Destination.toAddress(), imp)
	pdf.SetXY(15, max(y1, pdf.GetY())+4)
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 5, tr(fmt.Sprintf("Incoterm: %s    Reason for export: %s    Country of destination: %s",
		d.Incoterm, d.Reason, sh.Destination.Country)), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	widths := []float64{62, 24, 16, 14, 32, 32}
	heads := []string{"Description", "HS code", "Origin", "Qty", "Unit value", "Total"}
	pdf.SetFont("Helvetica", "B", 9)
	for i, h := range heads {
		pdf.CellFormat(widths[i], 6, h, "1", 0, "L", false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	totals := map[string]int64{}
	var cur money.Currency
	for _, it := range d.Items {
		uv := it.UnitValue.toMoney()
		line, err := uv.MulRat(it.Quantity, 1, money.HalfEven)
		if err != nil {
			return nil, err
		}
		totals[uv.Currency.Code()] += line.Amount
		cur = uv.Currency
		desc := it.Description
		if len(desc) > 40 {
			desc = desc[:40]
		}
		cells := []string{desc, it.HSCode, it.OriginCountry, fmt.Sprint(it.Quantity), uv.String(), line.String()}
		for i, c := range cells {
			pdf.CellFormat(widths[i], 6, tr(c), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 9)
	for code, v := range totals {
		if code == cur.Code() {
			pdf.CellFormat(widths[0]+widths[1]+widths[2]+widths[3]+widths[4], 6, "Total value of goods", "1", 0, "R", false, 0, "")
			pdf.CellFormat(widths[5], 6, money.New(v, cur).String(), "1", 1, "L", false, 0, "")
		}
	}
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 5, "Freight: "+money.New(sh.Breakdown.Shipping, currencyOf(sh.Breakdown.Currency)).String(), "", 1, "L", false, 0, "")
	if e := d.Estimate; e != nil {
		c := currencyOf(e.Currency)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("Estimated duty %s, %s %s (%s)", money.New(e.Duty, c), e.TaxName,
			money.New(e.Tax, c), map[bool]string{true: "paid by shipper", false: "payable by consignee"}[d.Incoterm == string(DDP)])), "", 1, "L", false, 0, "")
	}
	pdf.Ln(6)
	pdf.MultiCell(0, 4.5, "I declare that the information on this invoice is true and correct and that the goods "+
		"originate in the countries shown.", "", "L", false)
	pdf.Ln(10)
	pdf.CellFormat(80, 5, "Signature: ____________________________", "", 1, "L", false, 0, "")
	return outputPDF(pdf)
}

func documentID(shipmentID string, kind DocumentKind) string { return shipmentID + ":" + string(kind) }

// storeDocument writes (or rewrites, on a retried booking) a shipment's document.
func (s *Service) storeDocument(ctx context.Context, accountID, shipmentID string, kind DocumentKind, name string, data []byte, at time.Time) error {
	d := documentDoc{ID: documentID(shipmentID, kind), AccountID: accountID, ShipmentID: shipmentID, Kind: string(kind),
		FileName: name, ContentType: pdfContentType, Data: data, CreatedAt: at}
	_, err := s.docs.ReplaceOne(ctx, bson.D{{Key: fID, Value: d.ID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return internal("store document", err)
	}
	return nil
}

// Document returns a shipment's document with its bytes, for the download route (label, then
// commercial invoice). It requires read on the account's shipments and returns NOT_FOUND for a
// missing document or another account's shipment, INVALID for a malformed id or kind.
func (s *Service) Document(ctx context.Context, accountID, shipmentID string, kind DocumentKind) (Document, error) {
	if !ids.HasPrefix(shipmentID, ids.Shipment) {
		return Document{}, errs.InvalidField("shipmentId", "not a shipment id")
	}
	if kind != DocLabel && kind != DocCommercialInvoice {
		return Document{}, errs.InvalidField("kind", "LABEL or COMMERCIAL_INVOICE")
	}
	if err := s.access.Require(ctx, accountID, ResShipments, access.Read); err != nil {
		return Document{}, err
	}
	var d documentDoc
	err := s.docs.FindOne(ctx, bson.D{{Key: fID, Value: documentID(shipmentID, kind)}, {Key: fAccountID, Value: accountID}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return Document{}, ErrNotFound
	}
	if err != nil {
		return Document{}, internal("read document", err)
	}
	return Document{ShipmentID: d.ShipmentID, Kind: DocumentKind(d.Kind), FileName: d.FileName,
		ContentType: d.ContentType, Size: len(d.Data), Data: d.Data}, nil
}
