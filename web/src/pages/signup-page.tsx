/** Create an account; the answer logs the browser in (the cookie). */
import { useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { api } from '../app/api.js';
import { Alert, Field } from '../components/field.js';
import { useAuthForm } from '../components/use-auth-form.js';

export function SignupPage({ onSignedIn }: { onSignedIn: (me: OwnProfile) => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, onSubmit } = useAuthForm(() => api.register({ username, email: email.trim(), password }), onSignedIn);

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
        <Field label="Password" type="password" value={password} onValue={setPassword} autocomplete="new-password" required minLength={8} />
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
