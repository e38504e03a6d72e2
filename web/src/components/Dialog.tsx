import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

const focusableSelector = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

export interface DialogProps {
  open: boolean;
  /** Asked to close: Escape, or a button of the dialog. */
  onClose: () => void;
  title: string;
  children: ReactNode;
  /** Extra class, e.g. `dialog-danger`. */
  className?: string;
  /** While true, Escape does not close the dialog (a request is under way). */
  busy?: boolean;
}

/**
 * A modal dialog on the native <dialog>: showModal() makes the rest of the page inert and puts
 * the dialog on top; on top of that, Tab and Shift+Tab cycle inside the dialog rather than out to
 * the browser's own controls, and focus goes back to the element that opened it on close. The
 * first element with `autoFocus` (or else the first focusable one) gets focus on open.
 */
export function Dialog({ open, onClose, title, children, className, busy = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) {
      return;
    }
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) {
      dialog.showModal();
    }
    const first =
      dialog.querySelector<HTMLElement>('[autofocus], [data-autofocus]') ??
      dialog.querySelector<HTMLElement>(focusableSelector);
    first?.focus();
    return () => {
      if (dialog.open) {
        dialog.close();
      }
      // The opener may be gone (a removed row's button); then focus falls to the page.
      const back = opener.current;
      if (back?.isConnected) {
        back.focus();
      }
    };
  }, [open]);

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab' || !ref.current) {
      return;
    }
    const focusables = [...ref.current.querySelectorAll<HTMLElement>(focusableSelector)].filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
    const first = focusables[0];
    const last = focusables.at(-1);
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  if (!open) {
    return null;
  }
  return (
    <dialog
      ref={ref}
      className={`dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: the dialog closes through our state, not by itself, so the two never differ.
        event.preventDefault();
        if (!busy) {
          onClose();
        }
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
