package web

import _ "embed"

// PersistedDocuments is the portal's operations as graphql-codegen's client preset writes them
// (`npm run codegen`: sha256 hash → document), the allow-list of TRADEHUB_GRAPHQL_ALLOWLIST=on.
//
//go:embed src/gql/persisted-documents.json
var PersistedDocuments []byte
