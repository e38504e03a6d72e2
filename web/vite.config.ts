import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { inlineGraphql } from './plugins/inlineGraphql.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('./dist', import.meta.url));
const srcDir = fileURLToPath(new URL('./src/', import.meta.url));
const gqlDir = fileURLToPath(new URL('./src/gql/', import.meta.url));

// The Go package embeds web/dist with `//go:embed all:dist`, which fails to compile when the
// folder is missing. The repository keeps dist/.gitkeep for a fresh clone; Vite empties dist
// before each build, so this puts the marker back once the bundle is written.
function keepGitkeep(): Plugin {
  return {
    name: 'tradehub:keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(`${outDir}/.gitkeep`, '');
    },
  };
}

// `npm run dev` serves the pages; API calls go to a running Tradehub binary.
const apiTarget = process.env.TRADEHUB_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  plugins: [inlineGraphql(srcDir, gqlDir.replace(/\/$/, '')), react(), keepGitkeep()],
  build: {
    outDir,
    emptyOutDir: true,
    // Everything is a file under /assets/: no data: URLs, so the Content-Security-Policy that the
    // Go handler sends can stay at 'self' for images and fonts.
    assetsInlineLimit: 0,
    // Monaco alone is about 2.8 MB minified; it loads on the explorer page only. The portal's
    // own chunks stay far below this limit.
    chunkSizeWarningLimit: 3000,
    rolldownOptions: {
      // Two pages, one build: the portal SPA and the API explorer. GraphiQL (with Monaco) is only
      // reachable from graphiql.html, so none of it lands in the portal's initial chunks.
      input: {
        portal: `${root}index.html`,
        graphiql: `${root}graphiql.html`,
      },
      output: {
        // Both pages share one chunk, mostly React; the portal's entry and its lazily loaded pages
        // share another (urql, wouter, the session). The bundler names a shared chunk after its
        // first module (src/graphql/endpoint.ts, src/graphql/errors.ts); name them for what they
        // are in size reports.
        chunkFileNames: (chunk) => {
          if (chunk.moduleIds.some((id) => /[\\/]node_modules[\\/]react-dom[\\/]/.test(id))) {
            return 'assets/shared-[hash].js';
          }
          if (chunk.moduleIds.some((id) => /[\\/]node_modules[\\/]@urql[\\/]core[\\/]/.test(id))) {
            return 'assets/portal-core-[hash].js';
          }
          return 'assets/[name]-[hash].js';
        },
      },
      onLog(level, log, handler) {
        // GraphiQL is compiled with the React Compiler, whose "use no memo" directives mean
        // nothing once bundled; the warning for each one is noise.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE' && log.message.includes('use no memo')) {
          return;
        }
        handler(level, log);
      },
    },
  },
  // Monaco's language workers are built as separate same-origin files (see
  // graphiql/setup-workers/vite); ES format lets them share chunks with code splitting.
  worker: { format: 'es' },
  server: {
    proxy: {
      '/graphql': apiTarget,
      '/readyz': apiTarget,
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
