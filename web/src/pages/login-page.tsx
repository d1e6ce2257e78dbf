/** Log in by username or email. */
import { useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { api } from '../app/api.js';
import { Alert, Field } from '../components/field.js';
import { useAuthForm } from '../components/use-auth-form.js';

export function LoginPage({ onSignedIn, notice }: { onSignedIn: (me: OwnProfile) => void; notice?: string }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, onSubmit } = useAuthForm(() => api.login(login.trim(), password), onSignedIn);

  return (
    <section class="auth">
      <h1>Log in to murmur</h1>
      {notice && <p role="status">{notice}</p>}
      <form onSubmit={onSubmit}>
        <Field label="Username or email" value={login} onValue={setLogin} autocomplete="username" required autofocus />
        <Field label="Password" type="password" value={password} onValue={setPassword} autocomplete="current-password" required />
        <Alert message={error} />
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
      <p>
        New here? <a href="/signup">Create an account</a>
      </p>
    </section>
  );
}
