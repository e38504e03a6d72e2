import { Link, useLocation } from 'wouter';
import { portalMessages } from '../i18n/portal';

export function NotFoundPage() {
  const [location] = useLocation();
  const t = portalMessages.states;
  return (
    <>
      <title>{`${t.notFoundTitle} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">404</p>
        <h1>{t.notFoundTitle}</h1>
        <p className="lead">{t.notFound(location)}</p>
      </div>
      <p>
        <Link href="/" className="button button-primary">
          {t.goHome}
        </Link>
      </p>
    </>
  );
}
