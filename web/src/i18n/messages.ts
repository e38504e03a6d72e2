// Every text the portal shows for a code the API sends (userError codes, roles, statuses) and
// the few formats it uses. English here; Simplified Chinese in i18n/zh-CN/messages.ts, switched
// in place by i18n/locale.ts (see there).
//
// The pages of a domain that load on demand (warehousing: i18n/warehousing.ts) keep their own
// texts in a catalog of the same shape beside this one, keyed the same way and chosen by the same
// `locale`, so that their words travel in their chunks rather than in the first load. What every
// page may show (userError codes, navigation, number, money and date formats) stays here.
//
// The API's userError `message` is English written for developers. English here reuses it where
// it carries the specific detail (which password rule failed, what is wrong with a value); a
// translation gives a fixed text for the code instead, and may give one per field.

import type { AccountSection } from '../access/access';
import { copyCatalog, displayTimeZone, translatable } from './locale';
import { zhCN } from './zh-CN/messages';
import type { AccountRole, AccountStatus, InvitationStatus, PartnerRole, StaffRole } from '../gql/graphql';

/** A userError as the API sends it; `code` stays a string so that a code added later still shows. */
export interface UserErrorLike {
  code: string;
  field?: readonly string[] | null | undefined;
  message: string;
}

/** A text, or one made from the error (to reuse its detail). */
type ErrorText = string | ((error: UserErrorLike) => string);

export interface Catalog {
  locale: string;
  /** Text for a userError code, wherever it appears. */
  userErrors: Readonly<Record<string, ErrorText>>;
  /** Text for a code at one field (`"INVALID email"`), where the field changes what to say. */
  fieldUserErrors: Readonly<Record<string, ErrorText>>;
  /** Text for an error whose code this catalog does not know. */
  unknownUserError: ErrorText;
  /** Checks the portal makes before sending, by kind. */
  client: {
    required: (label: string) => string;
    passwordsDiffer: string;
    pastDate: string;
  };
  accountRoles: Readonly<Record<AccountRole, string>>;
  accountRoleDescriptions: Readonly<Record<AccountRole, string>>;
  staffRoles: Readonly<Record<StaffRole, string>>;
  partnerRoles: Readonly<Record<PartnerRole, string>>;
  accountStatuses: Readonly<Record<AccountStatus, string>>;
  invitationStatuses: Readonly<Record<InvitationStatus, string>>;
  /** The pages of an account, as the navigation names them. */
  sections: Readonly<Record<AccountSection, string>>;
}

/**
 * The server's own English message as a sentence ("use at least 12 characters" → "Use at least
 * 12 characters."), or the fallback when it sent none.
 */
const detailOr = (fallback: string) => (e: UserErrorLike) => sentence(e.message) || fallback;

