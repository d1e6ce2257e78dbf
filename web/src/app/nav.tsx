/** The navigation bar of a logged-in user. */
import { useEffect, useState } from 'preact/hooks';
import { Avatar } from '../components/avatar.js';
import { api } from './api.js';
import { announceLogout } from './logout-broadcast.js';
import { usePath } from './router.js';
import { useSession } from './session.js';
import { forgetUnreadNotifications, useUnreadNotifications } from './unread-notifications.js';

const LINKS = [
  { href: '/', label: 'Home' },
  { href: '/rooms', label: 'Rooms' },
  { href: '/people', label: 'People' },
  { href: '/search', label: 'Search' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/settings', label: 'Settings' },
];
/** Shown only to those whose role lets them moderate: anyone else would be refused. */
const MODERATION_LINK = { href: '/admin', label: 'Moderation' };

export function Nav() {
  const session = useSession();
  const path = usePath();
  const [busy, setBusy] = useState(false);
  const unread = useUnreadNotifications();

  // The live connection keeps the count (app.tsx); the next person starts from nothing.
  useEffect(() => forgetUnreadNotifications, []);

  const logOut = async () => {
    setBusy(true);
    // Whatever the answer, this browser is logged out: the cookie is cleared or the session is gone.
    await api.logout().catch(() => undefined);
    announceLogout();
    session.end();
  };

  const current = (href: string) => (href === '/' ? path === '/' : path.startsWith(href));
  const links = session.me.role === 'moderator' || session.me.role === 'admin' ? [...LINKS, MODERATION_LINK] : LINKS;
  return (
    <nav class="nav" aria-label="Main">
      <span class="brand">murmur</span>
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <a href={link.href} aria-current={current(link.href) ? 'page' : undefined}>
              {link.href === '/notifications' && unread > 0 ? `${link.label} (${unread})` : link.label}
            </a>
          </li>
        ))}
      </ul>
      <span class="who">
        <Avatar user={session.me} size="small" /> @{session.me.username}
      </span>
      <button type="button" onClick={() => void logOut()} disabled={busy}>
        Log out
      </button>
    </nav>
  );
}
