/** The audit log: every moderator's action, newest first, with whom and what report it concerned. */
import { useCallback } from 'preact/hooks';
import type { AuditEntry } from '../api/types.js';
import { api } from '../app/api.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { TimeAgo } from '../components/time-ago.js';
import { usePages } from '../components/use-pages.js';
import { auditVerb, detailsText } from './moderation-rules.js';
import type { Guard } from './moderator-guard.js';

export function AuditLog({ guard }: { guard: Guard }) {
  const load = useCallback((cursor: string | null) => guard(api.auditLog({ cursor })), [guard]);
  const pages = usePages<AuditEntry>(load, 'audit');
  return (
    <section aria-label="Audit log">
      <Alert message={pages.error} />
      <ol class="audit">
        {pages.items.map((entry) => (
          <li key={entry.id}>
            <AuditLine entry={entry} />
          </li>
        ))}
      </ol>
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>Nothing yet.</p>}
      <MoreButton pages={pages} label="Show older" />
    </section>
  );
}

function AuditLine({ entry }: { entry: AuditEntry }) {
  const details = detailsText(entry.details);
  return (
    <>
      <span class="muted">
        <TimeAgo iso={entry.createdAt} />
      </span>{' '}
      {entry.actor ? <a href={`/users/${entry.actor.id}`}>{entry.actor.username}</a> : 'A deleted account'} {auditVerb(entry.action)}
      {entry.targetUserId !== null && (
        <>
          {' '}
          · account <a href={`/users/${entry.targetUserId}`}>{entry.targetUserId}</a>
        </>
      )}
      {entry.reportId !== null && <> · report {entry.reportId}</>}
      {details && <span class="muted"> · {details}</span>}
    </>
  );
}
