/** A page's error message, with the one failure every page treats alike: a 401 ends the session. */
import { useCallback, useState } from 'preact/hooks';
import { errorText, isUnauthorized } from './api.js';
import { useSession } from './session.js';

export function useFailure(): [string | undefined, (err: unknown) => void, () => void] {
  const session = useSession();
  const [message, setMessage] = useState<string>();
  const fail = useCallback(
    (err: unknown) => {
      if (isUnauthorized(err)) session.end('Your session ended. Log in again.');
      else setMessage(errorText(err));
    },
    [session],
  );
  return [message, fail, () => setMessage(undefined)];
}
