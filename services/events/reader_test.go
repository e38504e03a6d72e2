package events_test

import (
	"context"
	"testing"

	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/ids"
	"github.com/tradehub/tradehub/services/access"
	"github.com/tradehub/tradehub/services/events"
)

// allowOnly lets the caller read the events of one account, and answers NOT_FOUND elsewhere, as
// the access service does for an account the caller cannot see.
type allowOnly struct{ account string }

func (a allowOnly) Require(_ context.Context, domain string, res access.Resource, act access.Action) error {
	if domain == a.account && res == access.Events && act == access.Read {
		return nil
	}
	return access.ErrNotFound
}

func TestReaderPagesTheFeedByCursor(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	mine, theirs := ids.New(ids.Account), ids.New(ids.Account)
	sku := f.newSKU(t, mine, 100)
	for range 5 {
		if _, err := f.adjust(t, mine, sku, -1); err != nil {
			t.Fatal(err)
		}
	}
	f.flush(t)
	r := events.NewReader(f.feed, allowOnly{mine})

	two := 2
	var got []int64
	page := cursor.Page{First: &two}
	for range 10 {
		res, err := r.List(ctx, mine, nil, page)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != len(res.Cursors) || res.HasPreviousPage {
			t.Fatalf("page: %d items, %d cursors, hasPreviousPage %v", len(res.Items), len(res.Cursors), res.HasPreviousPage)
		}
		got = append(got, seqs(res.Items)...)
		if !res.HasNextPage {
			// At the end, a read after the last cursor is empty and says so.
			end, err := r.List(ctx, mine, nil, cursor.Page{After: &res.Cursors[len(res.Cursors)-1]})
			if err != nil || len(end.Items) != 0 || end.HasNextPage {
				t.Fatalf("after the end: %+v, %v", end, err)
			}
			break
		}
		page.After = &res.Cursors[len(res.Cursors)-1]
	}
	if want := []int64{1, 2, 3, 4, 5}; !equalInts(got, want) {
		t.Errorf("seqs = %v, want %v", got, want)
	}

	// A filter by type that matches nothing.
	res, err := r.List(ctx, mine, []string{"order.status_changed"}, cursor.Page{})
	if err != nil || len(res.Items) != 0 {
		t.Errorf("filtered: %+v, %v", res, err)
	}

	bad := "not-a-cursor"
	last := 1
	for name, c := range map[string]struct {
		account string
		types   []string
		page    cursor.Page
		code    errs.Code
	}{
		"ErrNotFound":      {theirs, nil, cursor.Page{}, errs.NotFound},
		"ErrInvalidCursor": {mine, nil, cursor.Page{After: &bad}, errs.Invalid},
		"ErrBackwards":     {mine, nil, cursor.Page{Last: &last}, errs.Invalid},
		"ErrBadType":       {mine, []string{"Not A Type"}, cursor.Page{}, errs.Invalid},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.List(ctx, c.account, c.types, c.page)
			if got := errs.CodeOf(err); got != c.code {
				t.Errorf("code = %v, want %v (%v)", got, c.code, err)
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
