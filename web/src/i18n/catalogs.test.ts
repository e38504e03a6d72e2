// Every catalog in src/i18n is translated into every language, key by key. New catalogs (a new
// domain's i18n/<domain>.ts) are picked up by the glob: one that is not wrapped in translatable()
// fails here, and so does every English text without a zh-CN entry, by its key path, so that a
// missing translation is found at merge time rather than by a Chinese-speaking seller.
import { describe, expect, it } from 'vitest';
import { locales, registeredCatalogs, setLocale } from './locale';

const modules = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./*.test.ts', '!./locale.ts'], { eager: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The key paths of a catalog's texts (strings and functions; arrays count as one text). */
function textPaths(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) {
    return value === undefined ? [] : [prefix];
  }
  return Object.entries(value).flatMap(([k, v]) => textPaths(v, prefix ? `${prefix}.${k}` : k));
}

function hasTexts(value: unknown): boolean {
  return isPlainObject(value) && textPaths(value).some((p) => p !== '');
}

describe('i18n catalogs', () => {
  const registered = new Set(registeredCatalogs().map((c) => c.target as object));

  it('finds the catalog files', () => {
    expect(Object.keys(modules)).toEqual(expect.arrayContaining(['./messages.ts', './transport.ts', './warehousing.ts']));
  });

  for (const [file, exports] of Object.entries(modules)) {
    // Exported objects of texts: each must be a registered catalog (or a part of one).
    it(`${file}: every exported catalog is translatable()`, () => {
      const parts = new Set<object>();
      const collect = (v: unknown) => {
        if (isPlainObject(v)) {
          parts.add(v);
          Object.values(v).forEach(collect);
        }
      };
      registeredCatalogs().forEach((c) => collect(c.target));
      const loose = Object.entries(exports)
        .filter(([, v]) => hasTexts(v) && !registered.has(v as object) && !parts.has(v as object))
        // `en` copies are the English reference, exported on purpose.
        .filter(([name]) => name !== 'en')
        .map(([name]) => name);
      expect(loose, `wrap these exports of ${file} in translatable(name, en, { 'zh-CN': … }) (see i18n/locale.ts)`).toEqual([]);
    });
  }

  for (const catalog of registeredCatalogs()) {
    for (const locale of locales.filter((l) => l !== 'en')) {
      it(`${catalog.name}: every English text has a ${locale} entry`, () => {
        const have = new Set(textPaths(catalog.translations[locale as 'zh-CN']));
        const missing = textPaths(catalog.en).filter((p) => !have.has(p));
        expect(missing, `add these keys to i18n/${locale}/${catalog.name}.ts`).toEqual([]);
      });
      it(`${catalog.name}: ${locale} has no keys English does not`, () => {
        const english = new Set(textPaths(catalog.en));
        // Open records (codes of the API) may be translated ahead of English.
        const extra = textPaths(catalog.translations[locale as 'zh-CN']).filter((p) => !english.has(p));
        expect(extra, `remove or rename in i18n/${locale}/${catalog.name}.ts`).toEqual([]);
      });
    }
  }

  it('switching language rewrites the catalogs in place, and back', async () => {
    const { messages } = await import('./messages');
    const sections = messages.sections;
    setLocale('zh-CN');
    expect(sections.inventory).toBe('库存');
    expect(messages.accountRoles.OWNER).toBe('所有者');
    setLocale('en');
    expect(sections.inventory).toBe('Inventory');
  });
});
