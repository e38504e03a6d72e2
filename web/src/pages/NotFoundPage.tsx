import { Link, useLocation } from 'wouter';

export function NotFoundPage() {
  const [location] = useLocation();
  return (
    <>
      <title>Page not found · Tradehub</title>
      <div className="page-header">
        <p className="eyebrow">404</p>
        <h1>Page not found</h1>
        <p className="lead">
          There is no page at <code>{location}</code>. It may have moved, or the link may be
          mistyped.
        </p>
      </div>
      <p>
        <Link href="/" className="button button-primary">
          Go to Home
        </Link>
      </p>
    </>
  );
}
