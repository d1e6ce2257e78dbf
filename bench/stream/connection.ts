/**
 * One person's connection in a client process, and what it tallies of what it receives. A stream
 * is ready once it has `ready` and then, after its `subscribe`, the open room's `history`; a
 * joinRoom socket once it has its `history`. Every event line is parsed: at a few thousand events
 * per second per process that costs a few percent of a core, and it lets every delivery carry
 * its latency (each message's text ends with its send time, `room_activity` shows that text
 * too) instead of a sample.
 */
import WebSocket from 'ws';
import { nowMs } from '../fanout/protocol.js';
import { sentAtOf, type ConnectionKind, type NotificationSeen, type SeqCheck } from './protocol.js';

/** How long a connection may take to be ready before it counts as failed. */
const READY_TIMEOUT_MS = 60_000;

const newSeqCheck = (): SeqCheck => ({ checked: 0, outOfOrder: 0, gaps: 0 });

/** What one phase's connections received. */
export class Tally {
  messages = 0;
  readonly messageLatenciesMs: number[] = [];
  readonly messageOrder = newSeqCheck();
  activity = 0;
  readonly activityLatenciesMs: number[] = [];
  readonly activityOrder = newSeqCheck();
  /** performance.now() of the last message or activity event. */
  lastEventAt = 0;
  errors = 0;
  firstError: string | undefined;

  error(err: unknown): void {
    this.errors += 1;
    this.firstError ??= err instanceof Error ? err.message : String(err);
  }
}

/** A connection's own events, kept until the process pushes them to the benchmark. */
export interface PersonEvents {
  timeline: Array<[number, number]>;
  notifications: NotificationSeen[];
}

/** Where a connection counts: the tally of the phase running now, and the person's own events. */
export interface ConnectionSink {
  tally(): Tally;
  readonly events: PersonEvents;
  /** True once the process closes its connections: closes from then on are its own. */
  readonly closing: boolean;
}

/** Counts `seq` against the last one seen in `check`; returns the new last seq. */
function checkSeq(check: SeqCheck, last: number | undefined, seq: number): number {
  check.checked += 1;
  if (last !== undefined) {
    if (seq <= last) check.outOfOrder += 1;
    else if (seq > last + 1) check.gaps += 1;
  }
  return last === undefined ? seq : Math.max(last, seq);
}

interface ChatLine {
  type: string;
  roomId?: number;
  seq?: number;
  lastSeq?: number;
  text?: string;
  code?: string;
  message?: string;
  lastMessage?: { text: string | null };
  item?: { id: number };
  notification?: { type: string; account: { id: number }; post?: { id: number }; message?: { text: string } };
}

export class PersonSocket {
  /** The newest seq of the open room seen here. */
  private lastSeq: number | undefined;
  /** Each watched room's newest `room_activity` lastSeq seen here. */
  private readonly activitySeq = new Map<number, number>();
  private ready = false;

  private constructor(
    private readonly socket: WebSocket,
    private readonly kind: ConnectionKind,
    readonly roomId: number,
    private readonly sink: ConnectionSink,
    private readonly becomeReady: () => void,
  ) {}

  /** Opens a connection and resolves once it is ready (it has its open room's history). */
  static open(url: string, kind: ConnectionKind, token: string, roomId: number, sink: ConnectionSink): Promise<PersonSocket> {
    return new Promise((resolve, reject) => {
      const path = kind === 'stream' ? '/ws/stream' : `/ws/joinRoom/${roomId}`;
      const socket = new WebSocket(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
      let lost = false;
      /** Before ready, the connection failed; after, it was lost (counted once). */
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (!connection.ready) reject(err);
        else if (!lost) {
          lost = true;
          sink.tally().error(err);
        }
      };
      const timer = setTimeout(() => {
        socket.terminate();
        fail(new Error(`not ready within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      const connection = new PersonSocket(socket, kind, roomId, sink, () => {
        clearTimeout(timer);
        resolve(connection);
      });
      socket.on('message', (data: Buffer) => connection.onFrame(data.toString()));
      socket.once('unexpected-response', (req, res) => {
        req.destroy();
        fail(new Error(`upgrade refused: ${res.statusCode}`));
      });
      socket.on('error', fail);
      socket.once('close', (code, reason) => {
        if (!sink.closing) fail(new Error(`closed by the server: ${code} ${reason.toString()}`));
      });
    });
  }

  /** Sends a chat message into the open room. */
  send(text: string): void {
    const frame = this.kind === 'stream' ? { type: 'message', roomId: this.roomId, text } : { type: 'message', text };
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.terminate();
  }

  /** A frame holds one event per line. */
  private onFrame(data: string): void {
    const now = nowMs();
    for (const line of data.split('\n')) {
      let event: ChatLine;
      try {
        event = JSON.parse(line) as ChatLine;
      } catch {
        this.sink.tally().error(new Error(`not JSON: ${line.slice(0, 100)}`));
        continue;
      }
      this.onEvent(event, now);
    }
  }

  private onEvent(event: ChatLine, now: number): void {
    const tally = this.sink.tally();
    switch (event.type) {
      case 'ready':
        // The stream is set up: open the room.
        this.socket.send(JSON.stringify({ type: 'subscribe', roomId: this.roomId }));
        return;
      case 'history':
        if (event.roomId !== this.roomId || this.ready) return;
        this.lastSeq = event.lastSeq;
        this.ready = true;
        this.becomeReady();
        return;
      case 'message':
        if (event.roomId !== this.roomId) {
          tally.error(new Error(`a message of room ${event.roomId}, not the open room ${this.roomId}`));
          return;
        }
        tally.messages += 1;
        tally.lastEventAt = performance.now();
        tally.messageLatenciesMs.push(now - sentAtOf(event.text!));
        this.lastSeq = checkSeq(tally.messageOrder, this.lastSeq, event.seq!);
        return;
      case 'room_activity': {
        const roomId = event.roomId!;
        tally.activity += 1;
        tally.lastEventAt = performance.now();
        const text = event.lastMessage?.text;
        if (text) tally.activityLatenciesMs.push(now - sentAtOf(text));
        this.activitySeq.set(roomId, checkSeq(tally.activityOrder, this.activitySeq.get(roomId), event.lastSeq!));
        return;
      }
      case 'timeline':
        this.sink.events.timeline.push([event.item!.id, now]);
        return;
      case 'notification': {
        const { type, account, post, message } = event.notification!;
        this.sink.events.notifications.push({
          type,
          accountId: account.id,
          ...(post ? { postId: post.id } : {}),
          ...(message ? { sentAtMs: sentAtOf(message.text) } : {}),
          atMs: now,
        });
        return;
      }
      case 'error':
        tally.error(new Error(`error event ${event.code}: ${event.message}`));
        return;
      default:
        // presence, typing, read markers: not measured here.
        return;
    }
  }
}
