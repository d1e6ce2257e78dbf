/**
 * Two-factor authentication (TOTP): off, it offers the setup (a QR code and the key to type, then
 * a code from the app to prove it has them, and the password); on, it says how many recovery
 * codes are left and turns off with the password. The recovery codes show once, right after it
 * is turned on.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { TotpSetup, TwoFactorStatus } from '../api/types.js';
import { api, isRefusal } from '../app/api.js';
import { useAction, useFailure } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';
import { recoveryCodesLeftText } from './account-words.js';
import { RecoveryCodesPanel } from './recovery-codes-panel.js';
import { TotpSetupForm } from './totp-setup-form.js';

/** `onOtherSessionsEnded`: turning it on ended every other session (the list is out of date). */
export function TwoFactorSection({ onOtherSessionsEnded }: { onOtherSessionsEnded: () => void }) {
  const [status, setStatus] = useState<TwoFactorStatus>();
  const [loadError, fail] = useFailure();
  const [setup, setSetup] = useState<TotpSetup>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const start = useAction();

  const reload = useCallback(() => void api.twoFactor().then(setStatus, fail), [fail]);
  useEffect(reload, [reload]);

  const beginSetup = () =>
    start.run(async () => {
      try {
        setSetup(await api.setUpTotp());
      } catch (err) {
        // Turned on meanwhile, in another tab: show it as it is.
        if (isRefusal(err, 'TOTP_ALREADY_ENABLED')) reload();
        else throw err;
      }
    });

  let body;
  if (recoveryCodes) body = <RecoveryCodesPanel codes={recoveryCodes} onDone={() => setRecoveryCodes(undefined)} />;
  else if (!status) body = loadError ? null : <p>Loading…</p>;
  else if (status.totpEnabled) {
    body = (
      <>
        <p>On: logging in asks for a code from your authenticator app as well as your password.</p>
        <p>{recoveryCodesLeftText(status.recoveryCodesLeft)}</p>
        <DisableTotpForm onDisabled={reload} />
      </>
    );
  } else if (setup) {
    body = (
      <TotpSetupForm
        setup={setup}
        onEnabled={(codes) => {
          setSetup(undefined);
          setRecoveryCodes(codes);
          reload();
          onOtherSessionsEnded();
        }}
        onCancel={() => setSetup(undefined)}
      />
    );
  } else {
    body = (
      <>
        <p>Off. With it on, logging in also asks for a code from an authenticator app on your phone, so your password alone is not enough.</p>
        <button type="button" disabled={start.busy} onClick={() => void beginSetup()}>
          Set up two-factor authentication
        </button>
        <Alert message={start.error} />
      </>
    );
  }

  return (
    <section aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      <Alert message={loadError} />
      {body}
    </section>
  );
}

/** Turning it off takes the password, so someone at an unlocked screen cannot. */
function DisableTotpForm({ onDisabled }: { onDisabled: () => void }) {
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      try {
        await api.disableTotp(password);
      } catch (err) {
        if (isRefusal(err, 'INVALID_CREDENTIALS')) throw new Error('That is not your password.');
        // Already off (another tab): the status read again shows it.
        if (!isRefusal(err, 'TOTP_NOT_ENABLED')) throw err;
      }
      setPassword('');
      onDisabled();
    });
  };

  return (
    <form onSubmit={submit} aria-labelledby="disable-two-factor-title">
      <h3 id="disable-two-factor-title">Turn off two-factor authentication</h3>
      <Field label="Your password" type="password" value={password} onValue={setPassword} autocomplete="current-password" required />
      <Alert message={error} />
      <button type="submit" class="danger" disabled={busy}>
        Turn off two-factor authentication
      </button>
    </form>
  );
}
