/**
 * The submit of a log-in or sign-up form: busy while under way, the refusal shown, the profile
 * handed on with the server's answer. `signIn` resolves undefined when the form has to ask for
 * more first (a second factor): nothing is shown and the form stays.
 */
import { useState } from 'preact/hooks';
import type { OwnProfile, SignedIn } from '../api/types.js';
import { api, errorText } from '../app/api.js';

export function useAuthForm<Answer extends SignedIn>(signIn: () => Promise<Answer | undefined>, onSignedIn: (me: OwnProfile, answer: Answer) => void) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await signIn();
      if (answer) onSignedIn(await api.me(), answer);
      else setBusy(false);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return { error, busy, onSubmit: (event: Event) => void submit(event) };
}
