/**
 * Report: a button that opens a dialog to tell the moderators about an account, a post or a chat
 * message, with an optional comment (counted against its limit). Once sent it says so; a refusal
 * (too many reports lately, the post gone) shows in the server's words.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { MAX_REPORT_COMMENT_CHARACTERS } from '../api/types.js';
import { api } from '../app/api.js';
import { useAction } from '../app/use-failure.js';
import { CharactersLeft } from './compose.js';
import { Alert } from './field.js';
import { useModal } from './modal.js';
import { commentFits, reportBody, reportWording, type ReportSubject } from './report-subject.js';

interface ReportButtonProps {
  subject: ReportSubject;
  /** The reported account's username, for the dialog's words. */
  username: string;
  /** `link` among a post's or a message's actions. */
  class?: string;
}

export function ReportButton({ subject, username, class: className }: ReportButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class={className} onClick={() => setOpen(true)}>
        Report
      </button>
      {open && <ReportDialog subject={subject} username={username} onClose={() => setOpen(false)} />}
    </>
  );
}

interface ReportDialogProps {
  subject: ReportSubject;
  username: string;
  onClose: () => void;
}

function ReportDialog({ subject, username, onClose }: ReportDialogProps) {
  const dialog = useModal();
  const [comment, setComment] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();
  const titleId = useId();
  const textId = useId();
  const countId = useId();
  const done = useRef<HTMLButtonElement>(null);
  const { title, seen } = reportWording(subject, username);
  const close = () => dialog.current?.close();

  // The form goes once the report is sent: the focus moves to what replaces it.
  useEffect(() => {
    if (sent) done.current?.focus();
  }, [sent]);

  const send = (event: Event) => {
    event.preventDefault();
    if (busy || !commentFits(comment)) return;
    void run(async () => {
      await api.report(reportBody(subject, comment));
      setSent(true);
    });
  };

  return (
    <dialog ref={dialog} aria-labelledby={titleId} aria-describedby={textId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {sent ? (
        <>
          <p id={textId} role="status">
            Thank you. The moderators have your report.
          </p>
          <div class="row">
            <button type="button" ref={done} onClick={close}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={send}>
          <p id={textId}>
            The moderators will see {seen}, and your comment. {username} is not told who reported them.
          </p>
          <label class="field">
            <span>Comment (optional)</span>
            <textarea value={comment} rows={4} aria-describedby={countId} onInput={(e) => setComment(e.currentTarget.value)} autofocus />
          </label>
          <p class="hint">
            <CharactersLeft id={countId} text={comment.trim()} max={MAX_REPORT_COMMENT_CHARACTERS} />
          </p>
          <Alert message={error} />
          <div class="row">
            <button type="submit" disabled={busy || !commentFits(comment)}>
              Send report
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
