// What the signed-in person may see and do in the portal, decided from the viewer query alone.
// This only shapes the navigation: the server decides every read and change again (see
// shared/ARCHITECTURE.md, "Authorization is decided in the service layer"), and a page opened
// by URL shows the server's answer.

import type { AccountRole, AccountStatus, PartnerRole, StaffRole } from '../gql/graphql';
import { messages } from '../i18n/messages';
import { portalMessages } from '../i18n/portal';

export interface AccountSummary {
  id: string;
  legalName: string;
  status: AccountStatus;
}

/** The parts of `viewer` that decide access. */
export interface ViewerAccess {
  memberships: readonly { role: AccountRole; account: AccountSummary }[];
  staffRole: StaffRole | null;
  partnerMembership: { role: PartnerRole; partner: { id: string; name: string } } | null;
  supplierId: string | null;
}

/** How the viewer reaches one account. */
export type AccountAccess =
  | { kind: 'member'; role: AccountRole }
  /** 3PL staff acting on the account's behalf. */
  | { kind: 'staff'; staffRole: StaffRole }
  | { kind: 'none' };

/**
 * How the viewer reaches the account: through their own membership if they have one (they act
 * as themselves), else through their staff role. The server decides whether an account manager
 * manages this particular account.
 */
export function accountAccess(viewer: ViewerAccess, accountId: string): AccountAccess {
  const membership = viewer.memberships.find((m) => m.account.id === accountId);
  if (membership) {
    return { kind: 'member', role: membership.role };
  }
  if (viewer.staffRole) {
    return { kind: 'staff', staffRole: viewer.staffRole };
  }
  return { kind: 'none' };
}

/** The pages of an account, in the order of the navigation. */
export type AccountSection =
  | 'overview'
  | 'inventory'
  | 'receipts'
  | 'orders'
  | 'usage'
  | 'shipments'
  | 'procurement'
  | 'financing'
  | 'billing'
  | 'team'
  | 'apiKeys'
  | 'webhooks';

export const accountSectionPaths: Readonly<Record<AccountSection, string>> = {
  overview: '',
  inventory: '/inventory',
  receipts: '/receipts',
  orders: '/orders',
  usage: '/usage',
  shipments: '/shipments',
  procurement: '/procurement',
  financing: '/financing',
  billing: '/billing',
  team: '/team',
  apiKeys: '/api-keys',
  webhooks: '/webhooks',
};

export const accountSectionLabels: Readonly<Record<AccountSection, string>> = messages.sections;

/** Sections with pages below them (`/inventory/sku_…`, `/orders/new`). */
const nestedSections: ReadonlySet<AccountSection> = new Set<AccountSection>(['inventory', 'receipts', 'orders', 'shipments', 'procurement', 'billing', 'webhooks']);

/**
 * Warehousing (inventory, inbound receipts, orders, usage), shipments, sourcing, financing and
 * billing (invoices) are read by every role of the account and by its staff; see
 * docs/PERMISSIONS.md.
 */
const warehousingSections: readonly AccountSection[] = ['inventory', 'receipts', 'orders', 'usage', 'shipments', 'procurement', 'financing', 'billing'];

const teamReaders: ReadonlySet<AccountRole> = new Set<AccountRole>(['OWNER', 'ADMIN']);
const keyReaders: ReadonlySet<AccountRole> = new Set<AccountRole>(['OWNER', 'ADMIN']);
const webhookReaders: ReadonlySet<AccountRole> = new Set<AccountRole>(['OWNER', 'ADMIN']);

/** The account's pages that the viewer's navigation offers, in order. */
export function accountSections(access: AccountAccess): AccountSection[] {
  switch (access.kind) {
    case 'none':
      return [];
    case 'staff':
      // Account managers and platform admins read the team and the keys of their accounts.
      return ['overview', ...warehousingSections, 'team', 'apiKeys', 'webhooks'];
    case 'member': {
      const sections: AccountSection[] = ['overview', ...warehousingSections];
      if (teamReaders.has(access.role)) {
        sections.push('team');
      }
      if (keyReaders.has(access.role)) {
        sections.push('apiKeys');
      }
      if (webhookReaders.has(access.role)) {
        sections.push('webhooks');
      }
      return sections;
    }
  }
}

