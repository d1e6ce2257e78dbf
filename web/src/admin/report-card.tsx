/**
 * One report in the moderators' queue: the account reported and who reported it, the comment,
 * the post or message as it was when reported, and then either how it was resolved or the
 * choices that resolve it; Suspend / Unsuspend beside the account.
 */
import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import type { MediaAttachment, ModeratedAccount, Report, ReportAction } from '../api/types.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { AccountLine } from '../components/account-line.js';
import { Alert } from '../components/field.js';
import { MediaGrid } from '../components/media-grid.js';
import { postPath } from '../components/post-item.js';
import { TimeAgo } from '../components/time-ago.js';
import { AccountStanding } from './account-standing.js';
import { ACTION_CHOICES, ACTION_DONE, resolveActions } from './moderation-rules.js';

interface ReportCardProps {
  report: Report;
  /** The report as the server answers it once resolved. */
  onResolved: (report: Report) => void;
  /** The account was suspended or unsuspended: every report of it shows so. */
  onAccount: (account: ModeratedAccount) => void;
}

export function ReportCard({ report, onResolved, onAccount }: ReportCardProps) {
  const { account, reporter, post, message, resolution } = report;
  return (
    <article class="report" aria-label={`Report ${report.id}`}>
      <header>
        <strong>Report {report.id}</strong> <span class="muted">· <TimeAgo iso={report.createdAt} /></span>
      </header>
      <dl class="facts">
        <dt>Account</dt>
        <dd>
          {account ? (
            <>
              <AccountLine user={account} />
              {account.role !== 'user' && <span class="muted"> · {account.role}</span>}
              {account.suspended && <strong> · suspended</strong>}
              <AccountStanding account={account} onChange={onAccount} />
            </>
          ) : (
            'A deleted account'
          )}
        </dd>
        <dt>Reported by</dt>
        <dd>{reporter ? <AccountLine user={reporter} /> : 'A deleted account'}</dd>
        <dt>Comment</dt>
        <dd class="text">{report.comment || <span class="muted">None</span>}</dd>
      </dl>
      {post && (
        <Reported heading="The post, as reported" createdAt={post.createdAt} text={post.text} media={post.media}>
          <a href={postPath(post.id)}>Open the post</a>
        </Reported>
      )}
      {message && <Reported heading={`The message in ${message.roomName}, as reported`} createdAt={message.createdAt} text={message.text} media={message.media} />}
      {!post && !message && <p class="muted">The account as a whole is reported.</p>}
      {resolution ? (
        <p class="resolution">
          Resolved <TimeAgo iso={resolution.resolvedAt} /> by {resolution.moderator?.username ?? 'a deleted account'}: {ACTION_DONE[resolution.action]}
          {resolution.note && <>. Note: {resolution.note}</>}
        </p>
      ) : (
        <ResolveForm report={report} onResolved={onResolved} />
      )}
    </article>
  );
}

interface ReportedProps {
  heading: string;
  createdAt: string;
  text: string | null;
  media: readonly MediaAttachment[];
  children?: ComponentChildren;
}

/** What was reported, quoted as it was then. */
function Reported({ heading, createdAt, text, media, children }: ReportedProps) {
  return (
    <blockquote class="reported">
      <p class="muted">
        {heading}, written <TimeAgo iso={createdAt} /> {children}
      </p>
      {text && <p class="text">{text}</p>}
      <MediaGrid media={media} size="small" />
    </blockquote>
  );
}

function ResolveForm({ report, onResolved }: { report: Report; onResolved: (report: Report) => void }) {
  const { me } = useSession();
  const actions = resolveActions(report, me);
  const [action, setAction] = useState<ReportAction>('none');
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  const name = useId();

  const resolve = (event: Event) => {
    event.preventDefault();
    if (busy) return;
    void run(async () => onResolved(await api.resolveReport(report.id, action, note.trim() || undefined)));
  };

  return (
    <form class="resolve" onSubmit={resolve}>
      <fieldset>
        <legend>Action</legend>
        {actions.map((choice) => (
          <label class="check" key={choice}>
            <input type="radio" name={name} value={choice} checked={action === choice} onChange={() => setAction(choice)} /> {ACTION_CHOICES[choice]}
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>Note (optional)</span>
        <textarea value={note} rows={2} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <Alert message={error} />
      <button type="submit" disabled={busy}>
        Resolve
      </button>
    </form>
  );
}
