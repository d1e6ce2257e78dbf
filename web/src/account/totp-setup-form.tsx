/**
 * Setting up an authenticator app: the QR code to scan, or the key to type, then the code the app
 * shows, which proves it has the secret before logging in starts to ask for one, and the password,
 * so that someone at an unlocked screen cannot put their own app on the account.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TotpSetup } from '../api/types.js';
import { api, isRefusal } from '../app/api.js';
import { useAction } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';
import { QrCode } from './qr-code.js';
import { TOTP_CODE_HINT, totpCode } from './second-factor.js';

/** The base32 key in groups of four, as authenticator apps show and take it. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

interface TotpSetupFormProps {
  setup: TotpSetup;
  /** Turned on: the recovery codes to show, once. */
  onEnabled: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}

export function TotpSetupForm({ setup, onEnabled, onCancel }: TotpSetupFormProps) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const steps = useRef<HTMLOListElement>(null);

  // The setup replaced the button that asked for it: the first step takes the focus.
  useEffect(() => steps.current?.focus(), []);

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const digits = totpCode(code);
      if (!digits) throw new Error(TOTP_CODE_HINT);
      try {
        onEnabled((await api.enableTotp(digits, password)).recoveryCodes);
      } catch (err) {
        if (isRefusal(err, 'INVALID_CREDENTIALS')) throw new Error('That is not your password.');
        if (!isRefusal(err, 'TOTP_INVALID')) throw err;
        throw new Error('That code did not work. Check that your device’s clock is right, and enter the code the app shows now.');
      }
    });
  };

  return (
    <form onSubmit={submit} aria-label="Set up two-factor authentication">
      <ol class="steps" ref={steps} tabIndex={-1}>
        <li>
          <p>Scan this QR code with an authenticator app (such as Aegis, Google Authenticator or 1Password):</p>
          <QrCode text={setup.otpauthUrl} label="QR code for your authenticator app" />
        </li>
        <li>
          <p>Or, if you cannot scan it, type this key into the app (a time-based key):</p>
          <Field label="Setup key" value={grouped(setup.secret)} onValue={() => undefined} readOnly class="secret" spellcheck={false} />
        </li>
        <li>
          <Field
            label="Code from the app"
            value={code}
            onValue={setCode}
            inputMode="numeric"
            autocomplete="one-time-code"
            required
            aria-describedby="totp-setup-hint"
          />
          <p class="hint" id="totp-setup-hint">
            {TOTP_CODE_HINT}
          </p>
        </li>
        <li>
          <Field label="Your password" type="password" value={password} onValue={setPassword} autocomplete="current-password" required />
        </li>
      </ol>
      <Alert message={error} />
      <div class="row">
        <button type="submit" disabled={busy}>
          Turn on two-factor authentication
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
