/**
 * Rooms: the rooms the user can see, with unread counts and the newest message, kept current by
 * the live connection's room activity, and a form to create one.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import { useLive } from '../app/live.js';
import { MAX_ROOM_NAME_CHARACTERS, type RoomSummary } from '../api/types.js';
import type { ChatMessage } from '../protocol/events.js';
import { api } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useFailure } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';
import { snippet } from '../components/post-list.js';
import { picturesOf } from '../components/media-grid.js';

export function RoomsPage() {
  const load = useCallback((cursor: string | null) => api.rooms({ cursor, limit: 50 }), []);
  const pages = usePages<RoomSummary>(load, 'rooms');
  const { update, hasMore } = pages;
  // The rooms held now, for the live listener (an update's function runs later, at render).
  const held = useRef(pages.items);
  held.current = pages.items;
  useLive(
    'roomActivity',
    useCallback(
      ({ roomId, lastSeq, unread, lastMessage }: { roomId: number; lastSeq: number; unread: number; lastMessage: ChatMessage }) => {
        const known = held.current.some((room) => room.id === roomId);
        update((rooms) => rooms.map((room) => (room.id === roomId ? { ...room, lastSeq, unread, lastMessage } : room)));
        // A room new to the list (a direct conversation someone just opened): the list is in id
        // order, so it belongs at the end once every page is here.
        if (!known && !hasMore) {
          api.room(roomId).then(
            (summary) => update((rooms) => (rooms.some((room) => room.id === roomId) ? rooms : [...rooms, summary])),
            () => undefined,
          );
        }
      },
      [update, hasMore],
    ),
  );
  return (
    <>
      <h1>Rooms</h1>
      <CreateRoom />
      <Alert message={pages.error} />
      <ul class="rooms" aria-label="Your rooms">
        {pages.items.map((room) => (
          <li key={room.id}>
            <a href={`/rooms/${room.id}`}>{room.name}</a>
            <span class="muted"> {room.kind}</span>
            {room.unread ? <span class="badge"> {room.unread} unread</span> : null}
            {room.lastMessage && <LastMessage message={room.lastMessage} />}
            {room.clients > 0 && <span class="muted"> · {room.clients} here</span>}
          </li>
        ))}
      </ul>
      {!pages.loading && pages.items.length === 0 && <p>No rooms yet: create one.</p>}
      <MoreButton pages={pages} label="Show more rooms" />
    </>
  );
}

/** The newest message of a room, after its name: who wrote what, or that they sent pictures. */
function LastMessage({ message }: { message: ChatMessage }) {
  const pictures = picturesOf(message).length;
  if (message.text) {
    return (
      <span class="muted">
        {' '}
        · {message.user?.username}: {snippet(message.text)}
      </span>
    );
  }
  if (pictures === 0 || !message.user) return null;
  return (
    <span class="muted">
      {' '}
      · {message.user.username} sent {pictures === 1 ? 'a picture' : `${pictures} pictures`}
    </span>
  );
}

function CreateRoom() {
  const [name, setName] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, fail] = useFailure();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const room = await api.createRoom(name.trim(), isPrivate ? 'private' : 'public');
      navigate(`/rooms/${room.id}`);
    } catch (err) {
      fail(err);
      setBusy(false);
    }
  };

  return (
    <form class="create-room" aria-label="Create a room" onSubmit={(e) => void submit(e)}>
      <Field label="Room name" value={name} onValue={setName} required maxLength={MAX_ROOM_NAME_CHARACTERS} />
      <label class="check">
        <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.currentTarget.checked)} /> Private
      </label>
      <button type="submit" disabled={busy || name.trim().length === 0}>
        Create room
      </button>
      <Alert message={error} />
    </form>
  );
}
