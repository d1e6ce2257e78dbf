/** A room's members: the owner and moderators add and remove them, the owner sets roles, anyone leaves. */
import { useCallback, useState } from 'preact/hooks';
import type { Member } from '../api/types.js';
import { api } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';

export function RoomMembersPage({ roomId }: { roomId: number }) {
  const { me } = useSession();
  const load = useCallback((cursor: string | null) => api.roomMembers(roomId, { cursor, limit: 100 }), [roomId]);
  const pages = usePages<Member>(load, roomId);
  const [error, fail, clear] = useFailure();
  const [username, setUsername] = useState('');

  // Members are in user id order: the caller's own entry may be on a later page until it is loaded.
  const myRole = pages.items.find((m) => m.id === me.id)?.role;
  const canManage = myRole === 'owner' || myRole === 'moderator';

  const replace = (member: Member) => pages.update((items) => (items.some((m) => m.id === member.id) ? items.map((m) => (m.id === member.id ? member : m)) : [...items, member]));

  const act = async (action: () => Promise<void>) => {
    clear();
    try {
      await action();
    } catch (err) {
      fail(err);
    }
  };

  const add = (event: Event) => {
    event.preventDefault();
    const wanted = username.trim();
    void act(async () => {
      const found = (await api.searchUsers(wanted, { limit: 20 })).items.find((u) => u.username.toLowerCase() === wanted.toLowerCase());
      if (!found) throw new Error(`No user is called ${wanted}.`);
      replace(await api.addMember(roomId, found.id));
      setUsername('');
    });
  };

  const remove = (member: Member) =>
    act(async () => {
      await api.removeMember(roomId, member.id);
      if (member.id === me.id) navigate('/rooms');
      else pages.update((items) => items.filter((m) => m.id !== member.id));
    });

  const setRole = (member: Member, role: 'moderator' | 'member') => act(async () => replace(await api.addMember(roomId, member.id, role)));

  return (
    <>
      <h1>Members</h1>
      <p>
        <a href={`/rooms/${roomId}`}>Back to the room</a>
      </p>
      <Alert message={pages.error ?? error} />
      {canManage && (
        <form class="row" aria-label="Add a member" onSubmit={add}>
          <Field label="Username to add" value={username} onValue={setUsername} required />
          <button type="submit">Add member</button>
        </form>
      )}
      <ul class="members" aria-label="Members">
        {pages.items.map((member) => (
          <li key={member.id}>
            <a href={`/users/${member.id}`}>{member.username}</a> <span class="muted">{member.role}</span>
            {myRole === 'owner' && member.role !== 'owner' && (
              <button type="button" class="link" onClick={() => void setRole(member, member.role === 'moderator' ? 'member' : 'moderator')}>
                {member.role === 'moderator' ? `Make ${member.username} a member` : `Make ${member.username} a moderator`}
              </button>
            )}
            {member.id !== me.id && member.role !== 'owner' && canManage && (myRole === 'owner' || member.role === 'member') && (
              <button type="button" class="link" onClick={() => void remove(member)}>
                Remove {member.username}
              </button>
            )}
            {member.id === me.id && (
              <button type="button" class="link" onClick={() => void remove(member)}>
                Leave the room
              </button>
            )}
          </li>
        ))}
      </ul>
      <MoreButton pages={pages} label="Show more members" />
    </>
  );
}
