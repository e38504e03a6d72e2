import { describe, expect, it } from 'vitest';
import {
  accountAccess,
  accountSections,
  canManageMember,
  canManageTeam,
  canOperateWarehouse,
  grantableRoles,
  landingPath,
  parseAccountPath,
  safeNextPath,
  switcherAccounts,
  switchPath,
  topNavItems,
  type AccountAccess,
  type AccountSection,
  type AccountSummary,
  type ViewerAccess,
} from './access';

const brightlight: AccountSummary = {
  id: 'acct_b',
  legalName: 'Shenzhen Brightlight Electronics Co., Ltd.',
  status: 'ACTIVE',
};
const kessler: AccountSummary = { id: 'acct_k', legalName: 'Kessler Outdoor GmbH', status: 'ACTIVE' };
const maple: AccountSummary = { id: 'acct_m', legalName: 'Maple & Pine Home LLC', status: 'SUSPENDED' };

const nobody: ViewerAccess = { memberships: [], staffRole: null, partnerMembership: null, supplierId: null };

function member(role: 'OWNER' | 'ADMIN' | 'OPERATOR' | 'FINANCE' | 'VIEWER', account = brightlight): ViewerAccess {
  return { ...nobody, memberships: [{ role, account }] };
}

const accountManager: ViewerAccess = { ...nobody, staffRole: 'ACCOUNT_MANAGER' };
const platformAdmin: ViewerAccess = { ...nobody, staffRole: 'PLATFORM_ADMIN' };
const partnerAdmin: ViewerAccess = {
  ...nobody,
  partnerMembership: { role: 'PARTNER_ADMIN', partner: { id: 'ptn_h', name: 'Harbor Trade Finance' } },
};

describe('accountSections: the navigation of an account by role', () => {
  // Warehousing is read by every role of the account and its staff (docs/PERMISSIONS.md).
  const wh: AccountSection[] = ['inventory', 'receipts', 'orders', 'usage', 'shipments', 'procurement', 'financing', 'billing'];
  const cases: { name: string; viewer: ViewerAccess; want: AccountSection[] }[] = [
    { name: 'OWNER', viewer: member('OWNER'), want: ['overview', ...wh, 'team', 'apiKeys', 'webhooks'] },
    { name: 'ADMIN', viewer: member('ADMIN'), want: ['overview', ...wh, 'team', 'apiKeys', 'webhooks'] },
    { name: 'OPERATOR', viewer: member('OPERATOR'), want: ['overview', ...wh] },
    { name: 'FINANCE', viewer: member('FINANCE'), want: ['overview', ...wh] },
    { name: 'VIEWER', viewer: member('VIEWER'), want: ['overview', ...wh] },
    { name: 'ACCOUNT_MANAGER', viewer: accountManager, want: ['overview', ...wh, 'team', 'apiKeys', 'webhooks'] },
    { name: 'PLATFORM_ADMIN', viewer: platformAdmin, want: ['overview', ...wh, 'team', 'apiKeys', 'webhooks'] },
    { name: 'partner user', viewer: partnerAdmin, want: [] },
    { name: 'member of another account', viewer: member('OWNER', kessler), want: [] },
    { name: 'supplier', viewer: { ...nobody, supplierId: 'sup_1' }, want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(accountSections(accountAccess(tc.viewer, brightlight.id))).toEqual(tc.want);
    });
  }

  it('a staff member who is also a member acts as the member', () => {
    const viewer: ViewerAccess = { ...member('VIEWER'), staffRole: 'ACCOUNT_MANAGER' };
    expect(accountAccess(viewer, brightlight.id)).toEqual({ kind: 'member', role: 'VIEWER' });
    expect(accountAccess(viewer, kessler.id)).toEqual({ kind: 'staff', staffRole: 'ACCOUNT_MANAGER' });
  });
});

