import { messages, type UserErrorLike } from '../i18n/messages';

/**
 * The userErrors of a mutation, sorted to where a form shows them: at one of its fields, or
 * above the form when the error concerns the request as a whole or an input the form has no
 * field for (an id in the URL, for example).
 */
export interface MappedErrors<F extends string> {
  fields: Partial<Record<F, UserErrorLike[]>>;
  form: UserErrorLike[];
}

/**
 * The form field a userError path names, as a dotted key without the leading `input`:
 * `["input", "email"]` → `email`, `["input", "lines", "0", "quantity"]` → `lines.0.quantity`.
 * Null for a null or empty path.
 */
export function fieldKey(path: readonly string[] | null | undefined): string | null {
  if (!path || path.length === 0) {
    return null;
  }
  const rest = path[0] === 'input' ? path.slice(1) : path;
  return rest.length === 0 ? null : rest.join('.');
}

/**
 * Sorts userErrors to the form's fields. A path goes to the longest of its prefixes that is a
 * field (`lines.0.quantity`, else `lines.0`, else `lines`); an error matching no field goes to
 * the form, so that no error is ever dropped.
 */
export function mapUserErrors<F extends string>(
  errors: readonly UserErrorLike[],
  fields: readonly F[],
): MappedErrors<F> {
  const known = new Set<string>(fields);
  const mapped: MappedErrors<F> = { fields: {}, form: [] };
  for (const error of errors) {
    const field = matchField(fieldKey(error.field), known) as F | null;
    if (field === null) {
      mapped.form.push(error);
    } else {
      (mapped.fields[field] ??= []).push(error);
    }
  }
  return mapped;
}

function matchField(key: string | null, known: ReadonlySet<string>): string | null {
  if (key === null) {
    return null;
  }
  const parts = key.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (known.has(candidate)) {
      return candidate;
    }
  }
  return null;
}

/** Whether a mapping holds any error at all. */
export function hasErrors<F extends string>(mapped: MappedErrors<F>): boolean {
  return mapped.form.length > 0 || Object.values(mapped.fields).some((list) => (list as unknown[]).length > 0);
}

/** No errors: the state of a form before it is sent. */
export function noErrors<F extends string>(): MappedErrors<F> {
  return { fields: {}, form: [] };
}

/**
 * The portal's own check before sending: a REQUIRED error at each field left empty, in the same
 * shape as the server's userErrors so that both show the same way. `labels` name the fields as
 * the sentence "Enter …" needs them ("your email").
 */
export function missingFields<F extends string>(
  values: Readonly<Record<F, string>>,
  labels: Readonly<Record<F, string>>,
): UserErrorLike[] {
  return (Object.keys(values) as F[])
    .filter((f) => values[f].trim() === '')
    .map((f) => ({ code: 'REQUIRED', field: ['input', f], message: messages.client.required(labels[f]) }));
}
