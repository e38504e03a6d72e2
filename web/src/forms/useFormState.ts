import { useRef, useState } from 'react';
import { useErrorFocus } from '../components/Form';
import type { Problem } from '../graphql/errors';
import type { UserErrorLike } from '../i18n/messages';
import { mapUserErrors, noErrors, type MappedErrors } from './userErrors';

/**
 * The state every form of the portal keeps: its errors sorted to fields, a failed request, and
 * focus on the first thing to fix after each refused submit (see useErrorFocus). `fields` are
 * the form's field keys as of this render (`lines.2.quantity` for a row that is on screen now).
 */
export function useFormState<F extends string>(fields: readonly F[]) {
  const [errors, setErrors] = useState<MappedErrors<F>>(noErrors);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  useErrorFocus(formRef, alertRef, attempt);

  return {
    errors,
    problem,
    formRef,
    alertRef,
    /** Shows userErrors (the server's or the form's own checks) and moves focus to the first. */
    refuse(list: readonly UserErrorLike[]) {
      setErrors(mapUserErrors(list, fields));
      setProblem(null);
      setAttempt((n) => n + 1);
    },
    /** Shows a failed request above the form and moves focus to it. */
    fail(failed: Problem) {
      setErrors(noErrors());
      setProblem(failed);
      setAttempt((n) => n + 1);
    },
    clear() {
      setErrors(noErrors());
      setProblem(null);
    },
  };
}
