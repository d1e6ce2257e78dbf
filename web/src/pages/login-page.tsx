/**
 * Log in by username or email. With two-factor authentication on, the server answers the right
 * password with 401 TOTP_REQUIRED, and the page asks for the authenticator app's code (or a
 * recovery code) and sends the password again with it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { failedAttemptsNotice } from '../account/account-words.js';
import { secondFactor, TOTP_CODE_HINT, type SecondFactorKind } from '../account/second-factor.js';
import { api, isRefusal } from '../app/api.js';
import { Alert, Field } from '../components/field.js';
import { useAuthForm } from '../components/use-auth-form.js';

const CODE_REFUSED: Record<SecondFactorKind, string> = {
  totp: 'That code did not work. Codes change every 30 seconds and each works once: enter the one your app shows now.',
  recoveryCode: 'That recovery code did not work. Each one works once.',
};

interface LoginPageProps {
  /** Logged in; `notice` is what the person should be told first (failed attempts meanwhile). */
  onSignedIn: (me: OwnProfile, notice?: string) => void;
  notice?: string;
}

export function LoginPage({ onSignedIn, notice }: LoginPageProps) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  // Set once the server asks for a second factor: which one the person is typing, and what.
  const [factor, setFactor] = useState<SecondFactorKind>();
  const [code, setCode] = useState('');

  const { error, busy, onSubmit } = useAuthForm(
    async () => {
      try {
        return await api.login(login.trim(), password, factor && secondFactor(factor, code));
      } catch (err) {
        if (isRefusal(err, 'TOTP_REQUIRED')) {
          setFactor('totp');
          return undefined;
        }
        if (factor && isRefusal(err, 'TOTP_INVALID')) throw new Error(CODE_REFUSED[factor]);
        throw err;
      }
    },
    (me, answer) => onSignedIn(me, failedAttemptsNotice(answer.failedLoginAttempts)),
  );

  const switchTo = (kind: SecondFactorKind | undefined) => {
    setFactor(kind);
    setCode('');
  };

  return (
    <section class="auth">
      <h1>Log in to murmur</h1>
      {notice && <p role="status">{notice}</p>}
      {factor ? (
        <form onSubmit={onSubmit} aria-labelledby="second-factor-title">
          <h2 id="second-factor-title">Two-factor authentication</h2>
          <SecondFactorField kind={factor} code={code} onCode={setCode} />
          <Alert message={error} />
          <div class="row">
            <button type="submit" disabled={busy}>
              Log in
            </button>
            <button type="button" class="link" onClick={() => switchTo(factor === 'totp' ? 'recoveryCode' : 'totp')}>
              {factor === 'totp' ? 'Use a recovery code instead' : 'Use an authentication code instead'}
            </button>
          </div>
          <p>
            <button type="button" class="link" onClick={() => switchTo(undefined)}>
              Start over
            </button>
          </p>
        </form>
      ) : (
        <form onSubmit={onSubmit}>
          <Field label="Username or email" value={login} onValue={setLogin} autocomplete="username" required autofocus />
          <Field label="Password" type="password" value={password} onValue={setPassword} autocomplete="current-password" required />
          <Alert message={error} />
          <button type="submit" disabled={busy}>
            Log in
          </button>
        </form>
      )}
      <p>
        <a href="/forgot-password">Forgot password?</a>
      </p>
      <p>
        New here? <a href="/signup">Create an account</a>
      </p>
    </section>
  );
}

/** The code field, focused as it appears: the person was just asked for it. */
function SecondFactorField({ kind, code, onCode }: { kind: SecondFactorKind; code: string; onCode: (value: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [kind]);
  if (kind === 'recoveryCode') {
    return (
      <>
        <p id="second-factor-hint">Enter one of the recovery codes you saved when you turned two-factor authentication on.</p>
        <Field ref={input} label="Recovery code" value={code} onValue={onCode} autocomplete="off" spellcheck={false} required aria-describedby="second-factor-hint" />
      </>
    );
  }
  return (
    <>
      <p id="second-factor-hint">{TOTP_CODE_HINT}</p>
      <Field
        ref={input}
        label="Authentication code"
        value={code}
        onValue={onCode}
        inputMode="numeric"
        autocomplete="one-time-code"
        required
        aria-describedby="second-factor-hint"
      />
    </>
  );
}
