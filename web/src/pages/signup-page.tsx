/** Create an account; the answer logs the browser in (the cookie) and a verification mail goes out. */
import { useId, useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { PASSWORD_RULES, assertNewPassword } from '../account/password-rules.js';
import { api } from '../app/api.js';
import { Alert, Field } from '../components/field.js';
import { useAuthForm } from '../components/use-auth-form.js';

export function SignupPage({ onSignedIn }: { onSignedIn: (me: OwnProfile) => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const rules = useId();
  const { error, busy, onSubmit } = useAuthForm(
    async () => {
      // The length is checked here; a common password, only the server can tell (PASSWORD_TOO_WEAK).
      assertNewPassword(password);
      return api.register({ username, email: email.trim(), password });
    },
    (me) => onSignedIn(me),
  );

  return (
    <section class="auth">
      <h1>Join murmur</h1>
      <form onSubmit={onSubmit}>
        <Field
          label="Username"
          value={username}
          onValue={setUsername}
          autocomplete="username"
          required
          autofocus
          pattern="[A-Za-z0-9_]{3,30}"
          title="3 to 30 letters, digits or underscores"
        />
        <Field label="Email" type="email" value={email} onValue={setEmail} autocomplete="email" required />
        <Field label="Password" type="password" value={password} onValue={setPassword} autocomplete="new-password" required aria-describedby={rules} />
        <p class="hint" id={rules}>
          {PASSWORD_RULES}
        </p>
        <Alert message={error} />
        <button type="submit" disabled={busy}>
          Sign up
        </button>
      </form>
      <p>
        Have an account? <a href="/login">Log in</a>
      </p>
    </section>
  );
}
