/** The shell: checks the session once, then routes; logged-out visitors see only the auth pages. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { LoginPage } from '../pages/login-page.js';
import { SignupPage } from '../pages/signup-page.js';
import { api } from './api.js';
import { createLive } from './live.js';
import { onLogoutElsewhere } from './logout-broadcast.js';
import { Nav } from './nav.js';
import { Routes } from './routes.js';
import { navigate, onLinkClick, usePath } from './router.js';
import { SessionContext, type Session } from './session.js';

const AUTH_PATHS = ['/login', '/signup'];

export function App() {
  const path = usePath();
  // undefined while the first GET /me is under way.
  const [me, setMe] = useState<OwnProfile | null>();
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    api.me().then(setMe, () => setMe(null));
  }, []);

  const signedIn = useCallback((profile: OwnProfile) => {
    setNotice(undefined);
    setMe(profile);
    navigate('/', { replace: true });
  }, []);

  const session = useMemo<Session | null>(
    () =>
      me
        ? {
            me,
            refresh: () => void api.me().then(setMe, () => undefined),
            end: (text) => {
              setNotice(text);
              setMe(null);
              navigate('/login', { replace: true });
            },
          }
        : null,
    [me],
  );

  // Another tab logged out: the cookie this one used is gone too.
  useEffect(() => (session ? onLogoutElsewhere(() => session.end()) : undefined), [session]);

  // One live connection for as long as someone is signed in, made as they are (before any page's
  // effects, which may open rooms on it) and opened once the app has rendered.
  const signedInId = me?.id;
  const endRef = useRef(session?.end);
  endRef.current = session?.end;
  const live = useMemo(() => (signedInId === undefined ? undefined : createLive((notice) => endRef.current?.(notice))), [signedInId]);
  useEffect(() => {
    if (!live) return undefined;
    live.connect();
    return () => live.close();
  }, [live]);

  const onAuthPage = AUTH_PATHS.includes(path);
  useEffect(() => {
    if (me === null && !onAuthPage) navigate('/login', { replace: true });
    if (me && onAuthPage) navigate('/', { replace: true });
  }, [me, onAuthPage]);

  let page: ComponentChildren;
  if (me === undefined) page = <p>Loading…</p>;
  else if (!session) page = path === '/signup' ? <SignupPage onSignedIn={signedIn} /> : <LoginPage onSignedIn={signedIn} notice={notice} />;
  else page = <Routes path={path} />;

  return (
    <div class="app" onClick={onLinkClick}>
      <SessionContext.Provider value={session}>
        {session && <Nav />}
        <main id="main">{page}</main>
      </SessionContext.Provider>
    </div>
  );
}
