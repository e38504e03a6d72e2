package cursor

import "sort"

// Result is one page of a connection: the items in ascending order with their cursors, and
// whether more items exist on either side.
type Result[T any] struct {
	Items           []T
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
}

// PageSlice pages an in-memory list that is small by nature (an account's members, a few
// hundred at most) with the same cursor semantics as a store query. key gives each item's sort
// key and unique id; the list need not be sorted.
func PageSlice[T any](items []T, w Window, key func(T) Cursor) Result[T] {
	sorted := append([]T(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return less(key(sorted[i]), key(sorted[j])) })
	var kept []T
	for _, it := range sorted {
		k := key(it)
		if w.After != nil && !less(*w.After, k) {
			continue
		}
		if w.Before != nil && !less(k, *w.Before) {
			continue
		}
		kept = append(kept, it)
	}
	var r Result[T]
	if w.Forward {
		r.HasNextPage = len(kept) > w.Limit
		r.HasPreviousPage = w.After != nil
		if len(kept) > w.Limit {
			kept = kept[:w.Limit]
		}
	} else {
		r.HasPreviousPage = len(kept) > w.Limit
		r.HasNextPage = w.Before != nil
		if len(kept) > w.Limit {
			kept = kept[len(kept)-w.Limit:]
		}
	}
	r.Items = kept
	for _, it := range kept {
		r.Cursors = append(r.Cursors, Encode(key(it)))
	}
	return r
}

func less(a, b Cursor) bool {
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	return a.ID < b.ID
}
