package financing

import (
	"context"
	"strings"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/events"
)

// Subscriber follows an account's events feed (events.Relay satisfies it).
type Subscriber interface {
	Subscribe(accountID string) (<-chan events.Event, func())
}

// Update is a financing event as a subscription delivers it: a request decided or funded, a
// loan funded, at risk, due earlier, overdue, paid, repaid...
type Update struct {
	Type      string // financing.request_approved, financing.loan_repaid...
	ObjectID  string // the request or loan
	PartnerID string
	Status    string // the request's or loan's status after the change
}

// SubscribeFinancing follows the account's financing events (read on financing); a partner gets
// only its own. Built on events.Relay.Subscribe: events arrive within the relay's flush
// interval, and a closed channel means "subscribe again". Call the returned function to stop.
// Errors: access errors; INTERNAL when no Subscriber is configured.
func (s *Service) SubscribeFinancing(ctx context.Context, accountID string) (<-chan Update, func(), error) {
	sc, err := s.readScope(ctx, accountID)
	if err != nil {
		return nil, nil, err
	}
	if s.cfg.Subscriber == nil {
		return nil, nil, errs.Internalf("financing: no event subscriber configured")
	}
	in, stop := s.cfg.Subscriber.Subscribe(accountID)
	out := make(chan Update, 16)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				stop()
				return
			case e, ok := <-in:
				if !ok {
					return
				}
				if !strings.HasPrefix(e.Type, "financing.") {
					continue
				}
				var d loanEvent
				if err := e.DecodeData(&d); err != nil || !sc.sees(d.PartnerID) {
					continue
				}
				select {
				case out <- Update{Type: e.Type, ObjectID: e.ObjectID, PartnerID: d.PartnerID, Status: d.Status}:
				case <-ctx.Done():
					stop()
					return
				}
			}
		}
	}()
	return out, stop, nil
}
