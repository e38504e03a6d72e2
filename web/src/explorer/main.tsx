// The API explorer: GraphiQL bundled from npm. The worker setup makes Monaco load its editor,
// JSON and GraphQL language workers as same-origin files from this build, never from a CDN.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './explorer.css';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createExplorerFetcher } from './fetcher';

// Shown on a first visit; later visits reopen the tabs GraphiQL kept in localStorage.
const defaultQuery = `# Welcome to the Tradehub API explorer.
# Requests go to /graphql with your portal session. Press Ctrl+Enter to run.

query {
  viewer {
    __typename
  }
}
`;

const container = document.getElementById('graphiql');
if (!container) {
  throw new Error('graphiql.html has no #graphiql element');
}

createRoot(container).render(
  <StrictMode>
    <GraphiQL fetcher={createExplorerFetcher()} defaultQuery={defaultQuery}>
      <GraphiQL.Logo>
        <a className="explorer-logo" href="/">
          Tradehub API
        </a>
      </GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
