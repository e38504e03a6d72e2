// A build step for the operations that graphql-codegen's client preset generates (src/gql/).
//
// The preset's `graphql(`…`)` looks each operation up at run time in one map of every operation
// of the portal (source text and document), so every page's queries would ship in the first
// chunk. The preset's own Babel plugin replaces each call with an import from src/gql/graphql.ts,
// which still puts all documents in the one chunk that module lands in. This plugin instead puts
// each document, as codegen wrote it, in place of its call: a page's operations travel in that
// page's chunk, and the map is never bundled.
//
// It also refuses to build when an operation's text differs from what src/gql was generated from,
// which means `npm run codegen` was not run after an edit.
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

interface Generated {
  /** The document of each operation, as JSON text, by its codegen name (`TeamMembersDocument`). */
  documents: Map<string, string>;
  /** Every operation source text codegen saw, exactly. */
  sources: Set<string>;
}

function readGenerated(gqlDir: string): Generated {
  const documents = new Map<string, string>();
  const graphqlTs = readFileSync(`${gqlDir}/graphql.ts`, 'utf8');
  for (const m of graphqlTs.matchAll(/^export const (\w+Document) = (\{.*\}) as unknown as DocumentNode</gm)) {
    documents.set(m[1] as string, m[2] as string);
  }
  const sources = new Set<string>();
  const gqlTs = readFileSync(`${gqlDir}/gql.ts`, 'utf8');
  const map = gqlTs.slice(gqlTs.indexOf('const documents'));
  for (const m of map.matchAll(/^ {4}("(?:[^"\\]|\\.)*"): types\.\w+,$/gm)) {
    sources.add(JSON.parse(m[1] as string) as string);
  }
  return { documents, sources };
}

const call = /\bgraphql\(\s*`([^`]*)`\s*\)/g;
const definition = /\b(query|mutation|subscription|fragment)\s+([A-Za-z_]\w*)/;

/** `gqlDir` is the absolute path of src/gql; `srcDir` that of src. */
export function inlineGraphql(srcDir: string, gqlDir: string): Plugin {
  let generated: Generated;
  return {
    name: 'tradehub:inline-graphql',
    apply: 'build',
    enforce: 'pre',
    buildStart() {
      generated = readGenerated(gqlDir);
    },
    transform(code, id) {
      if (!id.startsWith(srcDir) || id.startsWith(gqlDir) || !/\.tsx?$/.test(id) || !code.includes('graphql(`')) {
        return null;
      }
      const out = code.replace(call, (whole, source: string) => {
        const def = definition.exec(source);
        if (!def) {
          this.error(`${id}: no named operation in ${whole.slice(0, 60)}…`);
        }
        if (def[1] === 'fragment') {
          this.error(`${id}: fragment ${def[2]}: inlining supports operations only`);
        }
        const name = `${def[2]}Document`;
        const doc = generated.documents.get(name);
        if (doc === undefined || !generated.sources.has(source)) {
          this.error(`${id}: operation ${def[2]} differs from src/gql: run \`npm run codegen\``);
        }
        return `(${doc})`;
      });
      return { code: out, map: null };
    },
  };
}