/** Whether the viewer may invite, change roles and remove members (OWNER, ADMIN). */
export function canManageTeam(access: AccountAccess): boolean {
  return access.kind === 'member' && (access.role === 'OWNER' || access.role === 'ADMIN');
}

/** Whether the viewer may create and revoke API keys (OWNER, ADMIN); staff only read them. */
export function canManageApiKeys(access: AccountAccess): boolean {
  return access.kind === 'member' && (access.role === 'OWNER' || access.role === 'ADMIN');
}

/**
 * Whether the viewer may register, change, rotate, delete and redeliver webhooks (OWNER, ADMIN);
 * the account's staff read them and their delivery logs.
 */
export function canManageWebhooks(access: AccountAccess): boolean {
  return access.kind === 'member' && (access.role === 'OWNER' || access.role === 'ADMIN');
}

/** Whether the viewer may read the account's webhooks: OWNER, ADMIN and the account's staff. */
export function canReadWebhooks(access: AccountAccess): boolean {
  return accountSections(access).includes('webhooks');
}

const warehouseOperators: ReadonlySet<AccountRole> = new Set<AccountRole>(['OWNER', 'ADMIN', 'OPERATOR']);

/**
 * Whether the viewer may change the account's warehousing: create and edit SKUs, announce,
 * receive and put away receipts, create and move orders. OPERATOR and above, and the account's
 * staff (account managers and platform admins, per docs/PERMISSIONS.md); FINANCE and VIEWER read.
 */
export function canOperateWarehouse(access: AccountAccess): boolean {
  switch (access.kind) {
    case 'none':
      return false;
    case 'staff':
      return true;
    case 'member':
      return warehouseOperators.has(access.role);
  }
}

const allRoles: readonly AccountRole[] = ['OWNER', 'ADMIN', 'OPERATOR', 'FINANCE', 'VIEWER'];

/** The roles the viewer may give a member or an invitee: only an OWNER grants OWNER. */
export function grantableRoles(access: AccountAccess): AccountRole[] {
  if (!canManageTeam(access)) {
    return [];
  }
  return access.kind === 'member' && access.role === 'OWNER' ? [...allRoles] : allRoles.filter((r) => r !== 'OWNER');
}

/** Whether the viewer may change or remove a member who has `role` (only an OWNER touches an OWNER). */
export function canManageMember(access: AccountAccess, role: AccountRole): boolean {
  return canManageTeam(access) && (role !== 'OWNER' || (access.kind === 'member' && access.role === 'OWNER'));
}

/** The roles an API key may have: every role but OWNER. */
export const apiKeyRoles: readonly AccountRole[] = allRoles.filter((r) => r !== 'OWNER');

/** An entry of the account switcher. */
export interface SwitcherEntry {
  account: AccountSummary;
  access: Exclude<AccountAccess, { kind: 'none' }>;
}

/**
 * The accounts the viewer can act for, ordered by legal name: their memberships, and for staff
 * the accounts of `accounts(first: 100)` (an account manager's book, or all for a platform
 * admin). An account in both appears once, as a membership.
 */
export function switcherAccounts(
  viewer: ViewerAccess,
  staffAccounts: readonly AccountSummary[] = [],
): SwitcherEntry[] {
  const entries = new Map<string, SwitcherEntry>();
  for (const m of viewer.memberships) {
    entries.set(m.account.id, { account: m.account, access: { kind: 'member', role: m.role } });
  }
  if (viewer.staffRole) {
    const staffRole = viewer.staffRole;
    for (const account of staffAccounts) {
      if (!entries.has(account.id)) {
        entries.set(account.id, { account, access: { kind: 'staff', staffRole } });
      }
    }
  }
  return [...entries.values()].sort(
    (a, b) => a.account.legalName.localeCompare(b.account.legalName) || a.account.id.localeCompare(b.account.id),
  );
}

