import { StrictMode, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { browserLocale, currentLocale, onLocaleChange, setLocale, storedLocale } from './i18n/locale';
import { SessionRoot } from './session/Session';
import './styles.css';

const container = document.getElementById('root');
if (!container) {
  throw new Error('index.html has no #root element');
}

// The language before anyone signs in: the one chosen in this browser, else the browser's.
// Signing in may switch to the one saved on the user (session/Session.tsx).
setLocale(storedLocale() ?? browserLocale());
document.documentElement.lang = currentLocale();

/**
 * The app, drawn again from the top when the language changes: the catalogs changed in place
 * (i18n/locale.ts), and every page reads them as it renders. The GraphQL cache above it stays.
 */
function Localized() {
  const locale = useSyncExternalStore(onLocaleChange, currentLocale);
  return <App key={locale} />;
}

createRoot(container).render(
  <StrictMode>
    <SessionRoot>
      <Localized />
    </SessionRoot>
  </StrictMode>,
);
