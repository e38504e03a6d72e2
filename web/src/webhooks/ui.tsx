import { useId, useRef, useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { Field, FormAlert, useErrorFocus } from '../components/Form';
import { mapUserErrors, missingFields, noErrors, type MappedErrors } from '../forms/userErrors';
import type { WebhookHealth } from '../gql/graphql';
import type { Problem } from '../graphql/errors';
import type { MutationOutcome } from '../graphql/mutations';
import { userErrorText, type UserErrorLike } from '../i18n/messages';
import { webhookTexts } from '../i18n/webhooks';
import { allEventTypes, badgeClass, chosenEventTypes, healthTexts } from './webhooks';

export function HealthBadge({ health }: { health: WebhookHealth }) {
  const text = healthTexts[health];
  return <span className={badgeClass(text.tone)}>{text.label}</span>;
}

export type WebhookField = 'url' | 'eventTypes' | 'description';
const webhookFields: readonly WebhookField[] = ['url', 'eventTypes', 'description'];

export interface WebhookValues {
  url: string;
  eventTypes: string[];
  description: string;
}

/**
 * The URL, event types and description of a subscription, for creating one or changing it. The
 * server's userErrors (INVALID_URL, URL_NOT_ALLOWED, UNKNOWN_EVENT_TYPE…) show at their fields.
 */
export function WebhookForm({
  label,
  submitLabel,
  busyLabel,
  failedTitle,
  known,
  initial,
  onSubmit,
  onCancel,
}: {
  label: string;
  submitLabel: string;
  busyLabel: string;
  failedTitle: string;
  known: readonly string[];
  initial?: WebhookValues;
  onSubmit: (values: WebhookValues) => Promise<MutationOutcome<unknown>>;
  onCancel?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<MappedErrors<WebhookField>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [all, setAll] = useState(initial ? initial.eventTypes.includes(allEventTypes) : false);
  const [chosen, setChosen] = useState<Set<string>>(
    () => new Set(initial?.eventTypes.filter((t) => t !== allEventTypes) ?? []),
  );
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const legendId = useId();
  const errorId = useId();
  useErrorFocus(form, alert, attempt);

  function refuse(mapped: MappedErrors<WebhookField>, failed: Problem | null = null) {
    setErrors(mapped);
    setProblem(failed);
    setAttempt((n) => n + 1);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const data = new FormData(formElement);
    const url = String(data.get('url') ?? '').trim();
    const description = String(data.get('description') ?? '').trim();
    const eventTypes = chosenEventTypes(all, chosen, known);
    const local: UserErrorLike[] = missingFields({ url }, { url: webhookTexts.form.theUrl });
    if (eventTypes.length === 0) {
      local.push({ code: 'REQUIRED', field: ['input', 'eventTypes'], message: webhookTexts.form.chooseType });
    }
    if (local.length > 0) {
      refuse(mapUserErrors(local, webhookFields));
      return;
    }
    setBusy(true);
    const outcome = await onSubmit({ url, eventTypes, description });
    setBusy(false);
    if (outcome.kind === 'failed') {
      refuse(noErrors(), outcome.problem);
    } else if (outcome.kind === 'refused') {
      refuse(mapUserErrors(outcome.errors, webhookFields));
    } else {
      setErrors(noErrors());
      setProblem(null);
      if (!initial) {
        formElement.reset();
        setAll(false);
        setChosen(new Set());
      }
    }
  }

  const typeErrors = errors.fields.eventTypes ?? [];
  return (
    <>
      <FormAlert errors={errors.form} problem={problem} alertRef={alert} title={failedTitle} />
      <form ref={form} className="form" onSubmit={submit} noValidate aria-label={label}>
        <Field
          label={webhookTexts.form.url}
          hint={webhookTexts.form.urlHint}
          errors={errors.fields.url}
        >
          {(props) => (
            <input
              {...props}
              name="url"
              type="url"
              inputMode="url"
              maxLength={2048}
              autoComplete="off"
              spellCheck={false}
              defaultValue={initial?.url ?? ''}
              required
            />
          )}
        </Field>
        <fieldset
          className={`field fieldset${typeErrors.length > 0 ? ' field-invalid' : ''}`}
          aria-describedby={typeErrors.length > 0 ? errorId : undefined}
          aria-invalid={typeErrors.length > 0 || undefined}
        >
          <legend id={legendId}>{webhookTexts.form.eventTypes}</legend>
          <label className="checkbox">
            <input
              type="checkbox"
              name="allEventTypes"
              checked={all}
              onChange={(e) => setAll(e.currentTarget.checked)}
              aria-invalid={typeErrors.length > 0}
            />{' '}
            {webhookTexts.form.allTypes}
          </label>
          {!all && (
            <div className="checkbox-list" role="group" aria-labelledby={legendId}>
              {known.map((type) => (
                <label key={type} className="checkbox">
                  <input
                    type="checkbox"
                    name="eventTypes"
                    value={type}
                    checked={chosen.has(type)}
                    aria-invalid={typeErrors.length > 0}
                    onChange={(e) => {
                      const checked = e.currentTarget.checked;
                      setChosen((prev) => {
                        const next = new Set(prev);
                        if (checked) {
                          next.add(type);
                        } else {
                          next.delete(type);
                        }
                        return next;
                      });
                    }}
                  />{' '}
                  <code>{type}</code>
                </label>
              ))}
            </div>
          )}
          {typeErrors.length > 0 && (
            <ul id={errorId} className="field-errors">
              {typeErrors.map((e, i) => (
                <li key={`${e.code}-${i}`}>{userErrorText(e)}</li>
              ))}
            </ul>
          )}
        </fieldset>
        <Field label={webhookTexts.form.description} hint={webhookTexts.form.descriptionHint} errors={errors.fields.description}>
          {(props) => (
            <input
              {...props}
              name="description"
              type="text"
              maxLength={200}
              autoComplete="off"
              defaultValue={initial?.description ?? ''}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? busyLabel : submitLabel}
          </button>
          {onCancel && (
            <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
              {webhookTexts.form.cancel}
            </button>
          )}
        </div>
      </form>
    </>
  );
}

/** A signing secret, shown this once, with a way to copy it. */
export function SecretDialog({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const warningId = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopyState('copied');
    } catch {
      input.current?.focus();
      input.current?.select();
      setCopyState('manual');
    }
  }

  return (
    <Dialog open onClose={onClose} title={title} className="dialog-secret">
      <div className="callout callout-warning" id={warningId}>
        <p className="callout-title">{webhookTexts.secret.warning}</p>
        <p>
          {webhookTexts.secret.verifiesBefore} <code>Tradehub-Signature</code> {webhookTexts.secret.verifiesAfter}
        </p>
      </div>
      <div className="field">
        <label htmlFor={inputId}>{webhookTexts.secret.label}</label>
        <div className="secret-row">
          <input
            ref={input}
            id={inputId}
            className="secret"
            type="text"
            readOnly
            value={secret}
            aria-describedby={warningId}
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="button button-secondary" onClick={copy} data-autofocus>
            {webhookTexts.secret.copy}
          </button>
        </div>
        <p className="field-hint" role="status">
          {copyState === 'copied' && webhookTexts.secret.copied}
          {copyState === 'manual' && webhookTexts.secret.manual}
        </p>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          {webhookTexts.secret.stored}
        </button>
      </div>
    </Dialog>
  );
}
