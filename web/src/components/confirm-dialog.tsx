/**
 * A question before an action that changes much (a block, a mute, a suspension, deleting the
 * account): what the action does, the button that does it, and Cancel, focused first so Enter
 * never confirms by accident. It closes once the action succeeds and shows its failure otherwise.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { useAction } from '../app/use-failure.js';
import { Alert } from './field.js';
import { useModal } from './modal.js';

interface ConfirmDialogProps {
  /** The question, which names the dialog: "Block alice?". */
  title: string;
  /** What the action does, read out with the question. */
  description: string;
  /** The confirming button's text. */
  confirm: string;
  onConfirm: () => Promise<unknown>;
  /** The dialog closed (cancelled, Escape, or done): unmount it. */
  onClose: () => void;
  danger?: boolean;
  /** Choices that go with the action (a checkbox). */
  children?: ComponentChildren;
}

export function ConfirmDialog({ title, description, confirm, onConfirm, onClose, danger = false, children }: ConfirmDialogProps) {
  const dialog = useModal();
  const { busy, error, run } = useAction();
  const titleId = useId();
  const textId = useId();
  const close = () => dialog.current?.close();

  const confirmed = () =>
    run(async () => {
      await onConfirm();
      close();
    });

  return (
    <dialog ref={dialog} aria-labelledby={titleId} aria-describedby={textId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      <p id={textId}>{description}</p>
      {children}
      <Alert message={error} />
      <div class="row">
        <button type="button" class={danger ? 'danger' : undefined} disabled={busy} onClick={() => void confirmed()}>
          {confirm}
        </button>
        <button type="button" onClick={close} autofocus>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