function sentence(text: string): string {
  const t = text.trim();
  if (t === '') {
    return '';
  }
  const capitalized = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

const english: Catalog = {
  locale: 'en',
  userErrors: {
    INVALID: detailOr('Check this value.'),
    NOT_FOUND: 'This no longer exists, or you cannot see it. Reload the page and try again.',
    CONFLICT: 'Someone changed this at the same time. Reload the page and try again.',
    FAILED_PRECONDITION: detailOr('This cannot be done in the current state. Reload the page and try again.'),
    FORBIDDEN: 'You may not do this. Ask an owner or admin of the account.',
    ACCOUNT_SUSPENDED: 'This account is suspended or closed, so it cannot be changed.',
    LAST_OWNER: 'An account must keep at least one owner. Make someone else an owner first.',
    INVITATION_EXPIRED: 'This invitation has expired. Ask the person who invited you to send a new one.',
    INVITATION_USED:
      'This invitation was already accepted or withdrawn. If you accepted it, sign in; otherwise ask for a new one.',
    WEAK_PASSWORD: detailOr('Choose a stronger password.'),
    INVALID_CREDENTIALS: 'The email or password is wrong. Check both and try again.',
    THROTTLED: 'Too many attempts. Wait a few minutes, then try again.',
    ALREADY_EXISTS: detailOr('This person is already a member or already invited.'),
    INSUFFICIENT_STOCK: detailOr('Not enough stock is available. Lower the quantity or wait for stock to arrive.'),
    IDEMPOTENCY_KEY_REUSED:
      'This order was already submitted with other details. Reload the page to see the order that was created.',
    INVALID_TRANSITION: detailOr('Its status no longer allows this. Reload the page to see where it stands.'),
    LOT_REQUIRED: 'This SKU tracks lots: enter the lot number.',
    TOO_MANY_LINES: detailOr('There are more lines than the receipt expects.'),
    COUNT_BELOW_COMMITTED: detailOr('The count is below the units reserved or pledged.'),
    WAREHOUSE_INACTIVE: 'This warehouse no longer takes stock. Choose another one.',
    INVALID_URL: detailOr('Enter a full https URL, such as https://example.com/webhooks, without a user name or #fragment.'),
    URL_NOT_ALLOWED:
      'This address is internal (loopback, private or link-local), so Tradehub may not call it. Use a public https address.',
    UNKNOWN_EVENT_TYPE: 'One of these event types does not exist. Choose event types from the list.',
    TOO_MANY_SUBSCRIPTIONS: 'This account already has 20 webhooks, the most allowed. Delete one first.',
    SUBSCRIPTION_INACTIVE: 'This webhook is paused or disabled. Resume it first, then redeliver.',
    ATTEMPT_IN_PROGRESS: 'This delivery is being sent right now. Wait a moment, then try again.',
    CONCURRENT_CHANGE: 'This was changed at the same time. Reload the page and try again.',
    QUOTE_EXPIRED: 'This quote has expired. Get new quotes and book again.',
    QUOTE_ALREADY_BOOKED: 'This quote was already booked. Open the shipments list to find it.',
    NO_SERVICE_FITS: detailOr('No carrier service takes these parcels. Check the weights and dimensions.'),
    NO_ROUTE: detailOr('No carrier serves this route. Check the origin and the destination country.'),
    EXCEEDS_CARRIER_LIMITS: detailOr('This parcel is heavier or bigger than the carriers accept.'),
    DDP_UNAVAILABLE: detailOr('Duties cannot be prepaid to this destination. Choose DAP.'),
    INVALID_HS_CODE: detailOr('Enter an HS code of 6 to 10 digits (dots allowed), such as 9405.21.'),
    TIMELINE_FULL: 'This shipment has too many tracking events to take more.',
  },
  fieldUserErrors: {
    'NOT_FOUND token': 'This invitation link is not valid. Open the link from the email again, or ask for a new one.',
    'ALREADY_EXISTS code': 'This account already has a SKU with this code. Choose another code.',
    'NOT_FOUND skuId': 'This SKU does not exist in this account. Choose one from the list.',
    'NOT_FOUND warehouseId': 'This warehouse does not exist. Choose one from the list.',
  },
  unknownUserError: detailOr('This could not be done. Reload the page and try again.'),
  client: {
    required: (label) => `Enter ${label.toLowerCase()}.`,
    passwordsDiffer: 'The two passwords differ.',
    pastDate: 'Choose a date in the future.',
  },
  accountRoles: {
    OWNER: 'Owner',
    ADMIN: 'Admin',
    OPERATOR: 'Operator',
    FINANCE: 'Finance',
    VIEWER: 'Viewer',
  },
  accountRoleDescriptions: {
    OWNER: 'Everything, including the team, API keys and partner consents.',
    ADMIN: 'Everything but ownership: the team, API keys and all operations.',
    OPERATOR: 'Warehouse, transport and procurement work.',
    FINANCE: 'Financing and invoices.',
    VIEWER: 'Read only.',
  },
  staffRoles: {
    PLATFORM_ADMIN: 'platform admin',
    ACCOUNT_MANAGER: 'account manager',
  },
  partnerRoles: {
    PARTNER_ADMIN: 'Partner admin',
    PARTNER_ANALYST: 'Partner analyst',
  },
  accountStatuses: {
    ACTIVE: 'Active',
    SUSPENDED: 'Suspended',
    CLOSED: 'Closed',
  },
  invitationStatuses: {
    PENDING: 'Pending',
    ACCEPTED: 'Accepted',
    REVOKED: 'Revoked',
    EXPIRED: 'Expired',
  },
  sections: {
    overview: 'Dashboard',
    inventory: 'Inventory',
    receipts: 'Inbound',
    orders: 'Orders',
    usage: 'Usage',
    shipments: 'Shipments',
    procurement: 'Sourcing',
    financing: 'Financing',
    billing: 'Billing',
    team: 'Team',
    apiKeys: 'API keys',
    webhooks: 'Webhooks',
  },
};

/** The English texts as they are, whatever the language (for tests). */
export const en: Catalog = copyCatalog(english);

/** The catalog in use: English, or the chosen language (i18n/locale.ts). */
export const messages: Catalog = translatable('messages', english, { 'zh-CN': zhCN });

function render(text: ErrorText, error: UserErrorLike): string {
  return typeof text === 'function' ? text(error) : text;
}

/**
 * The text to show for a userError: the catalog's text for its code at its field, else for its
 * code, else the catalog's text for unknown codes.
 */
export function userErrorText(error: UserErrorLike, catalog: Catalog = messages): string {
  const field = error.field?.at(-1);
  const byField = field === undefined ? undefined : catalog.fieldUserErrors[`${error.code} ${field}`];
  if (byField !== undefined) {
    return render(byField, error);
  }
  const byCode = Object.hasOwn(catalog.userErrors, error.code) ? catalog.userErrors[error.code] : undefined;
  return render(byCode ?? catalog.unknownUserError, error);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A DateTime from the API in the display zone (the person's, else the account's, else the
 * browser's: i18n/locale.ts), e.g. "21 Nov 2026, 08:30".
 */
export function formatDateTime(iso: string, catalog: Catalog = messages): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const timeZone = displayTimeZone();
  const key = `${catalog.locale}|${timeZone ?? ''}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(catalog.locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) });
    dateTimeFormats.set(key, format);
  }
  return format.format(date);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day of a DateTime from the API, e.g. "21 Nov 2026". `utc` shows the day in UTC:
 * for dates that stand for a whole day (a lot's expiry, a usage day), which the portal sends as
 * midnight UTC and which must not move a day for a reader west of Greenwich.
 */
export function formatDate(iso: string, { utc = false }: { utc?: boolean } = {}, catalog: Catalog = messages): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const timeZone = utc ? 'UTC' : displayTimeZone();
  const key = `${catalog.locale}|${timeZone ?? ''}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(catalog.locale, { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) });
    dateFormats.set(key, format);
  }
  return format.format(date);
}

