/**
 * The shell: checks the session once, then routes; logged-out visitors see only the auth pages,
 * and the pages of mailed links (a password reset, an email verification) open either way.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { OwnProfile } from '../api/types.js';
import { ForgotPasswordPage } from '../pages/forgot-password-page.js';
import { LoginPage } from '../pages/login-page.js';
import { ResetPasswordPage } from '../pages/reset-password-page.js';
import { SignupPage } from '../pages/signup-page.js';
import { VerifyEmailPage } from '../pages/verify-email-page.js';
import { api } from './api.js';
import { createLive } from './live.js';
import { onLogoutElsewhere } from './logout-broadcast.js';
import { Nav } from './nav.js';
import { Routes } from './routes.js';
import { navigate, onLinkClick, usePath } from './router.js';
import { SessionContext, type Session } from './session.js';
import { SignInNotice } from './sign-in-notice.js';

const AUTH_PATHS = ['/login', '/signup', '/forgot-password'];
/** The pages mailed links open: each works logged in or not. */
const LINK_PATHS = ['/reset-password', '/verify-email'];

export function App() {
  const path = usePath();
  // undefined while the first GET /me is under way.
  const [me, setMe] = useState<OwnProfile | null>();
  // What the login page says (the session ended, the password was reset).
  const [notice, setNotice] = useState<string>();
  // What a person is told once logged in (failed attempts since their last login).
  const [signInNotice, setSignInNotice] = useState<string>();

  useEffect(() => {
    api.me().then(setMe, () => setMe(null));
  }, []);

  const signedIn = useCallback((profile: OwnProfile, told?: string) => {
    setNotice(undefined);
    setSignInNotice(told);
    setMe(profile);
    navigate('/', { replace: true });
  }, []);

  const toLogin = useCallback((text?: string) => {
    setNotice(text);
    setSignInNotice(undefined);
    setMe(null);
    navigate('/login', { replace: true });
  }, []);

  const refreshMe = useCallback(() => void api.me().then(setMe, () => undefined), []);

  const session = useMemo<Session | null>(() => (me ? { me, refresh: refreshMe, end: toLogin } : null), [me, refreshMe, toLogin]);

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
  const onLinkPage = LINK_PATHS.includes(path);
  useEffect(() => {
    if (me === null && !onAuthPage && !onLinkPage) navigate('/login', { replace: true });
    if (me && onAuthPage) navigate('/', { replace: true });
  }, [me, onAuthPage, onLinkPage]);

  let page: ComponentChildren;
  // A mailed link's page renders at once, before the session is known, so it takes its token out
  // of the address bar before the app sends any request.
  if (path === '/reset-password') page = <ResetPasswordPage onReset={toLogin} />;
  else if (path === '/verify-email') page = <VerifyEmailPage onVerified={refreshMe} />;
  else if (me === undefined) page = <p>Loading…</p>;
  else if (!session) page = loggedOutPage(path, signedIn, notice);
  else page = <Routes path={path} />;

  return (
    <div class="app" onClick={onLinkClick}>
      <SessionContext.Provider value={session}>
        {session && <Nav />}
        <main id="main">
          {session && signInNotice && <SignInNotice text={signInNotice} onDismiss={() => setSignInNotice(undefined)} />}
          {page}
        </main>
      </SessionContext.Provider>
    </div>
  );
}

function loggedOutPage(path: string, signedIn: (profile: OwnProfile, told?: string) => void, notice: string | undefined): ComponentChildren {
  if (path === '/signup') return <SignupPage onSignedIn={signedIn} />;
  if (path === '/forgot-password') return <ForgotPasswordPage />;
  return <LoginPage onSignedIn={signedIn} notice={notice} />;
}
