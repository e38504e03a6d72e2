package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Persisted-query error codes (extensions.code). PERSISTED_QUERY_NOT_FOUND is the automatic
// persisted query protocol's (Apollo's): the client sent only a hash the server does not know,
// and retries with the document. PERSISTED_QUERY_NOT_ALLOWED is the allow-list's refusal.
const (
	CodePersistedQueryNotFound   = "PERSISTED_QUERY_NOT_FOUND"
	CodePersistedQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED"
)

// AllowList holds the registered operations: the portal's own, from the manifest that
// graphql-codegen's client preset writes (web/src/gql/persisted-documents.json, a JSON object of
// sha256 hash → document), embedded in the binary at build time.
//
// A request is accepted when it names a registered hash (extensions.persistedQuery.sha256Hash,
// with or without the document), or when the document it sends is a registered one. The portal
// sends full documents through urql, which prints them its own way and adds __typename to
// selections, so documents are compared in a canonical form: parsed, without __typename
// selections (which reveal nothing), printed by one formatter. Anything else is refused before
// it is parsed for execution, validated or priced.
type AllowList struct {
	byHash    map[string]string // manifest hash -> document
	canonical map[string]bool   // sha256 of each registered document's canonical form
	// seen remembers the verdict on documents already checked (by the sha256 of their text), so
	// a client repeating its operations costs one map lookup, not a parse.
	seen *lru.Cache[string, bool]
}

// NewAllowList reads a persisted-documents manifest. An empty or malformed manifest is an
// error: turning the allow-list on with nothing in it would refuse every request.
func NewAllowList(manifest []byte) (*AllowList, error) {
	var docs map[string]string
	if err := json.Unmarshal(manifest, &docs); err != nil {
		return nil, fmt.Errorf("persisted documents manifest: %w", err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("persisted documents manifest is empty: run `cd web && npm run codegen`")
	}
	seen, _ := lru.New[string, bool](10_000)
	l := &AllowList{byHash: map[string]string{}, canonical: map[string]bool{}, seen: seen}
	for key, d := range docs {
		// The client preset writes "sha256:<hex>"; APQ clients send the bare hex.
		h := strings.TrimPrefix(key, "sha256:")
		l.byHash[h] = d
		if hashOf(d) != h {
			return nil, fmt.Errorf("persisted documents manifest: %s is not the sha256 of its document", h)
		}
		c, err := canonicalDocument(d)
		if err != nil {
			return nil, fmt.Errorf("persisted document %s: %w", h, err)
		}
		l.canonical[hashOf(c)] = true
	}
	return l, nil
}

// Len is the number of registered operations.
func (l *AllowList) Len() int { return len(l.byHash) }

// Allows reports whether a document is a registered operation (in canonical form).
func (l *AllowList) Allows(document string) bool {
	key := hashOf(document)
	if v, ok := l.seen.Get(key); ok {
		return v
	}
	c, err := canonicalDocument(document)
	ok := err == nil && l.canonical[hashOf(c)]
	l.seen.Add(key, ok)
	return ok
}

func (*AllowList) ExtensionName() string                   { return "AllowList" }
func (*AllowList) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters runs before automatic persisted queries: a registered hash sent
// alone gets its document from the manifest (and then passes APQ's hash check), anything not
// registered is refused.
func (l *AllowList) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		if doc, ok := l.byHash[persistedHash(raw.Extensions)]; ok {
			raw.Query = doc
			return nil
		}
	} else if l.Allows(raw.Query) {
		return nil
	}
	err := gqlerror.Errorf("this server accepts only registered operations, and this one is not registered")
	errcode.Set(err, CodePersistedQueryNotAllowed)
	return err
}

// persistedHash is extensions.persistedQuery.sha256Hash, or "".
func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	h, _ := pq["sha256Hash"].(string)
	return h
}

func hashOf(s string) string {
	b := sha256.Sum256([]byte(s))
	return hex.EncodeToString(b[:])
}

// canonicalDocument prints a document in one form whatever its whitespace, commas, comments
// or __typename selections.
func canonicalDocument(doc string) (string, error) {
	d, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil {
		return "", err
	}
	for _, op := range d.Operations {
		op.SelectionSet = withoutTypename(op.SelectionSet)
	}
	for _, f := range d.Fragments {
		f.SelectionSet = withoutTypename(f.SelectionSet)
	}
	var b bytes.Buffer
	formatter.NewFormatter(&b).FormatQueryDocument(d)
	return b.String(), nil
}

func withoutTypename(set ast.SelectionSet) ast.SelectionSet {
	out := set[:0]
	for _, s := range set {
		switch x := s.(type) {
		case *ast.Field:
			if x.Name == "__typename" && (x.Alias == "" || x.Alias == x.Name) { // the parser sets Alias to Name when there is none
				continue
			}
			x.SelectionSet = withoutTypename(x.SelectionSet)
		case *ast.InlineFragment:
			x.SelectionSet = withoutTypename(x.SelectionSet)
		}
		out = append(out, s)
	}
	return out
}

// apq is gqlgen's automatic persisted queries with a code on its protocol errors (a hash that
// does not match its document, a wrong version), which it leaves uncoded and the presenter
// would otherwise mask as INTERNAL: they are the client's mistakes (BAD_USER_INPUT, reason
// PERSISTED_QUERY_INVALID).
type apq struct {
	extension.AutomaticPersistedQuery
}

func (a apq) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	err := a.AutomaticPersistedQuery.MutateOperationParameters(ctx, raw)
	if err != nil && err.Extensions["code"] == nil {
		errcode.Set(err, codePersistedQueryInvalid)
	}
	return err
}

const codePersistedQueryInvalid = "PERSISTED_QUERY_INVALID"
