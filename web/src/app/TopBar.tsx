import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import {
  accountAccess,
  accountPath,
  accountSectionLabels,
  accountSections,
  parseAccountPath,
  switcherAccounts,
  switchPath,
  topNavItems,
  type SwitcherEntry,
} from '../access/access';
import { Disclosure } from '../components/Disclosure';
import type { Problem } from '../graphql/errors';
import { messages } from '../i18n/messages';
import { useSession, type StaffAccounts } from '../session/Session';
import type { SignedInViewer } from '../session/viewer';
import { localeNames, locales, currentLocale, isLocale } from '../i18n/locale';
import { portalMessages } from '../i18n/portal';
import './portal.css';

/** The product name, the account switcher, the navigation the viewer's roles allow, their menu. */
export function TopBar() {
  const { state, staffAccounts } = useSession();
  const signedIn = state.kind === 'signed-in' ? state.viewer : null;
  const sh = portalMessages.shell;
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <div className="topbar-start">
          <Link href="/" className="brand" aria-label={sh.home}>
            <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
              <rect width="32" height="32" rx="7" />
              <path d="M9 11h14M16 11v12" />
            </svg>
            <span>Tradehub</span>
          </Link>
          {signedIn && <AccountSwitcher viewer={signedIn} staffAccounts={staffAccounts} />}
        </div>
        <div className="topbar-end">
          {/* A full page load on purpose: the explorer is a separate page with its own bundle. */}
          <a href="/graphiql" className="topbar-link">
            {sh.explorer}
          </a>
          <LanguageMenu />
          {signedIn ? (
            <UserMenu viewer={signedIn} />
          ) : (
            state.kind !== 'loading' && (
              <Link href="/sign-in" className="button button-secondary">
                {sh.signIn}
              </Link>
            )
          )}
        </div>
      </div>
      {signedIn && <MainNav viewer={signedIn} />}
    </header>
  );
}

