/**
 * An account in a list of accounts one acted on (blocked, muted, suspended), with the button that
 * undoes it; its failure shows beside it.
 */
import type { ComponentChildren } from 'preact';
import type { UserSummary } from '../api/types.js';
import { useAction } from '../app/use-failure.js';
import { AccountLine } from './account-line.js';
import { Alert } from './field.js';

/** What takes the account off the list: a button named `<label> <username>`, and its call. */
export interface UndoAction {
  label: string;
  call: (id: number) => Promise<unknown>;
}

interface AccountRowProps {
  account: UserSummary;
  undo: UndoAction;
  /** The call succeeded: take the row away. */
  onUndone: () => void;
  children: ComponentChildren;
}

export function AccountRow({ account, undo, onUndone, children }: AccountRowProps) {
  const { busy, error, run } = useAction();
  const undone = () =>
    run(async () => {
      await undo.call(account.id);
      onUndone();
    });
  return (
    <li>
      <AccountLine user={account} />
      {children}{' '}
      <button type="button" class="link" disabled={busy} onClick={() => void undone()}>
        {undo.label} {account.username}
      </button>
      <Alert message={error} />
    </li>
  );
}
