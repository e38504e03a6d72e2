import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';
import type { Problem } from '../graphql/errors';
import { userErrorText, type UserErrorLike } from '../i18n/messages';
import { portalMessages } from '../i18n/portal';

/** The props a Field gives its control, to tie it to its label, hint and errors. */
export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/**
 * A labelled form control with its hint and its errors. The errors are userErrors placed at this
 * field (or the portal's own checks, in the same shape), shown in the catalog's words.
 */
export function Field({
  label,
  hint,
  errors,
  children,
}: {
  label: string;
  hint?: ReactNode;
  errors?: readonly UserErrorLike[] | undefined;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = (errors?.length ?? 0) > 0;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': invalid, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {invalid && (
        <ul id={errorId} className="field-errors">
          {errors?.map((e, i) => (
            <li key={`${e.code}-${i}`}>{userErrorText(e)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Errors that belong to no field, or a failed request, above a form. It takes focus when it
 * appears with nothing else to focus (see useErrorFocus).
 */
export function FormAlert({
  errors,
  problem,
  alertRef,
  title,
}: {
  errors: readonly UserErrorLike[];
  problem?: Problem | null | undefined;
  alertRef?: RefObject<HTMLDivElement | null>;
  title?: string;
}) {
  if (errors.length === 0 && !problem) {
    return null;
  }
  return (
    <div ref={alertRef} className="callout callout-danger form-alert" role="alert" tabIndex={-1}>
      {problem ? (
        <>
          <p className="callout-title">{problem.title}</p>
          <p>{problem.detail}</p>
          <p>
            <strong>{portalMessages.states.whatToDo}</strong> {problem.action}
          </p>
        </>
      ) : (
        <>
          <p className="callout-title">{title ?? portalMessages.states.notDone}</p>
          {errors.length === 1 ? (
            <p>{userErrorText(errors[0] as UserErrorLike)}</p>
          ) : (
            <ul>
              {errors.map((e, i) => (
                <li key={`${e.code}-${i}`}>{userErrorText(e)}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

/**
 * After a refused submit, moves focus to the first invalid field of the form, or else to the
 * form's alert, so that a keyboard or screen-reader user lands on what to fix. `attempt` counts
 * refused submits: each one moves focus once, after the errors are on screen.
 */
export function useErrorFocus(
  formRef: RefObject<HTMLElement | null>,
  alertRef: RefObject<HTMLElement | null>,
  attempt: number,
) {
  const seen = useRef(attempt);
  useEffect(() => {
    if (attempt === seen.current) {
      return;
    }
    seen.current = attempt;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? alertRef.current)?.focus();
  }, [attempt, formRef, alertRef]);
}
