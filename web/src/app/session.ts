/** Who is logged in, for every page: the profile `GET /me` answered, or null. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';

export interface Session {
  me: OwnProfile;
  /** Refetches the profile (its counts changed). */
  refresh: () => void;
  /** The session ended (logout here or elsewhere, account deleted): back to the login page. */
  end: (notice?: string) => void;
}

/** What the login page says after the server ended the session. */
export const SESSION_ENDED_NOTICE = 'Your session ended. Log in again.';
/** What it says after a moderator suspended the account (its sessions end with it). */
export const ACCOUNT_SUSPENDED_NOTICE = 'This account is suspended.';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in page');
  return session;
}
