package mongodb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

// The index IndexIDPaths adds must be the one SQLite picks for the statement FerretDB updates a
// document with; if a FerretDB upgrade changes that statement this fails, instead of every
// update silently going back to a scan of its table.
func TestIndexIDPathsServesFerretDBUpdates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	emb, err := StartEmbedded(EmbeddedOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Connect(ctx, Options{URI: emb.URI(), Database: "idpath", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = st.Close(ctx)
		_ = emb.Stop(ctx)
	})
	coll := st.DB.Collection("usage")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: "u_1"}, {Key: "n", Value: 1}},
		bson.D{{Key: "_id", Value: "u_2"}, {Key: "n", Value: 2}}}); err != nil {
		t.Fatal(err)
	}

	n, err := emb.IndexIDPaths(ctx)
	if err != nil || n != 1 {
		t.Fatalf("first IndexIDPaths = %d, %v; want 1 index created", n, err)
	}
	if n, err := emb.IndexIDPaths(ctx); err != nil || n != 0 {
		t.Fatalf("second IndexIDPaths = %d, %v; want 0 (idempotent)", n, err)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(dir, "idpath.sqlite")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'usage'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	// FerretDB v1.24 internal/backends/sqlite/collection.go, UpdateAll.
	stmt := fmt.Sprintf(`EXPLAIN QUERY PLAN UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table)
	var id, parent, unused int
	var plan string
	if err := db.QueryRowContext(ctx, stmt, "{}", `"u_1"`).Scan(&id, &parent, &unused, &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "USING INDEX "+table+idPathSuffix) {
		t.Fatalf("FerretDB's update by _id plans as %q; want a search of %s", plan, table+idPathSuffix)
	}

	// Updates still land, and FerretDB's own index list does not show the extra index.
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "u_2"}, {Key: "n", Value: 2}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 3}}}}); err != nil {
		t.Fatal(err)
	}
	var got struct{ N int }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "u_2"}}).Decode(&got); err != nil || got.N != 3 {
		t.Fatalf("after update: %+v, %v; want n 3", got, err)
	}
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 1 || specs[0].Name != "_id_" {
		t.Fatalf("listIndexes = %v; want only _id_", specs)
	}
}
