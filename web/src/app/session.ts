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

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in page');
  return session;
}
