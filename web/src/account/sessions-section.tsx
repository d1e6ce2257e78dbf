/**
 * The account's sessions: each device in plain words, when it logged in and was last used, which
 * is this one, `End session` on each and `End all other sessions`. Ending this device's session
 * is logging out.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import type { ActiveSession } from '../api/types.js';
import { api } from '../app/api.js';
import { announceLogout } from '../app/logout-broadcast.js';
import { useSession } from '../app/session.js';
import { useAction, useFailure } from '../app/use-failure.js';
import { Alert } from '../components/field.js';
import { TimeAgo } from '../components/time-ago.js';
import { describeUserAgent } from './user-agent.js';

/** `version`: a new value reads the list again (a password change ended the others). */
export function SessionsSection({ version }: { version: number }) {
  const [sessions, setSessions] = useState<ActiveSession[]>();
  const [loadError, fail] = useFailure();
  const [endedOthers, setEndedOthers] = useState(false);
  const endOthers = useAction();

  useEffect(() => {
    let current = true;
    api.sessions().then(
      (answer) => current && setSessions(answer.items),
      (err: unknown) => current && fail(err),
    );
    return () => {
      current = false;
    };
  }, [version, fail]);

  const others = sessions?.filter((session) => !session.current) ?? [];
  const endAllOthers = () =>
    endOthers.run(async () => {
      await api.endOtherSessions();
      setSessions((held) => held?.filter((session) => session.current));
      setEndedOthers(true);
    });

  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p>Where your account is logged in. End any session you do not recognise, and change your password if someone else may know it.</p>
      <Alert message={loadError} />
      {sessions === undefined && !loadError && <p>Loading…</p>}
      {sessions && (
        <ul class="sessions" aria-label="Sessions">
          {sessions.map((session) => (
            <SessionRow key={session.id} session={session} onEnded={() => setSessions((held) => held?.filter((s) => s.id !== session.id))} />
          ))}
        </ul>
      )}
      <div class="row">
        <button type="button" disabled={endOthers.busy || others.length === 0} onClick={() => void endAllOthers()}>
          End all other sessions
        </button>
        <span role="status">{endedOthers ? 'Every other session has ended.' : ''}</span>
      </div>
      <Alert message={endOthers.error} />
    </section>
  );
}

function SessionRow({ session, onEnded }: { session: ActiveSession; onEnded: () => void }) {
  const account = useSession();
  const { busy, error, run } = useAction();
  const describedBy = useId();

  const end = () =>
    run(async () => {
      await api.endSession(session.id);
      if (!session.current) {
        onEnded();
        return;
      }
      // This browser's own session: it is logged out, here and in its other tabs.
      announceLogout();
      account.end();
    });

  return (
    <li>
      <span id={describedBy}>
        <strong>{describeUserAgent(session.userAgent)}</strong>
        {session.current && <span class="badge"> · This device</span>}
        <br />
        <span class="muted">
          Logged in <TimeAgo iso={session.createdAt} /> ·{' '}
          {session.lastUsedAt ? (
            <>
              last used <TimeAgo iso={session.lastUsedAt} />
            </>
          ) : (
            'not used since'
          )}
        </span>
      </span>{' '}
      <button type="button" class="link" disabled={busy} aria-describedby={describedBy} onClick={() => void end()}>
        End session
      </button>
      <Alert message={error} />
    </li>
  );
}
