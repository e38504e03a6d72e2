package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/services/accounts"
	"github.com/tradehub/tradehub/services/procurement"
)

// demoSuppliers are platform-curated suppliers; the first two have a supplier user each (their
// ids are the users' SUPPLIER domains), so an RFQ can be answered as each of them.
var demoSuppliers = []procurement.SupplierInput{
	{Name: "Dongguan Precision Molding", Country: "CN", Categories: []string{"Lighting", "Plastic injection"},
		Contacts: []procurement.Contact{{Name: "Chen Jie", Email: "sales@dongguan-precision.test", Phone: "+86 769 2288 1000"}}, Status: procurement.SupplierVerified},
	{Name: "Ningbo Homeware Co.", Country: "CN", Categories: []string{"Home textiles", "Ceramics", "Lighting"},
		Contacts: []procurement.Contact{{Name: "Wang Fang", Email: "sales@ningbo-homeware.test"}}, Status: procurement.SupplierVerified},
	{Name: "Schwarzwald Feinwerk GmbH", Country: "DE", Categories: []string{"Outdoor", "Metalwork"},
		Contacts: []procurement.Contact{{Name: "Lena Vogt", Email: "vertrieb@schwarzwald-feinwerk.test"}}, Status: procurement.SupplierVerified},
	{Name: "Saigon Rattan Works", Country: "VN", Categories: []string{"Furniture"}, Status: procurement.SupplierPending},
}

// demoRates are the FX rates comparisons convert with (1 base = rate quote).
var demoRates = []procurement.FXRateInput{
	{Base: "CNY", Quote: "USD", Rate: "0.1385"}, {Base: "EUR", Quote: "USD", Rate: "1.0825"},
	{Base: "EUR", Quote: "CNY", Rate: "7.8150"}, {Base: "USD", Quote: "JPY", Rate: "150.50"},
	{Base: "GBP", Quote: "USD", Rate: "1.2650"}, {Base: "AUD", Quote: "USD", Rate: "0.6550"},
	{Base: "VND", Quote: "USD", Rate: "0.0000393"},
}

// seedProcurement creates the curated suppliers (the given ids for those with users) and the
// FX rates, as the platform admin.
func seedProcurement(ctx context.Context, p *procurement.Service, admin accounts.User, supplierIDs []string) error {
	ctx = auth.WithPrincipal(ctx, &auth.Principal{Kind: auth.KindUser, UserID: admin.ID})
	for i, in := range demoSuppliers {
		if i < len(supplierIDs) {
			in.ID = supplierIDs[i]
		}
		if _, err := p.CreateSupplier(ctx, in); err != nil {
			return fmt.Errorf("demo: supplier %s: %w", in.Name, err)
		}
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range demoRates {
		r.EffectiveAt = &from
		if _, err := p.SetFXRate(ctx, r); err != nil {
			return fmt.Errorf("demo: fx rate %s/%s: %w", r.Base, r.Quote, err)
		}
	}
	return nil
}
