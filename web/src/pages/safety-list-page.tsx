/**
 * Settings' lists of the accounts one blocks and the accounts one mutes, newest first, paged like
 * the follower lists, each with Unblock or Unmute; an account undone leaves the list at once.
 */
import { useCallback } from 'preact/hooks';
import type { BlockedAccount, MutedAccount, Page, UserSummary } from '../api/types.js';
import { api } from '../app/api.js';
import { AccountRow, type UndoAction } from '../components/account-row.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';

export function BlockedAccountsPage() {
  return (
    <AccountListPage<BlockedAccount>
      title="Blocked accounts"
      intro="They cannot follow you, reply to you, mention you or message you, and you do not see each other’s posts."
      empty="You block no one."
      load={api.blocks}
      undo={{ label: 'Unblock', call: api.unblock }}
      since={(account) => `Blocked ${new Date(account.blockedAt).toLocaleDateString()}`}
    />
  );
}

export function MutedAccountsPage() {
  return (
    <AccountListPage<MutedAccount>
      title="Muted accounts"
      intro="Their posts and reposts stay out of your timeline; they are not told."
      empty="You mute no one."
      load={api.mutes}
      undo={{ label: 'Unmute', call: api.unmute }}
      since={(account) =>
        `Muted ${new Date(account.mutedAt).toLocaleDateString()}${account.notifications ? ', notifications too' : ', posts only'}`
      }
    />
  );
}

interface AccountListPageProps<T extends UserSummary> {
  title: string;
  intro: string;
  empty: string;
  load: (query: { cursor: string | null }) => Promise<Page<T>>;
  undo: UndoAction;
  since: (account: T) => string;
}

function AccountListPage<T extends UserSummary>({ title, intro, empty, load, undo, since }: AccountListPageProps<T>) {
  const read = useCallback((cursor: string | null) => load({ cursor }), [load]);
  const pages = usePages(read, title);
  const gone = (id: number) => pages.update((items) => items.filter((account) => account.id !== id));
  return (
    <>
      <h1>{title}</h1>
      <p>{intro}</p>
      <Alert message={pages.error} />
      <ul class="people" aria-label={title}>
        {pages.items.map((account) => (
          <AccountRow key={account.id} account={account} undo={undo} onUndone={() => gone(account.id)}>
            <span class="muted"> · {since(account)}</span>
          </AccountRow>
        ))}
      </ul>
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>{empty}</p>}
      <MoreButton pages={pages} label="Show more" />
    </>
  );
}
