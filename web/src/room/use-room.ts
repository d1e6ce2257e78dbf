/**
 * A chat room for a page: one RoomConnection (the protocol module), subscribed over the app's
 * live connection, and the state the page shows,
 * kept from its events: the window of messages, pending ones, who is here, who is typing, who
 * has read up to where.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Member } from '../api/types.js';
import type { ApiClient } from '../api/client.js';
import type { PublicUser } from '../protocol/events.js';
import { RoomConnection, type ConnectionStatus, type PendingMessage, type ProtocolError } from '../protocol/room-connection.js';
import { isUnauthorized } from '../app/api.js';
import { liveRoomSocket } from '../app/live.js';
import { ACCOUNT_SUSPENDED_NOTICE } from '../app/session.js';
import {
  appendLive,
  applyDeletion,
  applyEdit,
  EMPTY_WINDOW,
  fromHistory,
  prependOlder,
  replaceWithLatest,
  type TimelineWindow,
} from './timeline-window.js';

/** How long "is typing…" shows after the last typing event (the sender repeats it every 3 s while typing). */
const TYPING_SHOWN_MS = 5_000;
const PAGE_MESSAGES = 50;
/** Members whose read markers a join loads (one page); markers of the rest arrive as they move. */
const READ_MARKERS_LOADED = 100;

export interface RoomState {
  status: ConnectionStatus;
  timeline: TimelineWindow;
  pending: readonly PendingMessage[];
  here: PublicUser[];
  typing: PublicUser[];
  /** Each other member's read marker, by user id. */
  reads: Map<number, { username: string; seq: number }>;
  error: ProtocolError | undefined;
  loadingOlder: boolean;
}

export interface RoomControls {
  connection: RoomConnection;
  loadOlder: () => void;
  jumpToLatest: () => void;
  /** Tells the hook whether the reader sees the bottom of the list: only then are live messages trimmed and read. */
  setAtBottom: (atBottom: boolean) => void;
  clearError: () => void;
}

/**
 * `onSessionEnded` runs when the server ends the session, with what to tell the person (a
 * suspension says so).
 */
