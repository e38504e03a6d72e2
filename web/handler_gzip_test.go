package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHandlerGzipsTextAssets(t *testing.T) {
	h := NewHandler(builtFS())
	gz := http.Header{"Accept-Encoding": {"br, gzip;q=0.8"}}

	rec := do(t, h, http.MethodGet, "/assets/portal-Ab12Cd.js", gz)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip: %d %v", rec.Code, rec.Header())
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") || rec.Header().Get("Cache-Control") != immutableCache {
		t.Fatalf("headers: %v", rec.Header())
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(zr); string(body) != "console.log('portal')" {
		t.Fatalf("body %q", body)
	}
	// Twice: the cached copy.
	if again := do(t, h, http.MethodGet, "/assets/portal-Ab12Cd.js", gz); !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
		t.Fatal("the second answer differs")
	}

	for name, header := range map[string]http.Header{
		"no Accept-Encoding": nil,
		"gzip refused":       {"Accept-Encoding": {"gzip;q=0, br"}},
		"identity only":      {"Accept-Encoding": {"identity"}},
	} {
		rec := do(t, h, http.MethodGet, "/assets/style-Ef34Gh.css", header)
		if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != "body{}" || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("%s: %v %q", name, rec.Header(), rec.Body.String())
		}
	}
	// Pages are not compressed (small, revalidated by ETag).
	if rec := do(t, h, http.MethodGet, "/", gz); rec.Header().Get("Content-Encoding") != "" {
		t.Fatalf("page: %v", rec.Header())
	}
	// HEAD of a gzipped asset: headers, no body.
	if rec := do(t, h, http.MethodHead, "/assets/portal-Ab12Cd.js", gz); rec.Header().Get("Content-Encoding") != "gzip" || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: %v %d", rec.Header(), rec.Body.Len())
	}
}
