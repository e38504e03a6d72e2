package graph

import (
	"context"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/ids"
)

// maxNodes caps nodes(ids:), like a connection's page.
const maxNodes = 100

// nodeFetcher loads the visible objects among ids (all of one prefix) in one store round trip;
// ids that are missing or not visible to the caller are simply absent from the result, so a
// foreign id answers exactly like a missing one.
type nodeFetcher func(ctx context.Context, ids []string) (map[string]model.Node, error)

// nodeFetchers maps each id prefix to the loader of its type. A domain adds its line here when
// its types implement Node.
func (r *Resolver) nodeFetchers() map[ids.Prefix]nodeFetcher {
	return map[ids.Prefix]nodeFetcher{}
}

// fetchNodes resolves ids of any types with one fetch per type. Malformed ids and ids of unknown
// types resolve to nothing, as the schema promises (null), rather than to an error.
func (r *Resolver) fetchNodes(ctx context.Context, list []string) (map[string]model.Node, error) {
	fetchers := r.nodeFetchers()
	byPrefix := map[ids.Prefix][]string{}
	for _, id := range list {
		p, err := ids.Parse(id)
		if err != nil {
			continue
		}
		if _, ok := fetchers[p]; ok {
			byPrefix[p] = append(byPrefix[p], id)
		}
	}
	found := make(map[string]model.Node, len(list))
	for p, group := range byPrefix {
		got, err := fetchers[p](ctx, group)
		if err != nil {
			return nil, err
		}
		for id, n := range got {
			found[id] = n
		}
	}
	return found, nil
}
