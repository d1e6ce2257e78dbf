/**
 * What the stream benchmark and its client processes tell each other over IPC. Each process holds
 * a share of the people's connections for the whole run, phase after phase: the room load, the
 * timeline posts, the notifications.
 */

/** How the people connect: one `/ws/stream` each (subscribed to one room), or one `/ws/joinRoom` socket in that room. */
export type ConnectionKind = 'stream' | 'joinRoom';

export interface PersonConnection {
  token: string;
  /** The room the person has open: subscribed to on the stream, or joined. */
  roomId: number;
}

export interface ClientsConfig {
  kind: ConnectionKind;
  /** ws:// base of ws-service. */
  url: string;
  people: PersonConnection[];
  /** Connections opening at once in this process. */
  connectBatch: number;
}

/** A joinRoom socket in a quiet room that sends messages mentioning other members. */
export interface MentionSender {
  token: string;
  roomId: number;
  /** Usernames of members it mentions, in turn. */
  mention: string[];
}

export type ParentMessage =
  | { type: 'config'; config: ClientsConfig }
  /** Every connection sends into its open room at Poisson gaps, `perSecond` on average, for `durationMs`. */
  | { type: 'load'; perSecond: number; durationMs: number }
  /** The senders connect (each sends one mention to warm up), before the measured period. */
  | { type: 'mention-connect'; senders: MentionSender[] }
  /** Each connected sender sends mentions at Poisson gaps for `durationMs`; then they close. */
  | { type: 'mentions'; perSecond: number; durationMs: number }
  | { type: 'stop' };

/** seq order over what one process's connections received of each room. */
export interface SeqCheck {
  checked: number;
  /** seq ≤ the last one seen for that room on that connection: repeated or out of order. */
  outOfOrder: number;
  /** seq > last + 1: events skipped. */
  gaps: number;
}

export interface RoomLoadReport {
  type: 'load-report';
  sent: number;
  /** `message` events on the connections that have the room open (the sender's own copy included). */
  messages: number;
  messageLatenciesMs: number[];
  messageOrder: SeqCheck;
  /** `room_activity` events on streams that do not have the room open. */
  activity: number;
  activityLatenciesMs: number[];
  /** `lastSeq` of each watched room, per connection. */
  activityOrder: SeqCheck;
  /** From the start to the last event received, ms. */
  lastEventMs: number;
  /** This process's CPU over the send phase, as a share of one core. */
  coreShare: number;
  /** The 99th percentile of this process's event-loop delay over the send phase, ms. */
  loopDelayP99Ms: number;
  errors: number;
  firstError?: string;
}

export interface MentionReport {
  type: 'mention-report';
  senders: number;
  sent: number;
  /** Send → the sender's own copy (the acknowledgement). */
  ackLatenciesMs: number[];
  /** `room_activity` events the streams received meanwhile (each mention is a message of a room they watch). */
  activity: number;
  coreShare: number;
  errors: number;
  firstError?: string;
}

/** A `notification` event as received; chat ones carry their message's send time in its text. */
export interface NotificationSeen {
  type: string;
  accountId: number;
  postId?: number;
  sentAtMs?: number;
  atMs: number;
}

/** What the streams received of the person's own events since the last batch, pushed every ~100 ms. */
export interface Observed {
  type: 'observed';
  /** [post id, received at] of each `timeline` event. */
  timeline: Array<[number, number]>;
  notifications: NotificationSeen[];
}

export type ChildMessage =
  | { type: 'ready'; connected: number; connectMs: number; errors: number; firstError?: string }
  | RoomLoadReport
  | { type: 'mention-ready'; senders: number; errors: number }
  | MentionReport
  | Observed
  | { type: 'failed'; message: string };

/** The send time a message's text ends with (`<ms>` or `@name <ms>`), comparable across processes. */
export const sentAtOf = (text: string) => Number(text.slice(text.lastIndexOf(' ') + 1));
