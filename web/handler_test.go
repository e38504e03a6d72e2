package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// builtFS is a small stand-in for web/dist after `npm run build`.
func builtFS() fstest.MapFS {
	return fstest.MapFS{
		".gitkeep":                {Data: nil},
		"index.html":              {Data: []byte("<!doctype html><title>portal</title>")},
		"graphiql.html":           {Data: []byte("<!doctype html><title>explorer</title>")},
		"favicon.svg":             {Data: []byte("<svg></svg>")},
		"assets/portal-Ab12Cd.js": {Data: []byte("console.log('portal')")},
		"assets/style-Ef34Gh.css": {Data: []byte("body{}")},
	}
}

func do(t *testing.T, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandler(t *testing.T) {
	h := NewHandler(builtFS())

	tests := []struct {
		name        string
		method      string
		target      string
		wantStatus  int
		wantBody    string // exact, when not empty
		wantType    string // prefix of Content-Type, when not empty
		wantCache   string
		wantCSP     string // exact, when not empty
		wantNoCSP   bool
		wantNoBody  bool
		wantAllowed string
	}{
		{
			name: "AssetImmutable", method: http.MethodGet, target: "/assets/portal-Ab12Cd.js",
			wantStatus: http.StatusOK, wantBody: "console.log('portal')", wantType: "text/javascript",
			wantCache: immutableCache, wantNoCSP: true,
		},
		{
			name: "StylesheetImmutable", method: http.MethodGet, target: "/assets/style-Ef34Gh.css",
			wantStatus: http.StatusOK, wantBody: "body{}", wantType: "text/css", wantCache: immutableCache,
		},
		{
			name: "MissingAssetIs404", method: http.MethodGet, target: "/assets/portal-OLD.js",
			wantStatus: http.StatusNotFound,
		},
		{
			name: "AssetsFolderIs404", method: http.MethodGet, target: "/assets/",
			wantStatus: http.StatusNotFound,
		},
		{
			name: "Root", method: http.MethodGet, target: "/",
			wantStatus: http.StatusOK, wantBody: "<!doctype html><title>portal</title>", wantType: "text/html",
			wantCache: revalidateCache, wantCSP: portalCSP,
		},
		{
			name: "SPAFallback", method: http.MethodGet, target: "/shipments/shp_123?tab=events",
			wantStatus: http.StatusOK, wantBody: "<!doctype html><title>portal</title>", wantType: "text/html",
			wantCache: revalidateCache, wantCSP: portalCSP,
		},
		{
			name: "DotDotStaysInside", method: http.MethodGet, target: "/../../etc/passwd",
			wantStatus: http.StatusOK, wantBody: "<!doctype html><title>portal</title>",
		},
		{
			name: "Explorer", method: http.MethodGet, target: "/graphiql",
			wantStatus: http.StatusOK, wantBody: "<!doctype html><title>explorer</title>", wantType: "text/html",
			wantCache: revalidateCache, wantCSP: explorerCSP,
		},
		{
			name: "ExplorerSlash", method: http.MethodGet, target: "/graphiql/",
			wantStatus: http.StatusOK, wantBody: "<!doctype html><title>explorer</title>", wantCSP: explorerCSP,
		},
		{
			name: "PublicFile", method: http.MethodGet, target: "/favicon.svg",
			wantStatus: http.StatusOK, wantBody: "<svg></svg>", wantType: "image/svg+xml",
			wantCache: revalidateCache, wantNoCSP: true,
		},
		{
			name: "HeadPage", method: http.MethodHead, target: "/",
			wantStatus: http.StatusOK, wantType: "text/html", wantCache: revalidateCache, wantCSP: portalCSP,
			wantNoBody: true,
		},
		{
			name: "HeadAsset", method: http.MethodHead, target: "/assets/portal-Ab12Cd.js",
			wantStatus: http.StatusOK, wantCache: immutableCache, wantNoBody: true,
		},
		{
			name: "Post", method: http.MethodPost, target: "/",
			wantStatus: http.StatusMethodNotAllowed, wantAllowed: "GET, HEAD",
		},
		{
			name: "Delete", method: http.MethodDelete, target: "/assets/portal-Ab12Cd.js",
			wantStatus: http.StatusMethodNotAllowed, wantAllowed: "GET, HEAD",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.target, nil)
			res := rec.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s: status = %d, want %d", tt.method, tt.target, res.StatusCode, tt.wantStatus)
			}
			body := rec.Body.String()
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if tt.wantNoBody && body != "" {
				t.Errorf("body = %q, want none", body)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.wantType) {
				t.Errorf("Content-Type = %q, want %q…", got, tt.wantType)
			}
			if got := res.Header.Get("Cache-Control"); tt.wantCache != "" && got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			csp := res.Header.Get("Content-Security-Policy")
			if tt.wantCSP != "" && csp != tt.wantCSP {
				t.Errorf("Content-Security-Policy = %q, want %q", csp, tt.wantCSP)
			}
			if tt.wantNoCSP && csp != "" {
				t.Errorf("Content-Security-Policy = %q on a non-page, want none", csp)
			}
			if got := res.Header.Get("Allow"); got != tt.wantAllowed {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllowed)
			}
			if tt.wantStatus == http.StatusNotFound && strings.Contains(body, "portal") {
				t.Errorf("404 body = %q, must not be index.html", body)
			}
		})
	}
}

