/**
 * The room's messages (role log): the bounded window, older ones loaded when the reader scrolls
 * to the top (or presses the button), the scroll position kept while they are added above, and
 * kept at the bottom as new ones arrive if the reader was there.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { refusalText } from '../api/refusal-text.js';
import type { ChatMessage } from '../protocol/events.js';
import type { PendingMessage, RoomConnection } from '../protocol/room-connection.js';
import { Avatar } from '../components/avatar.js';
import { MediaGrid, picturesOf } from '../components/media-grid.js';
import { ReportButton } from '../components/report-dialog.js';
import { messageReport } from '../components/report-subject.js';
import { snippet } from '../components/post-list.js';
import { TimeAgo } from '../components/time-ago.js';
import { readersByMessage, type TimelineWindow } from './timeline-window.js';

/** Within this many pixels of the bottom counts as at the bottom. */
const BOTTOM_SLACK_PX = 48;
/** Within this many pixels of the top, older messages load. */
const TOP_SLACK_PX = 120;

interface Props {
  timeline: TimelineWindow;
  pending: readonly PendingMessage[];
  reads: Map<number, { username: string; seq: number }>;
  meId: number;
  connection: RoomConnection;
  loadingOlder: boolean;
  loadOlder: () => void;
  setAtBottom: (atBottom: boolean) => void;
}

export function MessageList({ timeline, pending, reads, meId, connection, loadingOlder, loadOlder, setAtBottom }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  // Set before older messages go in above: the height to keep the reader's place against.
  const heightBefore = useRef<number | undefined>(undefined);
  const firstSeq = timeline.messages[0]?.seq;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (heightBefore.current !== undefined) {
      el.scrollTop += el.scrollHeight - heightBefore.current;
      heightBefore.current = undefined;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [timeline.messages, pending.length]);

  const older = () => {
    if (loadingOlder || !timeline.hasOlder) return;
    heightBefore.current = scroller.current?.scrollHeight;
    loadOlder();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    if (bottom !== atBottom.current) {
      atBottom.current = bottom;
      setAtBottom(bottom);
    }
    if (el.scrollTop < TOP_SLACK_PX) older();
  };

  const readers = useMemo(() => readersByMessage(timeline.messages, reads.values()), [timeline.messages, reads]);

  return (
    <div class="log" ref={scroller} onScroll={onScroll} role="log" aria-label="Chat history" tabIndex={0}>
      {timeline.hasOlder && (
        <button type="button" class="link" onClick={older} disabled={loadingOlder} key={`older${firstSeq}`}>
          {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
        </button>
      )}
      {!timeline.hasOlder && timeline.messages.length > 0 && <p class="muted">The beginning of the room.</p>}
      <ol class="messages">
        {timeline.messages.map((message) => (
          <MessageItem key={message.seq} message={message} own={message.user?.id === meId} connection={connection} readBy={readers.get(message.seq)} />
        ))}
        {pending.map((p) => (
          <PendingItem key={p.clientMsgId} pending={p} connection={connection} />
        ))}
      </ol>
    </div>
  );
}

/** What names a message in its buttons' group: the start of its text, or its pictures. */
function messageName(text: string | null, pictures: number): string {
  if (text) return snippet(text);
  return pictures === 1 ? 'a picture' : `${pictures} pictures`;
}

function MessageItem({ message, own, connection, readBy }: { message: ChatMessage; own: boolean; connection: RoomConnection; readBy: string[] | undefined }) {
  const [editing, setEditing] = useState(false);
  const pictures = picturesOf(message);
  const [draft, setDraft] = useState('');

  const save = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (text && text !== message.text && connection.edit(message.seq, text)) setEditing(false);
    else if (text === message.text) setEditing(false);
  };

  if (message.hidden && !message.deleted) {
    // Kept in its place, so the conversation around it still reads in order; nothing of it shows.
    return (
      <li class="message hidden">
        <p class="text muted">Message from an account you blocked</p>
      </li>
    );
  }
  const author = message.user;
  return (
    <li class={own ? 'message own' : 'message'}>
      <div class="meta">
        {message.user && (
          <>
            <Avatar user={message.user} size="small" />{' '}
          </>
        )}
        <strong>{message.user?.username ?? 'deleted'}</strong> <TimeAgo iso={message.createdAt} />
        {message.editedAt && !message.deleted && <span class="muted"> (edited)</span>}
      </div>
      {message.deleted ? (
        <p class="text muted">This message was deleted.</p>
      ) : editing ? (
        <form onSubmit={save} class="row">
          <label class="field grow">
            <span class="visually-hidden">New text</span>
            <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} autofocus onKeyDown={(e) => e.key === 'Escape' && setEditing(false)} />
          </label>
          <button type="submit">Save</button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          {(message.text || pictures.length === 0) && <p class="text">{message.text}</p>}
          <MediaGrid media={pictures} size="small" />
        </>
      )}
      {own && !message.deleted && !editing && (
        <div role="group" aria-label={`Sent by you: ${messageName(message.text, pictures.length)}`} class="actions">
          <button
            type="button"
            class="link"
            onClick={() => {
              setDraft(message.text ?? '');
              setEditing(true);
            }}
          >
            Edit
          </button>
          <button type="button" class="link" onClick={() => connection.deleteMessage(message.seq)}>
            Delete
          </button>
        </div>
      )}
      {!own && author && !message.deleted && (
        <div role="group" aria-label={`From ${author.username}: ${messageName(message.text, pictures.length)}`} class="actions">
          <ReportButton subject={messageReport(message, author)} username={author.username} class="link" />
        </div>
      )}
      {readBy && <p class="muted read-by">Read by {readBy.join(', ')}</p>}
    </li>
  );
}

function PendingItem({ pending, connection }: { pending: PendingMessage; connection: RoomConnection }) {
  const pictures = pending.mediaIds?.length ?? 0;
  return (
    <li class="message own pending">
      {pending.text && <p class="text">{pending.text}</p>}
      {pictures > 0 && <p class="muted">With {pictures === 1 ? 'a picture' : `${pictures} pictures`}</p>}
      {pending.state === 'pending' ? (
        <p class="muted">Sending…</p>
      ) : (
        <div role="group" aria-label={`Not sent: ${messageName(pending.text, pictures)}`} class="actions">
          <span class="alert">Not sent: {pending.error ? refusalText(pending.error.code, pending.error.message) : ''}</span>
          <button type="button" class="link" onClick={() => connection.retry(pending.clientMsgId)}>
            Retry
          </button>
          <button type="button" class="link" onClick={() => connection.discard(pending.clientMsgId)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}
