/**
 * Whether the account's email address is verified, and for an unverified one a new link on
 * request (`Resend verification mail`). Settings shows the notice while the address is
 * unverified; the Security page shows the state either way.
 */
import { useState } from 'preact/hooks';
import { api, isRefusal } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useAction } from '../app/use-failure.js';
import { Alert } from '../components/field.js';

export function EmailVerificationSection() {
  const { me } = useSession();
  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title">Email address</h2>
      {me.emailVerified ? <p>Your email address, {me.email}, is verified.</p> : <UnverifiedEmailNotice />}
    </section>
  );
}

/** Nothing once the address is verified. */
export function UnverifiedEmailNotice() {
  const { me, refresh } = useSession();
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();

  const resend = () =>
    run(async () => {
      try {
        await api.resendVerification();
        setSent(true);
      } catch (err) {
        // Verified meanwhile (another tab, another device): the profile says so once read again.
        if (isRefusal(err, 'EMAIL_ALREADY_VERIFIED')) refresh();
        else throw err;
      }
    });

  if (me.emailVerified) return null;
  return (
    <div class="notice">
      <p>
        Your email address, {me.email}, is not verified yet. Open the link we mailed to it to show that it is yours; it works for
        a few days.
      </p>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void resend()}>
          Resend verification mail
        </button>
        <span role="status">{sent ? `We sent a new link to ${me.email}.` : ''}</span>
      </div>
      <Alert message={error} />
    </div>
  );
}
