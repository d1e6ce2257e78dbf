/** The logged-in pages by path. */
import { ADMIN_VIEWS, AdminPage } from '../pages/admin-page.js';
import { HomePage } from '../pages/home-page.js';
import { NotFoundPage } from '../pages/not-found-page.js';
import { NotificationsPage } from '../pages/notifications-page.js';
import { PeoplePage } from '../pages/people-page.js';
import { PostPage } from '../pages/post-page.js';
import { ProfilePage } from '../pages/profile-page.js';
import { RelationsPage } from '../pages/relations-page.js';
import { RoomMembersPage } from '../pages/room-members-page.js';
import { RoomPage } from '../pages/room-page.js';
import { RoomsPage } from '../pages/rooms-page.js';
import { SearchPage } from '../pages/search-page.js';
import { BlockedAccountsPage, MutedAccountsPage } from '../pages/safety-list-page.js';
import { SecurityPage } from '../pages/security-page.js';
import { SettingsPage } from '../pages/settings-page.js';
import { TagPage } from '../pages/tag-page.js';
import { match } from './router.js';

const id = (value: string | undefined) => (value && /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : undefined);
/** Post ids are bigint: up to the largest integer a number holds exactly. */
const postId = (value: string | undefined) => (value && /^[1-9][0-9]{0,15}$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined);

export function Routes({ path }: { path: string }) {
  if (match('/', path)) return <HomePage />;
  if (match('/people', path)) return <PeoplePage />;
  if (match('/search', path)) return <SearchPage />;
  if (match('/rooms', path)) return <RoomsPage />;
  if (match('/settings', path)) return <SettingsPage />;
  if (match('/settings/blocked', path)) return <BlockedAccountsPage />;
  if (match('/settings/muted', path)) return <MutedAccountsPage />;
  if (match('/settings/security', path)) return <SecurityPage />;
  const adminView = ADMIN_VIEWS.find((v) => match(v.href, path));
  if (adminView) return <AdminPage view={adminView.view} />;
  if (match('/notifications', path)) return <NotificationsPage />;
  let params = match('/users/:id', path);
  const userId = id(params?.id);
  if (params && userId) return <ProfilePage key={userId} userId={userId} />;
  for (const direction of ['followers', 'following'] as const) {
    params = match(`/users/:id/${direction}`, path);
    const listId = id(params?.id);
    if (params && listId) return <RelationsPage key={`${direction}${listId}`} userId={listId} direction={direction} />;
  }
  params = match('/posts/:id', path);
  const post = postId(params?.id);
  if (params && post) return <PostPage key={post} postId={post} />;
  params = match('/tags/:tag', path);
  if (params?.tag) return <TagPage key={params.tag} tag={params.tag} />;
  params = match('/rooms/:id', path);
  const roomId = id(params?.id);
  if (params && roomId) return <RoomPage key={roomId} roomId={roomId} />;
  params = match('/rooms/:id/members', path);
  const membersRoomId = id(params?.id);
  if (params && membersRoomId) return <RoomMembersPage key={membersRoomId} roomId={membersRoomId} />;
  return <NotFoundPage />;
}
