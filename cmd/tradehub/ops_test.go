package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// getAs reads path on the public listener with c's session or key.
func (c *client) getAs(path string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The profiler and the runtime metrics on the public listener exist for platform admins only:
// anonymous callers, sellers and account managers get 404, as for any unknown path.
func TestDebugRoutesForPlatformAdminsOnly(t *testing.T) {
	_, base := demoApp(t)
	for _, who := range []*client{anonymous(t, base), signIn(t, base, "owner@brightlight.test"), signIn(t, base, "am.lin@tradehub.test")} {
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/metrics"} {
			if code, body := who.getAs(path); code != http.StatusNotFound || strings.Contains(body, "goroutine") {
				t.Errorf("%s: %d", path, code)
			}
		}
	}
	admin := signIn(t, base, "admin@tradehub.test")
	if code, body := admin.getAs("/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof index for the platform admin: %d", code)
	}
	if code, body := admin.getAs("/debug/pprof/goroutine?debug=1"); code != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("goroutine profile: %d", code)
	}
	if code, body := admin.getAs("/debug/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") || !strings.Contains(body, "tradehub_http_requests_total") {
		t.Errorf("runtime metrics: %d", code)
	}
}