func TestHandlerRevalidatesPages(t *testing.T) {
	h := NewHandler(builtFS())
	first := do(t, h, http.MethodGet, "/sign-in", nil)
	etag := first.Result().Header.Get("ETag")
	if etag == "" {
		t.Fatal("page has no ETag")
	}
	again := do(t, h, http.MethodGet, "/sign-in", http.Header{"If-None-Match": {etag}})
	if again.Code != http.StatusNotModified {
		t.Errorf("revalidation status = %d, want %d", again.Code, http.StatusNotModified)
	}
	if got := do(t, h, http.MethodGet, "/graphiql", nil).Result().Header.Get("ETag"); got == etag || got == "" {
		t.Errorf("explorer ETag = %q, want its own (portal's is %q)", got, etag)
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	// A fresh clone: dist holds only .gitkeep.
	h := NewHandler(fstest.MapFS{".gitkeep": {Data: nil}})

	for _, target := range []string{"/", "/graphiql", "/sign-in", "/assets/portal-Ab12Cd.js"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := do(t, h, method, target, nil)
			res := rec.Result()
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("%s %s: status = %d, want %d", method, target, res.StatusCode, http.StatusServiceUnavailable)
			}
			if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("%s %s: Content-Type = %q", method, target, got)
			}
			if got := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "default-src 'none'; style-src 'sha256-") {
				t.Errorf("%s %s: Content-Security-Policy = %q", method, target, got)
			}
			body := rec.Body.String()
			switch method {
			case http.MethodHead:
				if body != "" {
					t.Errorf("HEAD %s: body = %q, want none", target, body)
				}
			default:
				for _, want := range []string{"not built", "make web", "npm ci &amp;&amp; npm run build"} {
					if !strings.Contains(body, want) {
						t.Errorf("GET %s: body lacks %q", target, want)
					}
				}
			}
		}
	}
	if rec := do(t, h, http.MethodPut, "/", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT /: status = %d, want %d", rec.Code, http.StatusMethodNotAllowed)
	}
}

// TestEmbeddedHandler checks that the binary's own handler starts whether or not the portal was
// built before `go build`.
func TestEmbeddedHandler(t *testing.T) {
	rec := do(t, Handler(), http.MethodGet, "/", nil)
	if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("GET /: status = %d, want 200 (built) or 503 (not built)", rec.Code)
	}
}

// externalLoad finds a URL on another host where a browser loads it: an HTML src= or href=
// attribute, or a CSS url() or @import. It deliberately skips JavaScript: bundled libraries carry
// many URLs in strings and comments (licenses, docs links, error messages) that are never loaded;
// the e2e test in web/e2e watches the browser's real requests instead.
var externalLoad = map[string]*regexp.Regexp{
	".html": regexp.MustCompile(`(?i)\b(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//`),
	".css":  regexp.MustCompile(`(?i)(?:url\(\s*["']?|@import\s+["']?)\s*(?:[a-z][a-z0-9+.-]*:)?//`),
}

func TestEmbeddedDistLoadsNothingExternal(t *testing.T) {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	if !isFile(files, portalPage) {
		t.Skip("portal not built: run `cd web && npm ci && npm run build` first")
	}
	checked := 0
	err = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		re, ok := externalLoad[path.Ext(name)]
		if !ok || d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		checked++
		for _, loc := range re.FindAllIndex(b, -1) {
			end := min(loc[1]+80, len(b))
			t.Errorf("%s loads from another host: %q", name, b[loc[0]:end])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Error("found no .html or .css file to check")
	}
}

func TestExternalLoadPatterns(t *testing.T) {
	tests := []struct {
		ext, text string
		want      bool
	}{
		{".html", `<script type="module" src="/assets/portal-x.js"></script>`, false},
		{".html", `<script src="https://cdn.example.com/react.js"></script>`, true},
		{".html", `<link rel="stylesheet" href=//fonts.example.com/a.css>`, true},
		{".html", `<svg xmlns="http://www.w3.org/2000/svg"></svg>`, false},
		{".html", `<a href="/graphiql">API explorer</a>`, false},
		{".css", `@font-face{src:url(/assets/codicon-x.ttf)}`, false},
		{".css", `@font-face{src:url(data:font/woff2;base64,AAAA)}`, false},
		{".css", `@font-face{src:url("https://fonts.example.com/x.woff2")}`, true},
		{".css", `@import "//cdn.example.com/x.css";`, true},
		{".css", `/* see https://example.com/license */ a{}`, false},
	}
	for _, tt := range tests {
		if got := externalLoad[tt.ext].MatchString(tt.text); got != tt.want {
			t.Errorf("%s %q: external = %v, want %v", tt.ext, tt.text, got, tt.want)
		}
	}
}

func TestHandlerExplorerNotBuilt(t *testing.T) {
	// A build that wrote the portal but stopped before the explorer.
	files := builtFS()
	delete(files, explorerPage)
	h := NewHandler(files)
	if rec := do(t, h, http.MethodGet, "/graphiql", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /graphiql: status = %d, want %d", rec.Code, http.StatusServiceUnavailable)
	}
	if rec := do(t, h, http.MethodGet, "/", nil); rec.Code != http.StatusOK {
		t.Errorf("GET /: status = %d, want %d", rec.Code, http.StatusOK)
	}
}
