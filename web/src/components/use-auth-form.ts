/** The submit of a log-in or sign-up form: busy while under way, the refusal shown, the profile handed on. */
import { useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { api, errorText } from '../app/api.js';

export function useAuthForm(signIn: () => Promise<unknown>, onSignedIn: (me: OwnProfile) => void) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn();
      onSignedIn(await api.me());
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return { error, busy, onSubmit: (event: Event) => void submit(event) };
}
