/**
 * Suspend / Unsuspend on an account under moderation. Suspending asks first, with an optional
 * note for the audit log, and says what a suspension does; unsuspending restores at once.
 */
import { useState } from 'preact/hooks';
import type { ModeratedAccount } from '../api/types.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Alert } from '../components/field.js';
import { canSuspend } from './moderation-rules.js';

interface AccountStandingProps {
  account: ModeratedAccount;
  /** The account as the server now answers it. */
  onChange: (account: ModeratedAccount) => void;
}

export function AccountStanding({ account, onChange }: AccountStandingProps) {
  const { me } = useSession();
  const [asking, setAsking] = useState(false);
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  const { username } = account;

  const suspend = async () => onChange((await api.suspend(account.id, note.trim() || undefined)).account);
  const unsuspend = () => run(async () => onChange((await api.unsuspend(account.id)).account));

  if (!account.suspended && !canSuspend(account, me)) return null;
  return (
    <div class="standing">
      {account.suspended ? (
        <button type="button" disabled={busy} onClick={() => void unsuspend()}>
          Unsuspend {username}
        </button>
      ) : (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Suspend {username}
        </button>
      )}
      <Alert message={error} />
      {asking && (
        <ConfirmDialog
          title={`Suspend ${username}?`}
          description={
            'Their sessions end at once and they cannot log in; their profile, posts and messages are hidden ' +
            'from everyone. Nothing is deleted: unsuspending restores all of it.'
          }
          confirm="Suspend the account"
          danger
          onConfirm={suspend}
          onClose={() => setAsking(false)}
        >
          <label class="field">
            <span>Note (optional)</span>
            <textarea value={note} rows={2} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
        </ConfirmDialog>
      )}
    </div>
  );
}
