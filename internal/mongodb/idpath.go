package mongodb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	// The SQLite driver FerretDB's SQLite handler runs on (already linked in through FerretDB);
	// imported by name because IndexIDPaths opens the same files with it.
	_ "modernc.org/sqlite"
)

// idPathExpr is the expression FerretDB v1.24's SQLite backend matches a document by when it
// updates or deletes it, and when a find's filter is {_id: x} alone:
// `UPDATE t SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`. The unique index
// FerretDB creates for _id is on `_ferretdb_sjson->"_id"`, a different expression, which SQLite
// does not use for that WHERE; so without an index on this exact expression every updated
// document costs a scan of its whole table (measured: 54 ms per update by _id at 20,000
// documents, 0.9 ms with the index). Must stay byte-for-byte what FerretDB writes;
// TestIndexIDPathsServesFerretDBUpdates fails if a FerretDB upgrade changes it.
const idPathExpr = `_ferretdb_sjson->'$._id'`

// idPathSuffix names the index beside FerretDB's own `<table>_<index name>` ones.
const idPathSuffix = "_tradehub_id_path"

// IndexIDPaths gives every collection of the embedded store an SQLite index on the expression
// FerretDB updates and deletes documents by (idPathExpr), and returns how many it created. It
// is idempotent: run it at start after the collections exist (EnsureIndexes creates them); a
// collection first created later gets its index at the next start.
//
// It writes beside FerretDB, not through it: FerretDB keeps its own list of indexes in its
// metadata table and never sees this one, so listIndexes is unchanged, and SQLite drops it with
// the table when the collection is dropped. The SQLite connection waits up to 10 s for a lock
// FerretDB holds, so it can run while the store serves.
func (e *Embedded) IndexIDPaths(ctx context.Context) (int, error) {
	files, err := filepath.Glob(filepath.Join(e.dir, "*.sqlite"))
	if err != nil {
		return 0, fmt.Errorf("index id paths: %w", err)
	}
	created := 0
	for _, f := range files {
		n, err := indexIDPathsIn(ctx, f)
		created += n
		if err != nil {
			return created, fmt.Errorf("index id paths of %s: %w", filepath.Base(f), err)
		}
	}
	return created, nil
}

func indexIDPathsIn(ctx context.Context, file string) (int, error) {
	if _, err := os.Stat(file); err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(file)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	tables, err := stringColumn(ctx, db, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return 0, fmt.Errorf("list collections: %w", err)
	}
	have, err := stringColumn(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'index'`)
	if err != nil {
		return 0, fmt.Errorf("list indexes: %w", err)
	}
	exists := make(map[string]bool, len(have))
	for _, n := range have {
		exists[n] = true
	}
	created := 0
	for _, t := range tables {
		name := t + idPathSuffix
		if exists[name] {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`, quoteIdent(name), quoteIdent(t), idPathExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return created, fmt.Errorf("index %s: %w", t, err)
		}
		created++
	}
	return created, nil
}

func stringColumn(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// quoteIdent quotes an SQLite identifier (FerretDB's table names are derived from collection
// names, which may hold characters SQL does not allow bare).
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
