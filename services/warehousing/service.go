package warehousing

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/clock"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/usage"
)

// Notifier is told after a write that pushed events, so they are relayed at once (the events
// relay; nil means they wait for its next tick).
type Notifier interface{ Notify() }

// DefaultLargeAdjustment is how many units an adjustment or count may change before it needs the
// inventory_adjust_large permission (OWNER, ADMIN, platform admins).
const DefaultLargeAdjustment = 100

// Limits on what one request may hold.
const (
	MaxLines    = 100
	maxText     = 200
	maxLongText = 2000
	// MaxQuantity bounds one line's units, far above any real order, so that sums never overflow.
	MaxQuantity = 1_000_000_000
)

// Config is the service's setup.
type Config struct {
	DB     *mongo.Database
	Access *access.Service
	Usage  *usage.Service
	Clock  clock.Clock
	Events Notifier
	Logger *slog.Logger
	// LargeAdjustment overrides DefaultLargeAdjustment (tests).
	LargeAdjustment int64
}

// Service is the warehousing service. It is safe for concurrent use.
type Service struct {
	access    *access.Service
	usage     *usage.Service
	clock     clock.Clock
	events    Notifier
	logger    *slog.Logger
	large     int64
	db        *mongo.Database
	whs       *mongo.Collection
	skus      *mongo.Collection
	balances  *mongo.Collection
	movements *mongo.Collection
	receipts  *mongo.Collection
	orders    *mongo.Collection
	transfers *mongo.Collection
	returns   *mongo.Collection
	// receiptHooks are told of received receipts (purchase_orders.go).
	receiptHooks []func(context.Context, Receipt)
}

// NewService builds the service over cfg.DB.
func NewService(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.LargeAdjustment <= 0 {
		cfg.LargeAdjustment = DefaultLargeAdjustment
	}
	db := cfg.DB
	return &Service{
		access: cfg.Access, usage: cfg.Usage, clock: cfg.Clock, events: cfg.Events, logger: cfg.Logger,
		large: cfg.LargeAdjustment, db: db,
		whs: db.Collection(collWarehouses), skus: db.Collection(collSKUs), balances: db.Collection(collBalances),
		movements: db.Collection(collMovements), receipts: db.Collection(collReceipts), orders: db.Collection(collOrders),
		transfers: db.Collection(collTransfers), returns: db.Collection(collReturns),
	}
}

func (s *Service) notify() {
	if s.events != nil {
		s.events.Notify()
	}
}

// actor names the caller in movements and events; "" for the system (jobs, the demo seed).
func actor(ctx context.Context) string {
	if p, ok := auth.PrincipalFrom(ctx); ok {
		return access.Subject(p)
	}
	return ""
}

// requireObject authorizes an action on an object found by id, so that an object of another
// account answers exactly like one that does not exist: NOT_FOUND at field.
func (s *Service) requireObject(ctx context.Context, accountID string, res access.Resource, act access.Action, field string) error {
	err := s.access.Require(ctx, accountID, res, act)
	if errs.CodeOf(err) == errs.NotFound {
		return ErrNotFound.With(field, err)
	}
	return err
}

// notFound is the NOT_FOUND of a missing object at field; see requireObject.
func notFound(field string) error { return ErrNotFound.With(field, nil) }

// checkID checks that an input names an object of the right type. A malformed id is simply not
// found: it cannot name anything.
func checkID(id string, p ids.Prefix, field string) error {
	if !ids.HasPrefix(id, p) {
		return notFound(field)
	}
	return nil
}

// text trims s and checks its length; required says whether it may be empty.
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "", errs.InvalidField(field, "must be UTF-8 text")
	case required && n == 0:
		return "", errs.InvalidField(field, "required")
	case n > max:
		return "", errs.InvalidField(field, "at most %d characters", max)
	}
	return s, nil
}

func checkQuantity(field string, q int64) error {
	switch {
	case q <= 0:
		return errs.InvalidField(field, "must be a positive number of units")
	case q > MaxQuantity:
		return errs.InvalidField(field, "at most %d units", MaxQuantity)
	}
	return nil
}

func checkLines(field string, n int) error {
	switch {
	case n == 0:
		return errs.InvalidField(field, "at least one line")
	case n > MaxLines:
		return errs.InvalidField(field, "at most %d lines", MaxLines)
	}
	return nil
}

// field builds an input path such as "input.lines.2.quantity".
func field(parts ...any) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		switch v := p.(type) {
		case int:
			out[i] = strconv.Itoa(v)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(out, ".")
}
