// Routing: wouter (about 2 KB gzipped) rather than react-router (over 20 KB): the portal needs
// paths, parameters, links and a fallback, not loaders or actions, since data comes from urql.
// Domain areas slot in as more <Route>s; when they grow, wrap their pages in React.lazy so each
// area becomes its own chunk and the initial bundle stays the shell.
import { Link, Route, Switch } from 'wouter';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/" className="brand" aria-label="Tradehub home">
            <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
              <rect width="32" height="32" rx="7" />
              <path d="M9 11h14M16 11v12" />
            </svg>
            <span>Tradehub</span>
          </Link>
          <nav className="topbar-nav" aria-label="Portal">
            {/* A full page load on purpose: the explorer is a separate page with its own bundle. */}
            <a href="/graphiql" className="topbar-link">
              API explorer
            </a>
            <Link href="/sign-in" className="button button-secondary">
              Sign in
            </Link>
          </nav>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Switch>
          <Route path="/" component={HomePage} />
          <Route path="/sign-in" component={SignInPage} />
          <Route component={NotFoundPage} />
        </Switch>
      </main>
    </>
  );
}