function roleLabel(entry: SwitcherEntry): string {
  return entry.access.kind === 'member'
    ? messages.accountRoles[entry.access.role]
    : capitalize(messages.staffRoles[entry.access.staffRole]);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The accounts the viewer can act for; the selected one is the one in the URL. */
export function AccountSwitcher({ viewer, staffAccounts }: { viewer: SignedInViewer; staffAccounts: StaffAccounts }) {
  const [location] = useLocation();
  const current = parseAccountPath(location);
  const entries = switcherAccounts(viewer, staffAccounts.accounts);
  const selected = entries.find((e) => e.account.id === current?.accountId);

  if (entries.length === 0 && !staffAccounts.fetching && !staffAccounts.problem) {
    return null;
  }
  const sh = portalMessages.shell;
  const name = selected?.account.legalName ?? (current ? sh.otherAccount : sh.chooseAccount);
  return (
    <Disclosure
      className="switcher"
      panelClassName="switcher-panel"
      button={
        <>
          <span className="switcher-name">{name}</span>
          {/* Spoken after the visible name, so that the name a person sees is the one to say. */}
          <span className="visually-hidden">{sh.switchAccountSpoken}</span>
        </>
      }
    >
      {(close) => (
        <>
          <p className="disclosure-heading">{sh.switchAccount}</p>
          {staffAccounts.fetching && <p className="muted">{sh.loadingAccounts}</p>}
          {staffAccounts.problem && <SwitcherProblem problem={staffAccounts.problem} />}
          <ul className="switcher-list">
            {entries.map((entry) => {
              const isCurrent = entry.account.id === current?.accountId;
              return (
                <li key={entry.account.id}>
                  <Link
                    href={switchPath(entry, current?.section ?? null)}
                    className="switcher-item"
                    aria-current={isCurrent ? 'page' : undefined}
                    onClick={close}
                  >
                    <span className="switcher-item-name">{entry.account.legalName}</span>
                    <span className="switcher-item-meta">
                      {roleLabel(entry)}
                      {entry.account.status !== 'ACTIVE' && ` · ${messages.accountStatuses[entry.account.status]}`}
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
          {staffAccounts.truncated && (
            <p className="muted switcher-note">{sh.first100}</p>
          )}
        </>
      )}
    </Disclosure>
  );
}

function SwitcherProblem({ problem }: { problem: Problem }) {
  return (
    <p className="switcher-note field-errors" role="alert">
      {portalMessages.shell.accountsFailed(problem.title, problem.action)}
    </p>
  );
}

/** Who is signed in, and signing out. */
export function UserMenu({ viewer }: { viewer: SignedInViewer }) {
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const roles = [
    viewer.staffRole && capitalize(messages.staffRoles[viewer.staffRole]),
    viewer.partnerMembership &&
      `${messages.partnerRoles[viewer.partnerMembership.role]}, ${viewer.partnerMembership.partner.name}`,
    viewer.supplierId && portalMessages.shell.supplier,
  ].filter(Boolean);

  async function onSignOut() {
    setBusy(true);
    setProblem(null);
    const failed = await signOut();
    // On success the session starts over and this menu is gone.
    if (failed) {
      setProblem(failed);
      setBusy(false);
    }
  }

  return (
    <Disclosure
      className="user-menu"
      panelClassName="user-menu-panel"
      button={
        <>
          <span className="avatar" aria-hidden="true">
            {initials(viewer.user.name)}
          </span>
          <span className="user-menu-name">{viewer.user.name}</span>
          <span className="visually-hidden">{portalMessages.shell.accountMenu}</span>
        </>
      }
    >
      {() => (
        <>
          <div className="user-menu-who">
            <p className="user-menu-fullname">{viewer.user.name}</p>
            <p className="muted">{viewer.user.email}</p>
            {roles.length > 0 && <p className="muted">{roles.join(' · ')}</p>}
          </div>
          {problem && (
            <p className="field-errors" role="alert">
              {portalMessages.shell.notSignedOut(problem.title, problem.action)}
            </p>
          )}
          <button type="button" className="button button-secondary button-block" disabled={busy} onClick={onSignOut}>
            {busy ? portalMessages.shell.signingOut : portalMessages.shell.signOut}
          </button>
        </>
      )}
    </Disclosure>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts.at(-1)] : [parts[0]];
  return letters
    .map((p) => p?.charAt(0) ?? '')
    .join('')
    .toUpperCase() || '?';
}

/** The pages of the selected account the viewer's role allows, and the partner workspace. */
export function MainNav({ viewer }: { viewer: SignedInViewer }) {
  const [location] = useLocation();
  const current = parseAccountPath(location);
  const sections = current ? accountSections(accountAccess(viewer, current.accountId)) : [];
  const extra = topNavItems(viewer);
  if (sections.length === 0 && extra.length === 0) {
    return null;
  }
  return (
    <nav className="mainnav" aria-label={portalMessages.shell.mainNav}>
      <ul className="mainnav-inner">
        {current &&
          sections.map((section) => {
            const href = accountPath(current.accountId, section);
            return (
              <li key={section}>
                <Link
                  href={href}
                  className="mainnav-link"
                  // On a page below the section (a SKU of the inventory), its link is "current" but
                  // not the page itself.
                  aria-current={current.section === section ? (current.nested ? 'true' : 'page') : undefined}
                >
                  {accountSectionLabels[section]}
                </Link>
              </li>
            );
          })}
        {extra.map((item) => (
          <li key={item.key}>
            <Link href={item.href} className="mainnav-link" aria-current={location === item.href ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * The portal's language, for everyone, signed in or not: a native select, so that keyboard and
 * screen reader use come for free. Each language is named in itself.
 */
export function LanguageMenu() {
  const { chooseLocale } = useSession();
  return (
    <label className="language-menu">
      <span className="visually-hidden">{portalMessages.shell.language}</span>
      <select
        className="language-select"
        value={currentLocale()}
        data-testid="language"
        onChange={(event) => {
          if (isLocale(event.target.value)) {
            chooseLocale(event.target.value);
          }
        }}
      >
        {locales.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {localeNames[locale]}
          </option>
        ))}
      </select>
    </label>
  );
}
