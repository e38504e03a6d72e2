// Package web serves the Tradehub portal and API explorer: the static files that the TypeScript
// project in this folder builds into dist/, embedded in the binary.
//
// Build them with `make web` or `cd web && npm ci && npm run build` before `go build`. Without a
// build the binary still compiles and starts (dist/.gitkeep keeps the embed pattern valid), and
// every page answers 503 with instructions.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

// dist holds the build output. `all:` includes dist/.gitkeep, so the pattern matches something
// even before the first build.
//
//go:embed all:dist
var dist embed.FS

// Handler serves the embedded build. Mount it at "/" after the API routes (/graphql, /readyz, …):
// every GET path that names no file is the portal's client-side routing.
func Handler() http.Handler {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "dist" is valid.
		panic(err)
	}
	return NewHandler(files)
}