export function useRoom(api: ApiClient, roomId: number, me: PublicUser, onSessionEnded: (notice?: string) => void): [RoomState, RoomControls] {
  const connection = useMemo(
    () =>
      new RoomConnection({
        url: api.joinUrl(roomId, location.origin),
        // The room is a subscription on the app's one live connection.
        createSocket: (url) => liveRoomSocket(roomId, url),
        checkSession: () => api.me().then(
          () => true,
          (err: unknown) => !isUnauthorized(err),
        ),
      }),
    [api, roomId],
  );
  const [status, setStatus] = useState<ConnectionStatus>(connection.status);
  const [timeline, setTimeline] = useState<TimelineWindow>(EMPTY_WINDOW);
  const [pending, setPending] = useState<readonly PendingMessage[]>([]);
  const [here, setHere] = useState<PublicUser[]>([]);
  const [typingUntil, setTypingUntil] = useState<Map<number, { user: PublicUser; until: number }>>(new Map());
  const [reads, setReads] = useState<Map<number, { username: string; seq: number }>>(new Map());
  const [error, setError] = useState<ProtocolError>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const atBottom = useRef(true);
  const timelineRef = useRef(timeline);
  timelineRef.current = timeline;

  const markRead = useCallback(() => {
    const seq = connection.lastSeq;
    if (seq && atBottom.current && timelineRef.current.atLatest && document.visibilityState === 'visible') connection.markRead(seq);
  }, [connection]);

  useEffect(() => {
    const offs = [
      connection.on('status', (next) => {
        setStatus(next);
        if (next === 'session-ended') onSessionEnded();
        if (next === 'suspended') onSessionEnded(ACCOUNT_SUSPENDED_NOTICE);
        // Who is here now: events only tell of changes, so ask after every (re)join. The answer
        // may come before the server lists this socket, and whoever is connected is here.
        if (next === 'open') void api.roomClients(roomId).then((users) => setHere(withMe(users, me)), () => undefined);
        // Where the others had read to before this join; live `read` events move the markers on.
        if (next === 'open') void api.roomMembers(roomId, { limit: READ_MARKERS_LOADED }).then((page) => setReads((r) => withReadMarkers(r, page.items, me.id)), () => undefined);
      }),
      connection.on('history', (history) => {
        setTimeline(fromHistory(history.messages));
        queueMicrotask(markRead);
      }),
      connection.on('message', (message) => {
        setTimeline((w) => appendLive(w, message, atBottom.current));
        if (message.user) {
          const author = message.user;
          setTypingUntil((t) => (t.has(author.id) ? withoutKey(t, author.id) : t));
        }
        queueMicrotask(markRead);
      }),
      connection.on('edited', (edit) => setTimeline((w) => applyEdit(w, edit))),
      connection.on('deleted', (deletion) => setTimeline((w) => applyDeletion(w, deletion))),
      connection.on('pending', setPending),
      connection.on('joined', (user) => setHere((list) => (list.some((u) => u.id === user.id) ? list : [...list, user]))),
      connection.on('left', (user) => setHere((list) => list.filter((u) => u.id !== user.id))),
      connection.on('typing', (user) => setTypingUntil((t) => new Map(t).set(user.id, { user, until: Date.now() + TYPING_SHOWN_MS }))),
      connection.on('read', ({ user, seq }) => {
        if (user.id !== me.id) setReads((r) => new Map(r).set(user.id, { username: user.username, seq }));
      }),
      connection.on('error', setError),
      // The resume skipped older messages: show the newest and let the reader page back.
      connection.on('resumeGap', () => jumpToLatest()),
    ];
    const online = () => connection.reconnectNow();
    const visible = () => markRead();
    addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    connection.connect();
    return () => {
      for (const off of offs) off();
      removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      connection.close();
    };
  }, [connection]);

  // Typing notices expire on their own.
  useEffect(() => {
    if (typingUntil.size === 0) return;
    const next = Math.min(...[...typingUntil.values()].map((t) => t.until));
    const timer = setTimeout(() => {
      const now = Date.now();
      setTypingUntil((t) => new Map([...t].filter(([, v]) => v.until > now)));
    }, Math.max(0, next - Date.now()));
    return () => clearTimeout(timer);
  }, [typingUntil]);

  const loadOlder = useCallback(() => {
    const oldest = timelineRef.current.messages[0];
    if (loadingOlder || !timelineRef.current.hasOlder || !oldest) return;
    setLoadingOlder(true);
    api.roomMessages(roomId, { cursor: String(oldest.seq), limit: PAGE_MESSAGES }).then(
      (page) => {
        setTimeline((w) => prependOlder(w, page.items, page.nextCursor !== null));
        setLoadingOlder(false);
      },
      (err: unknown) => {
        setLoadingOlder(false);
        if (isUnauthorized(err)) onSessionEnded();
      },
    );
  }, [api, roomId, loadingOlder, onSessionEnded]);

  const jumpToLatest = useCallback(() => {
    // Live messages append from now on; the page fills in what came before them.
    setTimeline((w) => ({ ...w, atLatest: true, unseen: 0, messages: [] }));
    api.roomMessages(roomId, { limit: PAGE_MESSAGES }).then(
      (page) => setTimeline((w) => replaceWithLatest(w, page.items, page.nextCursor !== null)),
      (err: unknown) => {
        if (isUnauthorized(err)) onSessionEnded();
      },
    );
  }, [api, roomId, onSessionEnded]);

  const typing = useMemo(() => [...typingUntil.values()].map((t) => t.user), [typingUntil]);

  return [
    { status, timeline, pending, here, typing, reads, error, loadingOlder },
    {
      connection,
      loadOlder,
      jumpToLatest,
      setAtBottom: (value) => {
        atBottom.current = value;
        if (value) markRead();
      },
      clearError: () => setError(undefined),
    },
  ];
}

function withoutKey<K, V>(map: Map<K, V>, key: K): Map<K, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

/** The markers with those of `members` (not the reader's own), keeping whichever seq is further. */
function withReadMarkers(
  reads: Map<number, { username: string; seq: number }>,
  members: readonly Member[],
  myId: number,
): Map<number, { username: string; seq: number }> {
  const next = new Map(reads);
  for (const member of members) {
    if (member.id === myId || member.readSeq === 0) continue;
    if ((next.get(member.id)?.seq ?? 0) < member.readSeq) next.set(member.id, { username: member.username, seq: member.readSeq });
  }
  return next;
}

function withMe(users: PublicUser[], me: PublicUser): PublicUser[] {
  return users.some((u) => u.id === me.id) ? users : [me, ...users];
}