describe('team permissions', () => {
  const owner: AccountAccess = { kind: 'member', role: 'OWNER' };
  const admin: AccountAccess = { kind: 'member', role: 'ADMIN' };
  const staff: AccountAccess = { kind: 'staff', staffRole: 'PLATFORM_ADMIN' };

  it('only OWNER and ADMIN change the team; staff read it', () => {
    expect(canManageTeam(owner)).toBe(true);
    expect(canManageTeam(admin)).toBe(true);
    expect(canManageTeam(staff)).toBe(false);
    expect(canManageTeam({ kind: 'member', role: 'OPERATOR' })).toBe(false);
  });

  it('only an OWNER grants OWNER or touches an OWNER', () => {
    expect(grantableRoles(owner)).toEqual(['OWNER', 'ADMIN', 'OPERATOR', 'FINANCE', 'VIEWER']);
    expect(grantableRoles(admin)).toEqual(['ADMIN', 'OPERATOR', 'FINANCE', 'VIEWER']);
    expect(grantableRoles(staff)).toEqual([]);
    expect(canManageMember(admin, 'OWNER')).toBe(false);
    expect(canManageMember(admin, 'OPERATOR')).toBe(true);
    expect(canManageMember(owner, 'OWNER')).toBe(true);
  });
});

describe('canOperateWarehouse: who acts on SKUs, receipts and orders', () => {
  const cases: { name: string; viewer: ViewerAccess; want: boolean }[] = [
    { name: 'OWNER', viewer: member('OWNER'), want: true },
    { name: 'ADMIN', viewer: member('ADMIN'), want: true },
    { name: 'OPERATOR', viewer: member('OPERATOR'), want: true },
    { name: 'FINANCE reads', viewer: member('FINANCE'), want: false },
    { name: 'VIEWER reads', viewer: member('VIEWER'), want: false },
    { name: 'ACCOUNT_MANAGER', viewer: accountManager, want: true },
    { name: 'PLATFORM_ADMIN', viewer: platformAdmin, want: true },
    { name: 'partner user', viewer: partnerAdmin, want: false },
    { name: 'member of another account', viewer: member('OWNER', kessler), want: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(canOperateWarehouse(accountAccess(tc.viewer, brightlight.id))).toBe(tc.want);
    });
  }
});

describe('switcherAccounts', () => {
  it('lists a seller’s memberships by legal name', () => {
    const viewer: ViewerAccess = {
      ...nobody,
      memberships: [
        { role: 'VIEWER', account: maple },
        { role: 'OWNER', account: brightlight },
        { role: 'ADMIN', account: kessler },
      ],
    };
    expect(switcherAccounts(viewer).map((e) => [e.account.legalName, e.access])).toEqual([
      ['Kessler Outdoor GmbH', { kind: 'member', role: 'ADMIN' }],
      ['Maple & Pine Home LLC', { kind: 'member', role: 'VIEWER' }],
      ['Shenzhen Brightlight Electronics Co., Ltd.', { kind: 'member', role: 'OWNER' }],
    ]);
  });

  it('lists the staff’s accounts as staff', () => {
    const entries = switcherAccounts(accountManager, [brightlight, kessler]);
    expect(entries.map((e) => e.account.id)).toEqual(['acct_k', 'acct_b']);
    expect(entries.every((e) => e.access.kind === 'staff' && e.access.staffRole === 'ACCOUNT_MANAGER')).toBe(true);
  });

  it('ignores staff accounts for a non-staff viewer', () => {
    expect(switcherAccounts(member('OWNER'), [kessler, maple]).map((e) => e.account.id)).toEqual(['acct_b']);
  });

  it('lists an account once, as a membership, when it is in both lists', () => {
    const viewer: ViewerAccess = { ...member('FINANCE'), staffRole: 'PLATFORM_ADMIN' };
    const entries = switcherAccounts(viewer, [brightlight, kessler]);
    expect(entries.map((e) => [e.account.id, e.access.kind])).toEqual([
      ['acct_k', 'staff'],
      ['acct_b', 'member'],
    ]);
  });

  it('is empty for partners and suppliers', () => {
    expect(switcherAccounts(partnerAdmin)).toEqual([]);
    expect(switcherAccounts({ ...nobody, supplierId: 'sup_1' })).toEqual([]);
  });
});

describe('switchPath keeps the page when the other account allows it', () => {
  const [kesslerAsStaff] = switcherAccounts(accountManager, [kessler]);
  const [brightlightAsViewer] = switcherAccounts(member('VIEWER'));
  it('same page for staff', () => {
    expect(switchPath(kesslerAsStaff!, 'team')).toBe('/accounts/acct_k/team');
  });
  it('overview where the page is not allowed', () => {
    expect(switchPath(brightlightAsViewer!, 'apiKeys')).toBe('/accounts/acct_b');
  });
  it('the same section from a SKU of another account (its ids differ)', () => {
    expect(switchPath(brightlightAsViewer!, 'inventory')).toBe('/accounts/acct_b/inventory');
  });
  it('overview from a page outside any account', () => {
    expect(switchPath(kesslerAsStaff!, null)).toBe('/accounts/acct_k');
  });
});

