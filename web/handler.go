package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The files that the build writes at the top of dist.
const (
	portalPage   = "index.html"
	explorerPage = "graphiql.html"
	assetsDir    = "assets"
)

// Content-Security-Policy of each page. Everything is served from this origin, so 'self' is the
// rule; the exceptions are what the API explorer's libraries need, checked in Chromium by the
// e2e test (a blocked load shows up there as a console error).
const (
	// The portal loads only its own files: no inline scripts or styles (React sets styles through
	// the DOM, which CSP does not govern), no data: URLs (the build inlines no assets).
	portalCSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
		"frame-ancestors 'none'"

	// GraphiQL with Monaco adds two sources, each found by the e2e test failing without it:
	//   - style-src 'unsafe-inline': Monaco writes <style> elements at run time (themes, editor
	//     decorations);
	//   - font-src data:: GraphiQL's stylesheet embeds its fonts (Fira Code, Roboto) and
	//     Monaco's icon font as data: URLs.
	// and one the smoke test does not reach: img-src data:, for the data: backgrounds of
	// Monaco's colour picker (shown on colour values in JSON) and its iPad keyboard button. A data:
	// image neither runs code nor leaves the page, and without it those would be CSP errors.
	// Scripts stay 'self' only: no inline script, no eval. Monaco's workers are files of this
	// build (not blob: URLs), so worker-src falls back to default-src 'self'.
	explorerCSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; " +
		"img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; " +
		"frame-ancestors 'none'"

	// Vite puts a content hash in every file name under assets/, so a file there never changes.
	immutableCache = "public, max-age=31536000, immutable"
	// Pages and the files of public/ keep their names across builds: revalidate every time
	// (cheap: they carry an ETag).
	revalidateCache = "no-cache"
)

// handler serves a built portal from fsys. It is safe for concurrent use: nothing changes after
// NewHandler returns.
type handler struct {
	fsys  fs.FS
	built bool
	// etags of the files outside assets/, by name; the others are immutable and need none.
	etags map[string]string
	// gzipped copies of the text assets, by name, made on first request (assets never change
	// while the binary runs): the initial JavaScript goes over the wire at about a third.
	gz sync.Map
}

// NewHandler serves the built portal in fsys, whose root holds index.html, graphiql.html and
// assets/ (the content of web/dist):
//
//   - GET and HEAD only, anything else is 405;
//   - /assets/<file>: the file with a one-year immutable cache, or 404 if there is none;
//   - /graphiql and /graphiql/: the API explorer;
//   - another path naming a file: that file;
//   - any other path: index.html, whose client-side router shows the page or its own 404.
//
// Pages are served with no-cache and a Content-Security-Policy. If fsys has no index.html the
// portal is not built, and every request answers 503 with a page that says how to build it.
func NewHandler(fsys fs.FS) http.Handler {
	h := &handler{fsys: fsys, etags: make(map[string]string)}
	h.built = isFile(fsys, portalPage)
	if !h.built {
		return h
	}
	// Hash the few small files at the top of dist once, so that a browser revalidating them gets
	// 304 Not Modified. A file that cannot be read here simply goes without an ETag.
	entries, _ := fs.ReadDir(fsys, ".")
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if b, err := fs.ReadFile(fsys, e.Name()); err == nil {
			sum := sha256.Sum256(b)
			h.etags[e.Name()] = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
		}
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !h.built {
		serveNotBuilt(w, r)
		return
	}

	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	switch {
	case name == "graphiql":
		h.serveFile(w, r, explorerPage)
	case name == assetsDir || strings.HasPrefix(name, assetsDir+"/"):
		// A missing asset is a 404, never index.html: a script tag given HTML fails in
		// confusing ways, and the browser must not cache a page under an asset's name.
		if !isFile(h.fsys, name) {
			http.NotFound(w, r)
			return
		}
		h.serveFile(w, r, name)
	case name != "" && isFile(h.fsys, name):
		h.serveFile(w, r, name)
	default:
		h.serveFile(w, r, portalPage)
	}
}

