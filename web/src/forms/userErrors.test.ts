import { describe, expect, it } from 'vitest';
import { en, userErrorText, type UserErrorLike } from '../i18n/messages';
import { fieldKey, hasErrors, mapUserErrors, missingFields } from './userErrors';

describe('fieldKey', () => {
  const cases: [readonly string[] | null | undefined, string | null][] = [
    [['input', 'email'], 'email'],
    [['input', 'lines', '0', 'quantity'], 'lines.0.quantity'],
    [['email'], 'email'],
    [['input'], null],
    [[], null],
    [null, null],
    [undefined, null],
  ];
  for (const [path, want] of cases) {
    it(JSON.stringify(path), () => expect(fieldKey(path)).toBe(want));
  }
});

describe('mapUserErrors', () => {
  const err = (code: string, field: readonly string[] | null, message = code): UserErrorLike => ({ code, field, message });

  it('puts each error at its field', () => {
    const mapped = mapUserErrors(
      [err('INVALID', ['input', 'email']), err('WEAK_PASSWORD', ['input', 'password'], 'use at least 12 characters')],
      ['email', 'password'],
    );
    expect(mapped.fields.email?.map((e) => e.code)).toEqual(['INVALID']);
    expect(mapped.fields.password?.map((e) => e.message)).toEqual(['use at least 12 characters']);
    expect(mapped.form).toEqual([]);
  });

  it('keeps several errors of one field, in order', () => {
    const mapped = mapUserErrors(
      [err('WEAK_PASSWORD', ['input', 'password'], 'a'), err('WEAK_PASSWORD', ['input', 'password'], 'b')],
      ['password'],
    );
    expect(mapped.fields.password?.map((e) => e.message)).toEqual(['a', 'b']);
  });

  it('sends errors without a field, or for an input the form has no field for, to the form', () => {
    const mapped = mapUserErrors(
      [err('INVALID_CREDENTIALS', null), err('NOT_FOUND', ['input', 'accountId']), err('THROTTLED', [])],
      ['email', 'password'],
    );
    expect(mapped.form.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS', 'NOT_FOUND', 'THROTTLED']);
    expect(mapped.fields).toEqual({});
  });

  it('matches the longest field a nested path falls under', () => {
    const mapped = mapUserErrors(
      [err('INVALID', ['input', 'lines', '0', 'quantity']), err('INVALID', ['input', 'lines', '1', 'sku'])],
      ['lines', 'lines.0.quantity'],
    );
    expect(Object.keys(mapped.fields).sort()).toEqual(['lines', 'lines.0.quantity']);
    expect(mapped.fields.lines?.[0]?.field).toEqual(['input', 'lines', '1', 'sku']);
  });

  it('does not take a field for a prefix of its name', () => {
    const mapped = mapUserErrors([err('INVALID', ['input', 'emailAddress'])], ['email']);
    expect(mapped.form).toHaveLength(1);
  });

  it('hasErrors', () => {
    expect(hasErrors(mapUserErrors([], ['email']))).toBe(false);
    expect(hasErrors(mapUserErrors([err('INVALID', ['input', 'email'])], ['email']))).toBe(true);
    expect(hasErrors(mapUserErrors([err('INVALID', null)], ['email']))).toBe(true);
  });
});

describe('missingFields', () => {
  it('asks for each empty field, at that field', () => {
    const missing = missingFields({ email: ' ', password: 'x' }, { email: 'your email', password: 'your password' });
    expect(missing).toEqual([{ code: 'REQUIRED', field: ['input', 'email'], message: 'Enter your email.' }]);
    expect(mapUserErrors(missing, ['email', 'password']).fields.email).toHaveLength(1);
  });
});

describe('userErrorText (English)', () => {
  it('translates by code, whatever the server wrote', () => {
    expect(userErrorText({ code: 'INVALID_CREDENTIALS', field: null, message: 'invalid credentials' }, en)).toBe(
      'The email or password is wrong. Check both and try again.',
    );
    expect(userErrorText({ code: 'THROTTLED', field: ['input', 'email'], message: 'x' }, en)).toMatch(/^Too many attempts/);
  });

  it('keeps the detail of a password rule, as a sentence', () => {
    expect(userErrorText({ code: 'WEAK_PASSWORD', field: ['input', 'password'], message: 'use at least 12 characters' }, en)).toBe(
      'Use at least 12 characters.',
    );
  });

  it('has a text per field where the field changes the meaning', () => {
    expect(userErrorText({ code: 'NOT_FOUND', field: ['input', 'token'], message: 'not found' }, en)).toMatch(
      /invitation link is not valid/,
    );
  });

  it('shows the server’s message for a code it does not know, and never an empty text', () => {
    expect(userErrorText({ code: 'SOMETHING_NEW', field: null, message: 'credit limit exceeded' }, en)).toBe(
      'Credit limit exceeded.',
    );
    expect(userErrorText({ code: 'SOMETHING_NEW', field: null, message: '' }, en)).not.toBe('');
    // Codes are looked up as own keys only.
    expect(userErrorText({ code: 'toString', field: null, message: '' }, en)).not.toBe('');
  });
});
