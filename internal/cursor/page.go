package cursor

import "github.com/tradehub/tradehub/internal/errs"

const (
	// MaxLimit is the largest page the API serves unless a connection documents a smaller one,
	// as GitHub's (1 to 100). Pass it to Validate.
	MaxLimit = 100
	// DefaultLimit is the page size when a query gives neither first nor last. GitHub requires
	// one of them; we default instead so that a quick query in the explorer just works, and keep
	// the default small so that a forgotten argument stays cheap.
	DefaultLimit = 20
)

// ErrInvalidPage reports first and last given together, or out of range.
var ErrInvalidPage = errs.Sentinel(errs.Invalid, "INVALID_PAGINATION", "invalid page arguments")

// Page holds a connection's arguments as GraphQL gives them; nil means not given.
type Page struct {
	First, Last   *int
	After, Before *string
}

// Window is a validated page, ready for a keyset query over (key, _id):
//
//   - Forward: sort ascending, keep rows after After and before Before (each when set), take
//     Limit+1 rows; the extra row only tells that there is a next page.
//   - Backward (last): the same bounds, sorted descending; take Limit+1 and reverse the rows
//     kept, so the page is still in ascending order.
type Window struct {
	Limit         int
	Forward       bool
	After, Before *Cursor
}

// Validate checks p against the largest page maxLimit (usually MaxLimit) and returns its
// Window. first and last may not both be given; each must be in 1..maxLimit; with neither, the
// page is the first min(DefaultLimit, maxLimit) rows. after and before may be combined with
// either, as Relay's algorithm allows. It returns ErrInvalidPage with field "first" or "last",
// or ErrInvalidCursor with field "after" or "before", all INVALID. It panics if maxLimit < 1, a
// programming error.
func (p Page) Validate(maxLimit int) (Window, error) {
	if maxLimit < 1 {
		panic("cursor: Page.Validate needs a positive maxLimit")
	}
	w := Window{Limit: min(DefaultLimit, maxLimit), Forward: true}
	switch {
	case p.First != nil && p.Last != nil:
		return Window{}, ErrInvalidPage.With("last", nil).WithMessage(
			"pass either first or last, not both")
	case p.First != nil:
		if *p.First < 1 || *p.First > maxLimit {
			return Window{}, ErrInvalidPage.With("first", nil).WithMessage(
				"first must be between 1 and %d", maxLimit)
		}
		w.Limit = *p.First
	case p.Last != nil:
		if *p.Last < 1 || *p.Last > maxLimit {
			return Window{}, ErrInvalidPage.With("last", nil).WithMessage(
				"last must be between 1 and %d", maxLimit)
		}
		w.Limit, w.Forward = *p.Last, false
	}
	var err error
	if w.After, err = decodeArg(p.After, "after"); err != nil {
		return Window{}, err
	}
	if w.Before, err = decodeArg(p.Before, "before"); err != nil {
		return Window{}, err
	}
	return w, nil
}

func decodeArg(s *string, field string) (*Cursor, error) {
	if s == nil {
		return nil, nil
	}
	c, err := Decode(*s, field)
	if err != nil {
		return nil, err
	}
	return &c, nil
}
