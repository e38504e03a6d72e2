// Typed GraphQL operations for the portal, generated from the server's schema (schema/*.graphqls,
// the contract) and the operations written next to the pages that use them with `graphql(`…`)`.
// `npm run codegen` writes src/gql/, which is committed; CI regenerates it and fails on a diff,
// so the output must depend on nothing but these inputs (no timestamps, no network).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema/*.graphqls',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  // An operation that does not match the schema fails the run rather than generating `any`.
  ignoreNoDocuments: false,
  errorsOnly: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Pages read the fields they ask for; fragments are for sharing selections, not hiding them.
        fragmentMasking: false,
        // persisted-documents.json: sha256 hash → document for every operation of the portal,
        // embedded in the binary (web/persisted.go) as the allow-list of
        // TRADEHUB_GRAPHQL_ALLOWLIST=on. The portal still sends full documents; the server
        // checks them against this list.
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        // String unions rather than TypeScript enums: no runtime objects in the bundle.
        enumsAsTypes: true,
        // Every custom scalar travels as a string (see schema/common.graphqls); an unknown
        // scalar is an error, so a new one gets a deliberate type here.
        strictScalars: true,
        scalars: {
          DateTime: 'string',
          Decimal: 'string',
          CurrencyCode: 'string',
          CountryCode: 'string',
          // An event's payload (schema/events.graphqls): any JSON; a page narrows it before use.
          JSON: 'unknown',
        },
        // Keep generated input types exact: optional inputs are `T | null | undefined`.
        avoidOptionals: false,
        skipTypename: false,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
