// Package ids makes and checks Tradehub's object ids: Stripe-style "<prefix>_<ulid>", such as
// "shp_01jq3v8k2m5x7c9d0e4f6g8h1j". The prefix names the object's type, so GraphQL's
// node(id:) can route any id; the rest is a ULID in lower-case Crockford base32.
//
// Ids are opaque to clients and are the GraphQL global ids. Their ULID part starts with the
// creation time in milliseconds and lower-case Crockford base32 sorts like the bytes, so ids of
// one type sort by creation time; within one millisecond the ids of one process still sort in
// the order New made them. Keyset pagination sorting by _id relies on that.
//
// Ids are not secrets: they are unique and hard to guess, but they appear in URLs, logs and
// webhooks. Never accept an id as proof of anything (API keys and sessions use their own
// secrets).
package ids

import (
	"crypto/rand"
	"strings"
	"sync"

	"github.com/oklog/ulid/v2"

	"github.com/tradehub/tradehub/internal/errs"
)

// ErrInvalidID reports a string that is not a well-formed Tradehub id.
var ErrInvalidID = errs.Sentinel(errs.Invalid, "INVALID_ID", "not a valid id")

// Prefix names the type of object an id belongs to.
type Prefix string

// The prefixes. They are part of every stored id and of clients' URLs: never change or reuse
// one.
const (
	Account          Prefix = "acct"
	User             Prefix = "usr"
	Membership       Prefix = "mem"
	APIKey           Prefix = "key"
	Session          Prefix = "ses"
	Invitation       Prefix = "invt"
	Partner          Prefix = "ptn"
	Supplier         Prefix = "sup"
	Warehouse        Prefix = "whs"
	SKU              Prefix = "sku"
	Receipt          Prefix = "rcpt"
	Order            Prefix = "ord"
	Transfer         Prefix = "trf"
	Return           Prefix = "rma"
	Movement         Prefix = "mov"
	Shipment         Prefix = "shp"
	Quote            Prefix = "qte"
	Carrier          Prefix = "crr"
	RateCard         Prefix = "rc"
	Declaration      Prefix = "dcl"
	RFQ              Prefix = "rfq"
	SupplierQuote    Prefix = "sqt"
	PurchaseOrder    Prefix = "po"
	FXRate           Prefix = "fxr"
	PartnerProduct   Prefix = "fprd"
	Facility         Prefix = "fac"
	FinancingRequest Prefix = "freq"
	Loan             Prefix = "loan"
	Invoice          Prefix = "inv"
	CreditNote       Prefix = "cn"
	Payment          Prefix = "pay"
	Usage            Prefix = "use"
	Event            Prefix = "evt"
	Webhook          Prefix = "whk"
	Delivery         Prefix = "dlv"
	AuditEntry       Prefix = "aud"
	BulkOperation    Prefix = "bulk"
	PriceBook        Prefix = "pbk"
)

// known holds every Prefix above; Parse accepts no other.
var known = map[Prefix]bool{
	Account: true, User: true, Membership: true, APIKey: true, Session: true, Invitation: true,
	Partner: true, Supplier: true, Warehouse: true, SKU: true, Receipt: true, Order: true,
	Transfer: true, Return: true, Movement: true, Shipment: true, Quote: true, Carrier: true,
	RateCard: true, Declaration: true, RFQ: true, SupplierQuote: true, PurchaseOrder: true, FXRate: true,
	PartnerProduct: true, Facility: true, FinancingRequest: true, Loan: true, Invoice: true,
	CreditNote: true, Payment: true, Usage: true, Event: true, Webhook: true, Delivery: true,
	AuditEntry: true, BulkOperation: true, PriceBook: true,
}

// source is the one process-wide source of ULIDs. It is package state on purpose: ids from
// every service land in collections paged by _id, and they keep creation order within a
// millisecond only if they come from one monotonic source. Reading the time under the same
// lock as the entropy is what makes them monotonic: with the time read outside it, a goroutine
// holding an earlier millisecond could draw fresh, smaller entropy after another had moved on.
// The random part comes from crypto/rand rather than ulid's default math/rand source, so that
// ids are not predictable from one another beyond what the monotonic increments reveal.
var source = &generator{entropy: ulid.Monotonic(rand.Reader, 0)}

type generator struct {
	mu      sync.Mutex
	lastMS  uint64
	entropy *ulid.MonotonicEntropy
}

// New returns a fresh id of type p, such as "ord_01jq3v8k2m5x7c9d0e4f6g8h1j". Ids from one
// process are strictly increasing, even if the wall clock steps back. New is safe for
// concurrent use. It panics if p is not one of this package's prefixes, a programming error.
//
// The ULID's time is the wall clock, not an injected clock.Clock: it only orders ids and is not
// a business timestamp, so tests have nothing to gain by controlling it.
func New(p Prefix) string {
	if !known[p] {
		panic("ids.New: unknown prefix " + string(p))
	}
	return string(p) + "_" + strings.ToLower(source.next().String())
}

func (g *generator) next() ulid.ULID {
	g.mu.Lock()
	defer g.mu.Unlock()
	// If the clock stepped back, stay in the last millisecond: the entropy then keeps
	// increasing, so the order holds.
	ms := max(ulid.Now(), g.lastMS)
	g.lastMS = ms
	// MustNew cannot fail here: the time is far below ULID's limit (year 10889) and crypto/rand
	// does not fail. A monotonic overflow needs the random part to start a millisecond within
	// a few billion of 2^80, a chance of about 2^-48.
	return ulid.MustNew(ms, g.entropy)
}

// Parse checks that id is a well-formed id: a known prefix, "_", and 26 lower-case Crockford
// base32 characters that decode to a ULID. It returns the prefix, or ErrInvalidID (INVALID).
// It does not check that the object exists.
func Parse(id string) (Prefix, error) {
	prefix, rest, ok := strings.Cut(id, "_")
	if !ok || !known[Prefix(prefix)] {
		return "", ErrInvalidID.WithMessage("not a valid id: unknown type")
	}
	if len(rest) != ulid.EncodedSize || strings.ToLower(rest) != rest {
		return "", ErrInvalidID
	}
	// ParseStrict rejects characters outside Crockford's alphabet (i, l, o, u, punctuation) and
	// a first character above 7, which would not fit in 128 bits.
	if _, err := ulid.ParseStrict(rest); err != nil {
		return "", ErrInvalidID.With("", err)
	}
	return Prefix(prefix), nil
}

// HasPrefix reports whether id is a well-formed id of type p. Use it to check that an input
// names the right kind of object, e.g. that a "warehouseId" argument holds a warehouse id.
func HasPrefix(id string, p Prefix) bool {
	got, err := Parse(id)
	return err == nil && got == p
}
