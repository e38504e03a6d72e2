// The portal's language and time zone, and how each text catalog follows them.
//
// Every catalog (i18n/messages.ts, i18n/transport.ts, …) is an English object that pages read at
// render time (`t.list.title`). A catalog becomes translatable by passing it through
// `translatable(name, en, zhCN)`, where zhCN is one object of the same shape with the Chinese
// texts (i18n/zh-CN/<name>.ts). Switching language rewrites every registered catalog IN PLACE
// with the chosen language's texts (a text missing from the translation stays English), so
// that every module holding a reference to a catalog or to a part of it (`messages.sections`)
// reads the new language with no change to the pages; the app then renders again from the top.
//
// Adding a language to a new catalog at merge time is therefore: write i18n/zh-CN/<name>.ts and
// wrap the English object's export in translatable(). i18n/catalogs.test.ts fails, naming the
// keys, for every English text that has no zh-CN entry and for every catalog not wrapped.

export type Locale = 'en' | 'zh-CN';

export const locales: readonly Locale[] = ['en', 'zh-CN'];

/** Each language by its own name, as the language menu lists them. */
export const localeNames: Readonly<Record<Locale, string>> = { en: 'English', 'zh-CN': '简体中文' };

/** A translation: the catalog's shape, every text optional (missing ones stay English). */
export type Translation<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: Translation<T[K]> }
      : T;

interface Registered {
  name: string;
  target: Record<string, unknown>;
  en: Record<string, unknown>;
  translations: Partial<Record<Locale, unknown>>;
}

const registry: Registered[] = [];
let current: Locale = 'en';
let personZone: string | undefined;
let accountZone: string | undefined;
const listeners = new Set<() => void>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of the English texts, taken before any translation overwrites them. */
function snapshot(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isPlainObject(v) ? snapshot(v) : v;
  }
  return out;
}

/** A deep copy of a catalog that no language switch touches. */
export function copyCatalog<T extends object>(catalog: T): T {
  return snapshot(catalog as unknown as Record<string, unknown>) as unknown as T;
}

/** Writes the English texts, overridden by the translation's, into target (the live catalog). */
function apply(target: Record<string, unknown>, en: Record<string, unknown>, translation: unknown) {
  const tr = isPlainObject(translation) ? translation : undefined;
  for (const [k, v] of Object.entries(en)) {
    const t = tr && Object.hasOwn(tr, k) ? tr[k] : undefined;
    if (isPlainObject(v)) {
      let inner = target[k];
      if (!isPlainObject(inner)) {
        inner = {};
        target[k] = inner;
      }
      apply(inner as Record<string, unknown>, v, t);
    } else {
      target[k] = t !== undefined ? t : v;
    }
  }
}

/**
 * Registers an English catalog and its translations, and returns the catalog itself, now showing
 * the current language. Export the result in place of the English object.
 */
export function translatable<T extends object>(
  name: string,
  en: T,
  translations: { 'zh-CN': NoInfer<Translation<T>> },
): T {
  const target = en as unknown as Record<string, unknown>;
  const entry: Registered = { name, target, en: snapshot(target), translations };
  registry.push(entry);
  if (current !== 'en') {
    apply(target, entry.en, translations[current as Exclude<Locale, 'en'>]);
  }
  return en;
}

/** The catalogs registered so far (those of the modules loaded), for the completeness test. */
export function registeredCatalogs(): readonly Readonly<Registered>[] {
  return registry;
}

export function currentLocale(): Locale {
  return current;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Switches every catalog loaded so far (and every one loaded later) to the language. */
export function setLocale(locale: Locale) {
  if (locale === current) {
    return;
  }
  current = locale;
  for (const entry of registry) {
    apply(entry.target, entry.en, locale === 'en' ? undefined : entry.translations[locale]);
  }
  if (typeof document !== 'undefined') {
    document.documentElement.lang = locale;
  }
  for (const listener of listeners) {
    listener();
  }
}

/**
 * The IANA zone dates and times are shown in: the person's own if they chose one, else the
 * account's on an account's pages; undefined means the browser's.
 */
export function displayTimeZone(): string | undefined {
  return personZone ?? accountZone;
}

/**
 * The zones for what renders next: the person's (session) and the account's (account frame),
 * each set by its owner while rendering, above the pages they apply to, so that no second
 * render is needed.
 */
export function setPersonTimeZone(timeZone: string | undefined) {
  personZone = timeZone;
}

export function setAccountTimeZone(timeZone: string | undefined) {
  accountZone = timeZone;
}

/** Called after the language changed. */
export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const storageKey = 'tradehub.locale';

/** The language chosen in this browser before signing in (or by someone signed out). */
export function storedLocale(): Locale | null {
  try {
    const value = globalThis.localStorage?.getItem(storageKey);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

export function storeLocale(locale: Locale) {
  try {
    globalThis.localStorage?.setItem(storageKey, locale);
  } catch {
    // Storage refused (private mode, full): the choice lasts for this page only.
  }
}

/** The first of the browser's languages the portal has, else English. */
export function browserLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  for (const language of languages) {
    const lower = language.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-cn') || lower.startsWith('zh-hans') || lower === 'zh-sg') {
      return 'zh-CN';
    }
    if (lower.startsWith('en')) {
      return 'en';
    }
  }
  return 'en';
}
