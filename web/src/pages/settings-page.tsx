/** Settings: the account, and deleting it after a confirmation. */
import { useRef, useState } from 'preact/hooks';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Alert } from '../components/field.js';

export function SettingsPage() {
  const session = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, fail] = useFailure();

  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteAccount();
      dialog.current?.close();
      session.end('Your account was deleted.');
    } catch (err) {
      fail(err);
      setBusy(false);
    }
  };

  const { me } = session;
  return (
    <>
      <h1>Settings</h1>
      <dl class="account">
        <dt>Username</dt>
        <dd>{me.username}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Member since</dt>
        <dd>{new Date(me.createdAt).toLocaleDateString()}</dd>
      </dl>
      <h2>Delete account</h2>
      <p>Your posts, follows and memberships go; your chat messages stay as “deleted” in their rooms.</p>
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        Delete account
      </button>
      <dialog ref={dialog} aria-labelledby="delete-title" aria-describedby="delete-text">
        <h2 id="delete-title">Delete your account?</h2>
        <p id="delete-text">This cannot be undone.</p>
        <Alert message={error} />
        <div class="row">
          <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
            Delete my account
          </button>
          <button type="button" onClick={() => dialog.current?.close()} autofocus>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