describe('parseAccountPath', () => {
  const cases: [string, ReturnType<typeof parseAccountPath>][] = [
    ['/accounts/acct_1', { accountId: 'acct_1', section: 'overview' }],
    ['/accounts/acct_1/', { accountId: 'acct_1', section: 'overview' }],
    ['/accounts/acct_1/team', { accountId: 'acct_1', section: 'team' }],
    ['/accounts/acct_1/api-keys', { accountId: 'acct_1', section: 'apiKeys' }],
    ['/accounts/acct_1/unknown', { accountId: 'acct_1', section: null }],
    ['/accounts/a%20b/team', { accountId: 'a b', section: 'team' }],
    ['/accounts/%E0%A4%A/team', null],
    ['/accounts', null],
    ['/partner', null],
    ['/accounts/acct_1/team/extra', null],
    ['/accounts/acct_1/inventory', { accountId: 'acct_1', section: 'inventory' }],
    ['/accounts/acct_1/inventory/', { accountId: 'acct_1', section: 'inventory' }],
    ['/accounts/acct_1/inventory/sku_1', { accountId: 'acct_1', section: 'inventory', nested: true }],
    ['/accounts/acct_1/inventory/sku_1/edit', { accountId: 'acct_1', section: 'inventory', nested: true }],
    ['/accounts/acct_1/receipts/new', { accountId: 'acct_1', section: 'receipts', nested: true }],
    ['/accounts/acct_1/orders/ord_1', { accountId: 'acct_1', section: 'orders', nested: true }],
    ['/accounts/acct_1/usage', { accountId: 'acct_1', section: 'usage' }],
    ['/accounts/acct_1/usage/extra', null],
    ['/accounts/acct_1/unknown/extra', null],
  ];
  for (const [path, want] of cases) {
    it(path, () => expect(parseAccountPath(path)).toEqual(want));
  }
});

describe('landingPath and the top navigation', () => {
  it('a seller lands on their first account by name', () => {
    const viewer: ViewerAccess = {
      ...nobody,
      memberships: [
        { role: 'OWNER', account: maple },
        { role: 'VIEWER', account: kessler },
      ],
    };
    expect(landingPath(viewer)).toBe('/accounts/acct_k');
  });
  it('staff land on their console, which only they see in the navigation', () => {
    expect(landingPath(accountManager, [brightlight, kessler])).toBe('/console');
    expect(landingPath(accountManager, [])).toBe('/console');
    expect(topNavItems(accountManager).map((i) => i.href)).toEqual(['/console']);
    expect(topNavItems(platformAdmin).map((i) => i.href)).toEqual(['/console']);
  });
  it('partners land on the partner workspace, which only they see in the navigation', () => {
    expect(landingPath(partnerAdmin)).toBe('/partner');
    expect(topNavItems(partnerAdmin).map((i) => i.href)).toEqual(['/partner']);
    expect(topNavItems(member('OWNER'))).toEqual([]);
  });
  it('a supplier lands on the supplier workspace, which only suppliers see in the navigation', () => {
    expect(landingPath({ ...nobody, supplierId: 'sup_1' })).toBe('/supplier');
    expect(topNavItems({ ...nobody, supplierId: 'sup_1' }).map((i) => i.href)).toEqual(['/supplier']);
  });
});

describe('safeNextPath', () => {
  const cases: [string | null, string | null][] = [
    ['/accounts/acct_1/team', '/accounts/acct_1/team'],
    ['/accounts/acct_1?x=1', '/accounts/acct_1?x=1'],
    [null, null],
    ['', null],
    ['https://evil.example/', null],
    ['//evil.example/', null],
    ['/\\evil.example/', null],
    ['javascript:alert(1)', null],
    ['/sign-in?next=/x', null],
  ];
  for (const [next, want] of cases) {
    it(String(next), () => expect(safeNextPath(next)).toBe(want));
  }
});
