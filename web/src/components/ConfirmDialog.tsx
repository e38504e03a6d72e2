import { useRef, useState, type ReactNode } from 'react';
import type { Problem } from '../graphql/errors';
import type { MutationOutcome } from '../graphql/mutations';
import type { UserErrorLike } from '../i18n/messages';
import { Dialog } from './Dialog';
import { FormAlert } from './Form';

/**
 * Asks before a change that cannot be undone (removing a member, revoking a key). Focus starts on
 * Cancel, so that Enter alone does nothing harmful. A refusal or failure is shown in the dialog,
 * which stays open; on success the caller closes it.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busyLabel,
  cancelLabel = 'Cancel',
  failedTitle,
  onCancel,
  onConfirm,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  /** The button that closes without doing it ("Keep the order" where "Cancel" would confuse). */
  cancelLabel?: string;
  /** The title of a refusal shown in the dialog (FormAlert's own by default). */
  failedTitle?: string;
  onCancel: () => void;
  onConfirm: () => Promise<MutationOutcome<unknown>>;
}) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const alert = useRef<HTMLDivElement>(null);

  function close() {
    setErrors([]);
    setProblem(null);
    onCancel();
  }

  async function confirm() {
    setBusy(true);
    setErrors([]);
    setProblem(null);
    const outcome = await onConfirm();
    setBusy(false);
    if (outcome.kind === 'refused') {
      setErrors(outcome.errors);
    } else if (outcome.kind === 'failed') {
      setProblem(outcome.problem);
    } else {
      return;
    }
    // After the alert renders.
    requestAnimationFrame(() => alert.current?.focus());
  }

  return (
    <Dialog open={open} onClose={close} title={title} busy={busy} className="dialog-confirm">
      <div className="dialog-body">{children}</div>
      <FormAlert errors={errors} problem={problem} alertRef={alert} {...(failedTitle ? { title: failedTitle } : {})} />
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={close} disabled={busy} data-autofocus>
          {cancelLabel}
        </button>
        <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
