/**
 * The recovery codes, shown once right after two-factor authentication is turned on, with Copy
 * and Download and a plain warning: the server keeps only their hashes, so nobody can show them
 * again.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useSession } from '../app/session.js';
import { recoveryCodesFile } from './account-words.js';

export function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { me } = useSession();
  const [copied, setCopied] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  const text = useMemo(() => recoveryCodesFile(me.username, codes, new Date()), [me.username, codes]);
  const download = useMemo(() => URL.createObjectURL(new Blob([text], { type: 'text/plain' })), [text]);

  useEffect(() => () => URL.revokeObjectURL(download), [download]);
  // They replace the setup form: a screen reader starts reading here.
  useEffect(() => heading.current?.focus(), []);

  // Without a secure context there is no clipboard to write: that is a refusal like any other.
  const copy = () =>
    Promise.resolve()
      .then(() => navigator.clipboard.writeText(text))
      .then(
      () => setCopied('Copied.'),
      () => setCopied('This browser did not allow copying: select the codes and copy them, or download them.'),
    );

  return (
    <div class="recovery">
      <h3 ref={heading} tabIndex={-1}>
        Two-factor authentication is on. Save your recovery codes
      </h3>
      <p>Every other session has ended: each of your devices logs in again, with a code.</p>
      <p class="notice" role="alert">
        These codes are shown only this once. If you lose your authenticator app, each code logs you in once instead of an app code;
        without the app or a code you cannot log in. Keep them somewhere safe, apart from your phone.
      </p>
      <ol class="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="row">
        <button type="button" onClick={() => void copy()}>
          Copy codes
        </button>
        <a href={download} download="murmur-recovery-codes.txt">
          Download codes
        </a>
        <span role="status">{copied}</span>
      </div>
      <p>
        <button type="button" onClick={onDone}>
          I have saved my codes
        </button>
      </p>
    </div>
  );
}