// serveFile writes the file name of h.fsys with its cache and security headers. Range requests,
// HEAD and conditional requests are left to http.ServeContent.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	f, err := h.fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) && name == explorerPage {
		// A build that stopped between the two pages.
		serveNotBuilt(w, r)
		return
	}
	if err != nil {
		http.Error(w, "cannot open "+name, http.StatusInternalServerError)
		return
	}
	defer f.Close()
	content, ok := f.(io.ReadSeeker)
	if !ok {
		// embed.FS and fstest.MapFS files can seek; another fs.FS may not.
		b, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "cannot read "+name, http.StatusInternalServerError)
			return
		}
		content = bytes.NewReader(b)
	}

	hdr := w.Header()
	if strings.HasPrefix(name, assetsDir+"/") {
		hdr.Set("Cache-Control", immutableCache)
	} else {
		hdr.Set("Cache-Control", revalidateCache)
		if etag, ok := h.etags[name]; ok {
			hdr.Set("ETag", etag)
		}
	}
	switch {
	case name == explorerPage:
		hdr.Set("Content-Security-Policy", explorerCSP)
	case path.Ext(name) == ".html":
		hdr.Set("Content-Security-Policy", portalCSP)
	}
	if compressible(name) {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			if gz, err := h.gzipped(name, content); err == nil {
				hdr.Set("Content-Encoding", "gzip")
				http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gz))
				return
			}
			// Could not compress: serve it as it is, from the start.
			if _, err := content.Seek(0, io.SeekStart); err != nil {
				http.Error(w, "cannot read "+name, http.StatusInternalServerError)
				return
			}
		}
	}
	// Embedded files have no modification time; the ETag does the revalidation.
	http.ServeContent(w, r, name, time.Time{}, content)
}

// compressible: the text assets (scripts, styles, source maps, SVG). Pages stay uncompressed
// (small, and revalidated by ETag); fonts and images are compressed already or gain little.
func compressible(name string) bool {
	if !strings.HasPrefix(name, assetsDir+"/") {
		return false
	}
	switch path.Ext(name) {
	case ".js", ".css", ".map", ".svg", ".json":
		return true
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip (and not with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		token, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(token), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

func (h *handler) gzipped(name string, content io.ReadSeeker) ([]byte, error) {
	if b, ok := h.gz.Load(name); ok {
		return b.([]byte), nil
	}
	raw, err := io.ReadAll(content)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	b, _ := h.gz.LoadOrStore(name, buf.Bytes())
	return b.([]byte), nil
}

func isFile(fsys fs.FS, name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	info, err := fs.Stat(fsys, name)
	return err == nil && info.Mode().IsRegular()
}

// notBuiltStyle is the only style of the not-built page; the page's CSP allows it by hash, so
// that page too runs under a policy that allows nothing else.
const notBuiltStyle = `body{font:16px/1.5 system-ui,sans-serif;color:#1a1f36;background:#f6f8fa;margin:0}` +
	`main{max-width:36rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #e3e8ee;border-radius:8px}` +
	`h1{font-size:1.4rem;margin:0 0 .75rem}code{background:#eef1f5;padding:.1em .35em;border-radius:4px}`

var (
	notBuiltPage = []byte(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tradehub portal not built</title>
<style>` + notBuiltStyle + `</style>
</head>
<body>
<main>
<h1>The Tradehub portal is not built</h1>
<p>This server was compiled without the web portal, so it has no pages to show. The GraphQL API at <code>/graphql</code> works as usual.</p>
<p>Build the portal, then build the server again:</p>
<p><code>make web</code> or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code></p>
</main>
</body>
</html>
`)
	notBuiltCSP = func() string {
		sum := sha256.Sum256([]byte(notBuiltStyle))
		return fmt.Sprintf("default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; "+
			"form-action 'none'; frame-ancestors 'none'", base64.StdEncoding.EncodeToString(sum[:]))
	}()
)

func serveNotBuilt(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", notBuiltCSP)
	// Not cached: the next build must show at once.
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Length", strconv.Itoa(len(notBuiltPage)))
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		_, _ = w.Write(notBuiltPage)
	}
}
