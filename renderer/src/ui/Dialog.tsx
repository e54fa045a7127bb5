// A modal dialog on the native <dialog>: the browser moves focus in and keeps it there, Escape closes
// it, focus returns where it was. A dialog asking for a decision is an alertdialog (the default).
import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** A dialog that only informs (a list of shortcuts) is a plain dialog, not an alertdialog. */
  role?: 'dialog' | 'alertdialog';
}) {
  const { title, onClose, children, role = 'alertdialog' } = props;
  const titleId = useId();
  const dialog = useRef<HTMLDialogElement>(null);

  // Opened on mount and closed before React removes it, so the browser hands focus back.
  useLayoutEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      role={role}
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: the owner unmounts the dialog, which closes it.
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}

/** A yes/no confirmation for a consequential action: Cancel first, the action in primary style. */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const { title, confirmLabel, onConfirm, onClose, children } = props;
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            onClose();
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
