package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tradehub/tradehub/services/access"
)

const bulkFields = `id accountId status objectCount fileSize url errorCode errorMessage completedAt expiresAt`

// bulkCells exercise the bulk export resources of the matrix. An allowed run is canceled at
// once, so that the next holder's run does not meet the account's one unfinished export.
var bulkCells = []cell{
	{access.BulkExports, access.Read, accountDomain, queryCell(`query($a: ID!) { bulkExports(accountId: $a) { nodes { id } } }`, inBrightlightAccount, "bulkExports")},
	{access.BulkExports, access.Write, accountDomain, func(t *testing.T, c *client, w world, _ int) (bool, []string) {
		r := c.do(`mutation($a: ID!, $q: String!) { runBulkExport(input: {accountId: $a, query: $q}) { bulkExport { id } userErrors { code } } }`,
			map[string]any{"a": w.brightlight, "q": `{ skus(accountId: "` + w.brightlight + `") { nodes { id } } }`})
		id := r.str("runBulkExport", "bulkExport", "id")
		if id != "" {
			c.do(`mutation($id: ID!) { cancelBulkExport(input: {bulkExportId: $id}) { userErrors { code } } }`, map[string]any{"id": id})
		}
		return r.ok("runBulkExport") && id != "", r.codes("runBulkExport")
	}},
}

