/**
 * Moderation (`/admin`), for moderators and admins: the open reports and the resolved ones, the
 * suspended accounts, and the audit log of every moderator's action. Whoever else opens it is
 * told it is not theirs (the server's 403), and the navigation stops offering it.
 */
import { useCallback, useState } from 'preact/hooks';
import type { ListedAccount, ModeratedAccount, Report, ReportStatus } from '../api/types.js';
import { AuditLog } from '../admin/audit-log.js';
import { notAModerator, type Guard } from '../admin/moderator-guard.js';
import { ReportCard } from '../admin/report-card.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { AccountRow } from '../components/account-row.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { TimeAgo } from '../components/time-ago.js';
import { usePages } from '../components/use-pages.js';

export type AdminView = 'open' | 'resolved' | 'suspended' | 'audit';

/** The page's views by path: `/admin` itself is the open reports. */
export const ADMIN_VIEWS: ReadonlyArray<{ view: AdminView; href: string; label: string }> = [
  { view: 'open', href: '/admin', label: 'Open reports' },
  { view: 'resolved', href: '/admin/resolved', label: 'Resolved reports' },
  { view: 'suspended', href: '/admin/suspended', label: 'Suspended accounts' },
  { view: 'audit', href: '/admin/audit', label: 'Audit log' },
];

export function AdminPage({ view }: { view: AdminView }) {
  const { refresh } = useSession();
  const [forbidden, setForbidden] = useState(false);
  const guard = useCallback<Guard>(
    (call) =>
      call.catch((err: unknown) => {
        if (notAModerator(err)) {
          setForbidden(true);
          // The role may have changed since the navigation read it.
          refresh();
        }
        throw err;
      }),
    [refresh],
  );

  if (forbidden) {
    return (
      <>
        <h1>Not allowed</h1>
        <p>
          This page is for moderators. <a href="/">Go home</a>
        </p>
      </>
    );
  }
  const current = ADMIN_VIEWS.find((v) => v.view === view);
  return (
    <>
      <h1>Moderation</h1>
      <nav aria-label="Moderation">
        <ul class="tabs">
          {ADMIN_VIEWS.map((v) => (
            <li key={v.view}>
              <a href={v.href} aria-current={v.view === view ? 'page' : undefined}>
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{current?.label}</h2>
      {(view === 'open' || view === 'resolved') && <ReportQueue key={view} status={view} guard={guard} />}
      {view === 'suspended' && <SuspendedAccounts guard={guard} />}
      {view === 'audit' && <AuditLog guard={guard} />}
    </>
  );
}

function ReportQueue({ status, guard }: { status: ReportStatus; guard: Guard }) {
  const load = useCallback((cursor: string | null) => guard(api.moderationReports(status, { cursor })), [status, guard]);
  const pages = usePages<Report>(load, status);
  const { update } = pages;
  // A resolved report stays in sight, saying what was done, until the queue is read again.
  const resolved = useCallback((next: Report) => update((items) => items.map((r) => (r.id === next.id ? next : r))), [update]);
  const accountChanged = useCallback(
    (account: ModeratedAccount) => update((items) => items.map((r) => (r.account?.id === account.id ? { ...r, account: { ...r.account, ...account } } : r))),
    [update],
  );
  return (
    <section aria-label={status === 'open' ? 'Open reports' : 'Resolved reports'}>
      <Alert message={pages.error} />
      <ol class="reports">
        {pages.items.map((report) => (
          <li key={report.id}>
            <ReportCard report={report} onResolved={resolved} onAccount={accountChanged} />
          </li>
        ))}
      </ol>
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>{status === 'open' ? 'No open reports.' : 'No resolved reports yet.'}</p>}
      <MoreButton pages={pages} label="Show older reports" />
    </section>
  );
}

function SuspendedAccounts({ guard }: { guard: Guard }) {
  const load = useCallback((cursor: string | null) => guard(api.suspendedAccounts({ cursor })), [guard]);
  const pages = usePages<ListedAccount>(load, 'suspended');
  const gone = (id: number) => pages.update((items) => items.filter((account) => account.id !== id));
  return (
    <section aria-label="Suspended accounts">
      <Alert message={pages.error} />
      <ul class="people">
        {pages.items.map((account) => (
          <AccountRow key={account.id} account={account} undo={{ label: 'Unsuspend', call: api.unsuspend }} onUndone={() => gone(account.id)}>
            {account.role !== 'user' && <span class="muted"> · {account.role}</span>}
            {account.suspendedAt && (
              <span class="muted">
                {' '}
                · suspended <TimeAgo iso={account.suspendedAt} />
              </span>
            )}
          </AccountRow>
        ))}
      </ul>
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>No account is suspended.</p>}
      <MoreButton pages={pages} label="Show more" />
    </section>
  );
}
