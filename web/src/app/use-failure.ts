/** A page's error message, with the one failure every page treats alike: a 401 ends the session. */
import { useCallback, useState } from 'preact/hooks';
import { errorText, isUnauthorized } from './api.js';
import { SESSION_ENDED_NOTICE, useSession } from './session.js';

export function useFailure(): [string | undefined, (err: unknown) => void, () => void] {
  const session = useSession();
  const [message, setMessage] = useState<string>();
  const fail = useCallback(
    (err: unknown) => {
      if (isUnauthorized(err)) session.end(SESSION_ENDED_NOTICE);
      else setMessage(errorText(err));
    },
    [session],
  );
  return [message, fail, () => setMessage(undefined)];
}

export interface Action {
  busy: boolean;
  error: string | undefined;
  /** Runs `call`, busy meanwhile; its failure becomes `error` (or ends the session). */
  run: (call: () => Promise<unknown>) => Promise<void>;
}

/** A form's or a button's call to the server: one at a time, its failure shown beside it. */
export function useAction(): Action {
  const [error, fail, clear] = useFailure();
  return useRun(error, fail, clear);
}

/**
 * The same on the pages anyone may open (a mailed link, a forgotten password): there may be no
 * session to end, so every failure is shown as it is.
 */
export function useOpenAction(): Action {
  const [error, setError] = useState<string>();
  return useRun(error, (err) => setError(errorText(err)), () => setError(undefined));
}

function useRun(error: string | undefined, fail: (err: unknown) => void, clear: () => void): Action {
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<unknown>) => {
    setBusy(true);
    clear();
    try {
      await call();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
