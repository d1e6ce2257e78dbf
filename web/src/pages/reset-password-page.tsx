/**
 * The page a password-reset mail links to: a new password, typed twice, for the account the
 * link's token names. Every session of the account ends with it, this browser's too, so the
 * person logs in again with the new password.
 */
import { useState } from 'preact/hooks';
import { NewPasswordFields } from '../account/new-password-fields.js';
import { assertNewPassword } from '../account/password-rules.js';
import { useLinkToken } from '../account/use-link-token.js';
import { api, isRefusal } from '../app/api.js';
import { useOpenAction } from '../app/use-failure.js';
import { Alert } from '../components/field.js';

/** What the login page says once the new password is set. */
export const PASSWORD_RESET_NOTICE = 'Your new password is set and every session of your account has ended. Log in with the new password.';

export function ResetPasswordPage({ onReset }: { onReset: (notice: string) => void }) {
  const token = useLinkToken();
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [refused, setRefused] = useState(false);
  const { busy, error, run } = useOpenAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (!token) return;
    void run(async () => {
      // The length and the typing twice are checked here; a common password, only the server can tell.
      assertNewPassword(password, confirmation);
      try {
        await api.resetPassword(token, password);
      } catch (err) {
        if (!isRefusal(err, 'TOKEN_INVALID')) throw err;
        setRefused(true);
        return;
      }
      onReset(PASSWORD_RESET_NOTICE);
    });
  };

  return (
    <section class="auth">
      <h1>Set a new password</h1>
      {token && !refused ? (
        <form onSubmit={submit}>
          <NewPasswordFields password={password} confirmation={confirmation} onPassword={setPassword} onConfirmation={setConfirmation} />
          <Alert message={error} />
          <button type="submit" disabled={busy}>
            Set new password
          </button>
        </form>
      ) : (
        <>
          <p role="alert">
            This link does not work. A reset link works once and for a short while: this one was used already, has expired, or
            was not copied whole.
          </p>
          <p>
            <a href="/forgot-password">Ask for a new link</a>
          </p>
        </>
      )}
    </section>
  );
}
