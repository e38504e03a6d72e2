// Texts of the API keys page. Chinese in i18n/zh-CN/apiKeys.ts.
import { translatable } from './locale';
import { apiKeysZhCN } from './zh-CN/apiKeys';

const en = {
  title: 'API keys',
  lead: 'Keys let your own shop, ERP or dashboard call the Tradehub API for this account, with the role you give them. Send one as',
  what: 'The API keys of this account',
  loading: 'Loading the API keys…',
  created: (name: string) => `The key “${name}” was created.`,
  keys: 'Keys',
  none: 'This account has no API keys.',
  noneOnPage: 'This account has no API keys on this page.',
  name: 'Name',
  role: 'Role',
  key: 'Key',
  createdAt: 'Created',
  lastUsed: 'Last used',
  expires: 'Expires',
  status: 'Status',
  actions: 'Actions',
  by: (name: string) => `by ${name}`,
  never: 'Never',
  revoke: 'Revoke',
  revokeLabel: (name: string) => `Revoke ${name}`,
  revokeTitle: (name: string) => `Revoke “${name}”?`,
  revokeConfirm: 'Revoke key',
  revoking: 'Revoking…',
  revoked: (name: string) => `The key “${name}” was revoked; calls with it are refused from now on.`,
  revokeBody: (prefix: string) =>
    `Every call made with ${prefix}… is refused from the next request on. This cannot be undone: to call the API again, create a new key and put it where this one was used.`,
  statusRevoked: 'Revoked',
  statusExpired: 'Expired',
  statusActive: 'Active',
  aName: 'a name',
  noSecret: 'The key was created without a secret',
  noSecretDetail: 'The server answered without the secret, which is shown only once.',
  noSecretAction: 'Revoke this key and create another one.',
  create: 'Create a key',
  notCreated: 'The key was not created',
  nameHint: 'Where it is used, e.g. “Shopify store”.',
  expiresOn: 'Expires on (optional)',
  expiresHint: 'The key stops working at the end of this day. Leave empty for a key that does not expire.',
  submit: 'Create key',
  submitting: 'Creating…',
  secretTitle: (name: string) => `Your new key “${name}”`,
  copyNow: 'Copy the secret now: it will not be shown again.',
  fingerprint: 'Tradehub keeps only a fingerprint of it. If you lose it, revoke this key and create another.',
  secret: 'Secret',
  copy: 'Copy',
  copied: 'Copied to the clipboard.',
  copyManual: 'The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C).',
  stored: 'I have stored it',
};

export type ApiKeysCatalog = typeof en;

export const apiKeysMessages = translatable('apiKeys', en, { 'zh-CN': apiKeysZhCN });