// bulkTenancyCases probe the bulk export fields that take an id.
var bulkTenancyCases = map[string]tenancyCase{
	"Query.bulkExport": {`query($id: ID!) { bulkExport(id: $id) { id status } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.bulkExport} }},
	"Query.bulkExports": {`query($a: ID!) { bulkExports(accountId: $a) { nodes { id } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.runBulkExport": {`mutation($a: ID!) { runBulkExport(input: {accountId: $a, query: "{ viewer { authenticated } }"}) { bulkExport { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account} }},
	"Mutation.cancelBulkExport": {`mutation($id: ID!) { cancelBulkExport(input: {bulkExportId: $id}) { bulkExport { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.bulkExport} }},
}

// kesslerBulkFixtures runs an export of Kessler's, for the tenancy cases.
func kesslerBulkFixtures(t *testing.T, w world, kessler *client, f *foreignIDs) {
	t.Helper()
	f.bulkExport = runExport(t, kessler, w.kessler, `{ skus(accountId: "`+w.kessler+`") { nodes { id } } }`)
}

func runExport(t *testing.T, c *client, account, query string) string {
	t.Helper()
	r := c.do(`mutation($a: ID!, $q: String!) { runBulkExport(input: {accountId: $a, query: $q}) { bulkExport { id status } userErrors { code field message } } }`,
		map[string]any{"a": account, "q": query})
	id := r.str("runBulkExport", "bulkExport", "id")
	if id == "" {
		t.Fatalf("runBulkExport: %s", r.Raw)
	}
	return id
}

// waitExport reads the export until it has finished (the worker runs in the background).
func waitExport(t *testing.T, c *client, id string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r := c.do(`query($id: ID!) { bulkExport(id: $id) { `+bulkFields+` } }`, map[string]any{"id": id})
		e, _ := r.path("bulkExport").(map[string]any)
		if e == nil {
			t.Fatalf("bulkExport: %s", r.Raw)
		}
		switch e["status"] {
		case "COMPLETED", "FAILED", "CANCELED":
			return e
		}
	}
	t.Fatal("the export did not finish")
	return nil
}

// A seller exports its SKUs: the worker pages through the connection as the seller (two
// items a page here), the file holds one JSON object per SKU, exactly the SKUs the ordinary
// query lists, and only the account's own people can download it.
func TestBulkExportEndToEnd(t *testing.T) {
	a, base, _ := startApp(t, appOptions{bulkPageSize: 2})
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	kessler := signIn(t, base, "owner@kessler-outdoor.test")

	r := owner.do(`query($a: ID!) { skus(accountId: $a, first: 100) { nodes { id } } }`, inBrightlightAccount(w))
	var want []string
	for _, n := range r.path("skus", "nodes").([]any) {
		want = append(want, n.(map[string]any)["id"].(string))
	}
	if len(want) < 3 {
		t.Fatalf("the demo has %d SKUs; the test needs more than one page", len(want))
	}

	id := runExport(t, owner, w.brightlight, `{ skus(accountId: "`+w.brightlight+`") { edges { node { id code balances { available } } } } }`)
	e := waitExport(t, owner, id)
	if e["status"] != "COMPLETED" || e["objectCount"] != float64(len(want)) || e["url"] == nil || e["expiresAt"] == nil {
		t.Fatalf("export: %v", e)
	}
	url := e["url"].(string)
	if url != base+"/exports/"+id {
		t.Errorf("url %q", url)
	}
	code, body := owner.getAs(strings.TrimPrefix(url, base))
	if code != http.StatusOK {
		t.Fatalf("download: %d %s", code, body)
	}
	if int(e["fileSize"].(float64)) != len(body) {
		t.Errorf("fileSize %v, file %d bytes", e["fileSize"], len(body))
	}
	var got []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		var line struct {
			ID       string `json:"id"`
			Code     string `json:"code"`
			Balances []any  `json:"balances"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.ID == "" || line.Code == "" || line.Balances == nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, line.ID)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("exported %v, want %v", got, want)
	}

	// Another tenant, an anonymous caller: nothing to see.
	if code, _ := kessler.getAs("/exports/" + id); code != http.StatusNotFound {
		t.Errorf("another tenant's download: %d", code)
	}
	if r := kessler.do(`query($id: ID!) { bulkExport(id: $id) { id } }`, map[string]any{"id": id}); r.path("bulkExport") != nil {
		t.Errorf("another tenant reads the export: %s", r.Raw)
	}
	if code, _ := anonymous(t, base).getAs("/exports/" + id); code != http.StatusUnauthorized {
		t.Errorf("anonymous download: %d", code)
	}
	r = owner.do(`query($a: ID!) { bulkExports(accountId: $a) { nodes { id status } } }`, inBrightlightAccount(w))
	if nodes, _ := r.path("bulkExports", "nodes").([]any); len(nodes) != 1 {
		t.Errorf("bulkExports: %s", r.Raw)
	}

	// The query runs with the caller's permissions: exporting another tenant's data fails.
	id = runExport(t, owner, w.brightlight, `{ skus(accountId: "`+w.kessler+`") { nodes { id } } }`)
	if e := waitExport(t, owner, id); e["status"] != "FAILED" || e["errorCode"] != "QUERY_FAILED" || e["url"] != nil {
		t.Errorf("foreign data: %v", e)
	}
	if code, _ := owner.getAs("/exports/" + id); code != http.StatusNotFound {
		t.Errorf("download of a failed export: %d", code)
	}
	m := scrapeMetrics(t, a)
	if metricValue(m, `tradehub_bulk_exports_total{error="",status="completed"}`) != 1 ||
		metricValue(m, `tradehub_bulk_exports_total{error="QUERY_FAILED",status="failed"}`) != 1 ||
		metricValue(m, `tradehub_bulk_export_objects_total`) != float64(len(want)) {
		t.Errorf("bulk metrics:\n%s", grepLines(m, "tradehub_bulk"))
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Queries that cannot be exported are refused at input.query and record nothing.
func TestBulkExportRefusesQueries(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)
	owner := signIn(t, base, "owner@brightlight.test")
	acct := w.brightlight
	for name, q := range map[string]string{
		"Unparsable":       `{ skus(`,
		"Mutation":         `mutation { logout { userErrors { code } } }`,
		"NotAConnection":   `{ viewer { authenticated } }`,
		"TwoRoots":         `{ skus(accountId: "` + acct + `") { nodes { id } } viewer { authenticated } }`,
		"PagesItself":      `{ skus(accountId: "` + acct + `", first: 5) { nodes { id } } }`,
		"Variables":        `query($a: ID!) { skus(accountId: $a) { nodes { id } } }`,
		"NoNodes":          `{ skus(accountId: "` + acct + `") { pageInfo { hasNextPage } } }`,
		"UnknownField":     `{ skus(accountId: "` + acct + `") { nodes { secret } } }`,
		"TooExpensivePage": `{ skus(accountId: "` + acct + `") { nodes { a: movements(first: 100) { nodes { id } } b: movements(first: 100) { nodes { id } } c: movements(first: 100) { nodes { id } } } } }`,
	} {
		before := snapshot(t, a)
		r := owner.do(`mutation($a: ID!, $q: String!) { runBulkExport(input: {accountId: $a, query: $q}) { bulkExport { id } userErrors { code field } } }`,
			map[string]any{"a": acct, "q": q})
		ue, _ := r.path("runBulkExport", "userErrors").([]any)
		if len(ue) != 1 || ue[0].(map[string]any)["code"] != "INVALID" || !slices.Equal(toStrings(ue[0].(map[string]any)["field"]), []string{"input", "query"}) {
			t.Errorf("%s: %s", name, r.Raw)
		}
		if snapshot(t, a) != before {
			t.Errorf("%s: a refused export wrote", name)
		}
	}
}
