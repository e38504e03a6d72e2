package graph

import (
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/services/bulk"
)

func (r *Resolver) toGQLBulkExport(e bulk.Export) *model.BulkExport {
	out := &model.BulkExport{ID: e.ID, AccountID: e.AccountID, Query: e.Query, Status: model.BulkExportStatus(e.Status),
		ObjectCount: int(e.ObjectCount), FileSize: int(e.FileSize), ErrorCode: optional(e.ErrorCode),
		ErrorMessage: optional(e.ErrorMessage), CreatedAt: e.CreatedAt, StartedAt: e.StartedAt, CompletedAt: e.CompletedAt}
	if e.Status == bulk.Completed {
		out.ExpiresAt = e.ExpiresAt
		if r.ExportURL != nil {
			u := r.ExportURL(e.ID)
			out.URL = &u
		}
	}
	return out
}

func (r *Resolver) toGQLBulkExportConnection(res cursor.Result[bulk.Export]) *model.BulkExportConnection {
	c := &model.BulkExportConnection{Edges: []model.BulkExportEdge{}, Nodes: []model.BulkExport{}, PageInfo: toGQLPageInfo(res)}
	for i, e := range res.Items {
		n := r.toGQLBulkExport(e)
		c.Edges = append(c.Edges, model.BulkExportEdge{Cursor: res.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}
