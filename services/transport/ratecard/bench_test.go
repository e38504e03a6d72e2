package ratecard

import "testing"

// Pricing is on every quote: each carrier card on the lane prices each request.
func BenchmarkPrice(b *testing.B) {
	c := card()
	cases := map[string]Request{
		"OneParcel":        {Parcels: []Parcel{p(1200, 300, 200, 150)}},
		"TierDiscount":     {Parcels: []Parcel{p(3700, 200, 200, 200)}, PooledGrams: 2_500_000},
		"TenParcelsRemote": {Parcels: []Parcel{p(800, 300, 200, 150), p(1200, 400, 300, 200), p(5100, 500, 300, 200), p(300, 100, 100, 100), p(29000, 1100, 400, 400), p(800, 300, 200, 150), p(1200, 400, 300, 200), p(5100, 500, 300, 200), p(300, 100, 100, 100), p(2000, 300, 300, 300)}, DestinationPostcode: "99501"},
	}
	for name, r := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Price(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
