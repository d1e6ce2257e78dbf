/** A chat room: messages, who is here, who is typing, the connection's state, and the composer. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { refusalText } from '../api/refusal-text.js';
import type { RoomSummary } from '../api/types.js';
import type { ConnectionStatus } from '../protocol/room-connection.js';
import { api, unlessNotFound } from '../app/api.js';
import { ACCOUNT_SUSPENDED_NOTICE, SESSION_ENDED_NOTICE, useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Alert } from '../components/field.js';
import { MessageComposer } from '../room/message-composer.js';
import { MessageList } from '../room/message-list.js';
import { useRoom } from '../room/use-room.js';
import { NotFoundPage } from './not-found-page.js';

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Connection lost. Reconnecting…',
  'session-ended': 'Your session ended.',
  suspended: ACCOUNT_SUSPENDED_NOTICE,
  removed: 'You are no longer a member of this room.',
  blocked: 'One of you has blocked the other: this conversation is closed.',
  failed: 'The connection failed. Reload the page.',
  closed: 'Disconnected.',
};

/** The room can take no more messages from this person. */
const CLOSED_STATUSES: readonly ConnectionStatus[] = ['session-ended', 'suspended', 'removed', 'blocked'];

export function RoomPage({ roomId }: { roomId: number }) {
  // undefined while looking, null when the room does not exist or is not the caller's to see.
  const [room, setRoom] = useState<RoomSummary | null>();
  const [error, fail] = useFailure();
  useEffect(() => {
    // A room that does not exist or is not the caller's to see answers 404.
    unlessNotFound(api.room(roomId)).then((found) => setRoom(found ?? null), fail);
  }, [roomId, fail]);
  if (room === null) return <NotFoundPage />;
  if (!room) return error ? <Alert message={error} /> : <p>Loading…</p>;
  return <RoomView room={room} />;
}

function RoomView({ room }: { room: RoomSummary }) {
  const roomId = room.id;
  const session = useSession();
  const me = { id: session.me.id, username: session.me.username };
  const ended = useCallback((notice = SESSION_ENDED_NOTICE) => session.end(notice), [session]);
  const [state, controls] = useRoom(api, roomId, me, ended);
  const typingText = typingSentence(state.typing.map((u) => u.username));

  return (
    <div class="room">
      <header class="room-head">
        <h1>{room.name}</h1>
        {room.kind !== 'direct' && (
          <a href={`/rooms/${roomId}/members`}>{room.kind === 'private' ? 'Manage members' : 'Members'}</a>
        )}
        <p role="status" aria-label="Connection" class={`conn conn-${state.status}`}>
          {STATUS_TEXT[state.status]}
        </p>
      </header>
      <div class="room-body">
        <div class="room-main">
          <MessageList
            timeline={state.timeline}
            pending={state.pending}
            reads={state.reads}
            meId={me.id}
            connection={controls.connection}
            loadingOlder={state.loadingOlder}
            loadOlder={controls.loadOlder}
            setAtBottom={controls.setAtBottom}
          />
          {!state.timeline.atLatest && (
            <button type="button" onClick={controls.jumpToLatest}>
              Jump to the newest{state.timeline.unseen ? ` (${state.timeline.unseen} new)` : ''}
            </button>
          )}
          <p role="status" aria-label="Typing" class="typing">
            {typingText}
          </p>
          {state.error && (
            <div class="row">
              <Alert message={refusalText(state.error.code, state.error.message)} />
              <button type="button" class="link" onClick={controls.clearError}>
                Dismiss
              </button>
            </div>
          )}
          <MessageComposer roomId={roomId} connection={controls.connection} closed={CLOSED_STATUSES.includes(state.status)} />
        </div>
        <section class="here" aria-label="Who is here">
          <h2>Who is here</h2>
          <ul>
            {state.here.map((user) => (
              <li key={user.id}>
                <a href={`/users/${user.id}`}>{user.username}</a>
                {user.id === me.id ? ' (you)' : ''}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}

function typingSentence(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
