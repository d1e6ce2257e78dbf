/**
 * Changing the password: the current one, then the new one twice. The server ends every other
 * session with it (someone who knew the old password is logged out), which the page says.
 */
import { useState } from 'preact/hooks';
import { api, isRefusal } from '../app/api.js';
import { useAction } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';
import { NewPasswordFields } from './new-password-fields.js';
import { assertNewPassword } from './password-rules.js';

/** `onChanged`: the other sessions have ended (the list of sessions is out of date). */
export function ChangePasswordForm({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [changed, setChanged] = useState(false);
  const { busy, error, run } = useAction();

  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setChanged(false);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      assertNewPassword(password, confirmation);
      try {
        await api.changePassword(current, password);
      } catch (err) {
        // The server's words are a login's ("wrong login or password"); here only one thing can be wrong.
        throw isRefusal(err, 'INVALID_CREDENTIALS') ? new Error('That is not your current password.') : err;
      }
      setCurrent('');
      setPassword('');
      setConfirmation('');
      setChanged(true);
      onChanged();
    });
  };

  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form onSubmit={submit}>
        <Field label="Current password" type="password" value={current} onValue={edit(setCurrent)} autocomplete="current-password" required />
        <NewPasswordFields password={password} confirmation={confirmation} onPassword={edit(setPassword)} onConfirmation={edit(setConfirmation)} />
        <Alert message={error} />
        <div class="row">
          <button type="submit" disabled={busy}>
            Change password
          </button>
          <span role="status">{changed ? 'Password changed. Every other session has ended; this device stays logged in.' : ''}</span>
        </div>
      </form>
    </section>
  );
}