/** A UTC day as a short label for a chart's axis, e.g. "Nov 9" or "11月9日". */
export function formatDayShort(iso: string, catalog: Catalog = messages): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const key = `${catalog.locale}|short`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(catalog.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    dateFormats.set(key, format);
  }
  return format.format(date);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(catalog: Catalog, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = `${catalog.locale}|${key}`;
  let format = numberFormats.get(id);
  if (!format) {
    format = new Intl.NumberFormat(catalog.locale, options);
    numberFormats.set(id, format);
  }
  return format;
}

/** A decimal string as the API sends it ("1250.50"): a valid one, or null. */
function decimal(value: string): `${number}` | null {
  return /^-?\d+(\.\d+)?$/.test(value) ? (value as `${number}`) : null;
}

/**
 * Money from the API, e.g. {amount: "1250.50", currencyCode: "CNY"} → "CN¥1,250.50". The amount
 * goes to Intl.NumberFormat as its decimal string, which formats it exactly (no float on the
 * way, so 17 digits stay 17 digits); the currency's own number of decimals applies.
 */
export function formatMoney(money: { amount: string; currencyCode: string }, catalog: Catalog = messages): string {
  const amount = decimal(money.amount);
  if (amount === null) {
    return `${money.amount} ${money.currencyCode}`;
  }
  try {
    return numberFormat(catalog, `money:${money.currencyCode}`, { style: 'currency', currency: money.currencyCode }).format(
      amount,
    );
  } catch {
    // A code Intl does not accept (RangeError): the amount as it came, with its code.
    return `${money.amount} ${money.currencyCode}`;
  }
}

/** A whole number of units, e.g. 12500 → "12,500". */
export function formatCount(value: number, catalog: Catalog = messages): string {
  return numberFormat(catalog, 'count', { maximumFractionDigits: 0 }).format(value);
}

/** A ratio as a percentage, e.g. 0.925 → "92.5%". */
export function formatPercent(ratio: number, catalog: Catalog = messages): string {
  return numberFormat(catalog, 'percent', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** A change of a number of units, signed: +40, −2; 0 stays 0. */
export function formatChange(value: number, catalog: Catalog = messages): string {
  return numberFormat(catalog, 'change', { maximumFractionDigits: 0, signDisplay: 'exceptZero' }).format(value);
}

/** A decimal quantity from the API ("1.598732"), exactly, with up to 6 decimals. */
export function formatDecimal(value: string, catalog: Catalog = messages): string {
  const amount = decimal(value);
  return amount === null ? value : numberFormat(catalog, 'decimal', { maximumFractionDigits: 6 }).format(amount);
}

/** A country's name from its ISO 3166 code, e.g. "China (CN)". */
export function formatCountry(code: string, catalog: Catalog = messages): string {
  return displayName(code, 'region', catalog);
}

/** A currency's name from its ISO 4217 code, e.g. "Chinese Yuan (CNY)". */
export function formatCurrency(code: string, catalog: Catalog = messages): string {
  return displayName(code, 'currency', catalog);
}

function displayName(code: string, type: 'region' | 'currency', catalog: Catalog): string {
  try {
    const name = new Intl.DisplayNames([catalog.locale], { type, fallback: 'none' }).of(code);
    return name ? `${name} (${code})` : code;
  } catch {
    // A code Intl does not accept (RangeError): show it as it came.
    return code;
  }
}
