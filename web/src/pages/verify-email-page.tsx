/**
 * The page the verification mail links to: it verifies the address as it opens and says how that
 * went. It works logged in or not; logged in, the account's pages learn of it at once.
 */
import { useContext, useEffect, useState } from 'preact/hooks';
import { useLinkToken } from '../account/use-link-token.js';
import { api, errorText, isRefusal } from '../app/api.js';
import { SessionContext } from '../app/session.js';

type Outcome = { state: 'verifying' | 'verified' | 'refused' } | { state: 'failed'; error: string };

export function VerifyEmailPage({ onVerified }: { onVerified: () => void }) {
  const token = useLinkToken();
  const signedIn = useContext(SessionContext) !== null;
  const [outcome, setOutcome] = useState<Outcome>({ state: token ? 'verifying' : 'refused' });
  // Each try again is a new attempt of the same token.
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!token) return;
    setOutcome({ state: 'verifying' });
    api.verifyEmail(token).then(
      () => {
        setOutcome({ state: 'verified' });
        onVerified();
      },
      (err: unknown) => setOutcome(isRefusal(err, 'TOKEN_INVALID') ? { state: 'refused' } : { state: 'failed', error: errorText(err) }),
    );
  }, [token, attempt]);

  return (
    <section class="auth">
      <h1>Verify your email address</h1>
      {outcome.state === 'verifying' && <p role="status">Verifying your email address…</p>}
      {outcome.state === 'verified' && <p role="status">Your email address is verified. Thank you.</p>}
      {outcome.state === 'refused' && (
        <p role="alert">
          This link does not work. A verification link works once and for a few days: this one was used already, has expired,
          was not copied whole, or is for an address the account no longer has. If you already verified your address, there is
          nothing more to do; otherwise ask for a new link on the Security page of your settings.
        </p>
      )}
      {outcome.state === 'failed' && (
        <>
          <p role="alert">{outcome.error}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </>
      )}
      <p>{signedIn ? <a href="/settings/security">Go to your security settings</a> : <a href="/login">Log in</a>}</p>
    </section>
  );
}
