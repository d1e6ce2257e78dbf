/**
 * Asks for a password-reset link by email. The answer is the same whether or not an account has
 * the address (the server's too), so the page never tells anyone which addresses have accounts.
 */
import { useState } from 'preact/hooks';
import { api } from '../app/api.js';
import { useOpenAction } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string>();
  const { busy, error, run } = useOpenAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const address = email.trim();
    void run(async () => {
      await api.forgotPassword(address);
      setSentTo(address);
    });
  };

  return (
    <section class="auth">
      <h1>Reset your password</h1>
      {sentTo ? (
        <>
          <p role="status">
            If an account has the address {sentTo}, we sent it a link to set a new password. The link works once and for a
            short while; if no mail comes, look in your spam folder.
          </p>
          <button type="button" onClick={() => setSentTo(undefined)}>
            Use another address
          </button>
        </>
      ) : (
        <form onSubmit={submit}>
          <p>Enter your account’s email address and we will mail you a link to set a new password.</p>
          <Field label="Email" type="email" value={email} onValue={setEmail} autocomplete="email" required autofocus />
          <Alert message={error} />
          <button type="submit" disabled={busy}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        Remembered it? <a href="/login">Log in</a>
      </p>
    </section>
  );
}
