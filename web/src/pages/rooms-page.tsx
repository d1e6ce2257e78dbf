/** Rooms: the rooms the user can see, with unread counts, and a form to create one. */
import { useCallback, useState } from 'preact/hooks';
import { MAX_ROOM_NAME_CHARACTERS, type RoomSummary } from '../api/types.js';
import { api } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useFailure } from '../app/use-failure.js';
import { Alert, Field } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';

export function RoomsPage() {
  const load = useCallback((cursor: string | null) => api.rooms({ cursor, limit: 50 }), []);
  const pages = usePages<RoomSummary>(load, 'rooms');
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
            {room.clients > 0 && <span class="muted"> · {room.clients} here</span>}
          </li>
        ))}
      </ul>
      {!pages.loading && pages.items.length === 0 && <p>No rooms yet: create one.</p>}
      <MoreButton pages={pages} label="Show more rooms" />
    </>
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