/** The path of an account's page. */
export function accountPath(accountId: string, section: AccountSection = 'overview'): string {
  return `/accounts/${encodeURIComponent(accountId)}${accountSectionPaths[section]}`;
}

/**
 * Where the switcher takes the viewer for another account: the same page if they may see it
 * there, else that account's overview.
 */
export function switchPath(entry: SwitcherEntry, current: AccountSection | null): string {
  const section = current !== null && accountSections(entry.access).includes(current) ? current : 'overview';
  return accountPath(entry.account.id, section);
}

/**
 * The account page a path shows, if it is one: `/accounts/acct_1/team` → `{acct_1, team}`. A page
 * below a section (`/accounts/acct_1/inventory/sku_1`) is in that section, with `nested: true`.
 */
export function parseAccountPath(
  pathname: string,
): { accountId: string; section: AccountSection | null; nested?: true } | null {
  const match = /^\/accounts\/([^/]+)(\/[^/]*)?(\/.*)?$/.exec(pathname);
  if (!match?.[1]) {
    return null;
  }
  let accountId: string;
  try {
    accountId = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  const rest = match[2] === '/' ? '' : (match[2] ?? '');
  const deeper = match[3] !== undefined && match[3] !== '/';
  const section = (Object.keys(accountSectionPaths) as AccountSection[]).find((s) => accountSectionPaths[s] === rest);
  if (deeper) {
    return section !== undefined && nestedSections.has(section) ? { accountId, section, nested: true } : null;
  }
  return { accountId, section: section ?? null };
}

/** Navigation outside any account. */
export interface TopNavItem {
  key: 'partner' | 'supplier' | 'console';
  label: string;
  href: string;
}

/** The items of the top navigation that do not belong to an account. */
export function topNavItems(viewer: ViewerAccess): TopNavItem[] {
  const items: TopNavItem[] = [];
  if (viewer.staffRole) {
    items.push({ key: 'console', label: portalMessages.shell.console, href: '/console' });
  }
  if (viewer.partnerMembership) {
    items.push({ key: 'partner', label: portalMessages.shell.partnerWorkspace, href: '/partner' });
  }
  if (viewer.supplierId) {
    items.push({ key: 'supplier', label: 'Supplier workspace', href: '/supplier' });
  }
  return items;
}

/**
 * Where the portal takes a viewer who asked for no page in particular: staff to their console,
 * others to their first account, else the partner workspace; null when there is neither, and the home page says what they can
 * do.
 */
export function landingPath(viewer: ViewerAccess, staffAccounts: readonly AccountSummary[] = []): string | null {
  // Staff who are no account's member start from their book: which account needs them first.
  if (viewer.staffRole && viewer.memberships.length === 0) {
    return '/console';
  }
  const first = switcherAccounts(viewer, staffAccounts)[0];
  if (first) {
    return accountPath(first.account.id);
  }
  if (viewer.partnerMembership) {
    return '/partner';
  }
  if (viewer.supplierId) {
    return '/supplier';
  }
  return null;
}

/**
 * The `next` parameter of the sign-in page, if it is a path of this portal: it must start with a
 * single slash, so that `//evil.example` or `https://…` cannot send a person off-site after
 * signing in.
 */
export function safeNextPath(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return null;
  }
  if (next.startsWith('/sign-in') || next.startsWith('/accept-invitation')) {
    return null;
  }
  return next;
}

/** Whether the viewer runs the account's billing (run, finalize, ad-hoc charges, payments): its staff. */
export function canBill(access: AccountAccess): boolean {
  return access.kind === 'staff';
}
