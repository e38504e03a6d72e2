package billing

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
)

// DemoEffectiveFrom is when the demo price books start.
var DemoEffectiveFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// DemoDefaultRates are the demo default book's rates (USD).
var DemoDefaultRates = Rates{StorageCubicMetreDay: 45, StoragePalletDay: 60, ReceivingUnit: 25, ReceivingCarton: 150,
	PickPackOrder: 210, PickPackExtraLine: 40, ReturnsUnit: 120, FreightMarkupBps: 800, CustomsDeclaration: 2500,
	ProcurementCommissionBps: 300, ProcurementMinimum: 5000, FinancingFacilitationBps: 50}

// DemoContractRates are the contract rates (EUR) of the demo contract account.
var DemoContractRates = Rates{StorageCubicMetreDay: 38, StoragePalletDay: 52, ReceivingUnit: 20, ReceivingCarton: 120,
	PickPackOrder: 180, PickPackExtraLine: 35, ReturnsUnit: 100, FreightMarkupBps: 600, CustomsDeclaration: 2200,
	ProcurementCommissionBps: 250, ProcurementMinimum: 4000, FinancingFacilitationBps: 40}

// DemoTaxRates: CN and US zero-rated (export of services; no US sales tax on them), DE 19 % VAT
// with reverse charge for B2B buyers across the border.
var DemoTaxRates = []TaxRate{
	{Country: "CN", Name: "VAT (export, zero-rated)", RateBps: 0},
	{Country: "DE", Name: "VAT", RateBps: 1900, ReverseCharge: true},
	{Country: "US", Name: "Sales tax", RateBps: 0},
}

// SeedDemo creates the demo price books and tax rates if they are missing (trusted, no
// authorization; idempotent): a default book in USD, and a contract book in EUR for
// contractAccountID when it is not empty.
func (s *Service) SeedDemo(ctx context.Context, contractAccountID string) error {
	books := []bookDoc{{ID: ids.New(ids.PriceBook), AccountID: "", Name: "Default 2026", Currency: "USD",
		Versions: []versionDoc{versionToDoc(Version{EffectiveFrom: DemoEffectiveFrom, TermsDays: 30, Rates: DemoDefaultRates})}}}
	if contractAccountID != "" {
		books = append(books, bookDoc{ID: ids.New(ids.PriceBook), AccountID: contractAccountID, Name: "Contract 2026", Currency: "EUR",
			Versions: []versionDoc{versionToDoc(Version{EffectiveFrom: DemoEffectiveFrom, TermsDays: 14, Rates: DemoContractRates})}})
	}
	for _, b := range books {
		b.CreatedAt = s.clock.Now()
		if _, err := s.books.InsertOne(ctx, b); err != nil && !mongo.IsDuplicateKeyError(err) {
			return errs.Internalf("seed price book: %w", err)
		}
	}
	for _, r := range DemoTaxRates {
		if _, err := s.taxRates.UpdateOne(ctx, bson.D{{Key: "_id", Value: r.Country}},
			bson.D{{Key: "$setOnInsert", Value: taxRateDoc(r)}}, upsert()); err != nil {
			return errs.Internalf("seed tax rate: %w", err)
		}
	}
	return nil
}

// DemoIssuer is the billing entity of a demo or development run.
var DemoIssuer = Issuer{Name: "Tradehub Logistics Ltd", Address: "88 Harbour Road, Wan Chai, Hong Kong", Country: "HK",
	TaxID: "HK-51234567", BankDetails: "Tradehub Logistics Ltd, HSBC Hong Kong, account 004-123-456789-838 (SWIFT HSBCHKHHHKH)"}
