/**
 * The Redis broker: joins the instances of a cluster through Redis pub/sub (compare centrifuge's
 * broker_redis.go and socket.io's Redis adapter). Each room has a channel, `<prefix>room:<id>`,
 * and each person, `<prefix>user:<id>` (where user-service publishes too: see
 * @murmur/shared/live-events); every instance receives every channel's events and the hub
 * delivers them to its local clients, if it has any in that room or of that person.
 *
 * One subscriber connection per instance, subscribed once to the patterns `<prefix>room:*` and
 * `<prefix>user:*`,
 * rather than a SUBSCRIBE per room: a client registered with the hub receives the room's events
 * at once, with no window between its join and a per-room SUBSCRIBE's confirmation in which
 * another instance's events would be lost, and there is no per-room subscription state to
 * rebuild after a reconnect. The price is that an instance also reads the events of rooms it has
 * no clients in; that is one small string per event per instance, fine for a handful of
 * instances (per-room channels keep the switch to SUBSCRIBE open if that changes).
 *
 * The payload is `<origin>[ <seq> <authorId> <kind> <target>]\n<event JSON>`: the event's JSON,
 * already encoded once, travels as it is and is handed to every local client as the same string;
 * the receiving instance neither parses nor re-encodes it. A stored event carries its seq, author,
 * kind and target message in the header, so the receiver can order it, apply an edit or deletion
 * to its recent history and tombstone it without parsing.
 *
 * Stored messages whose publish fails (Redis down) are kept, up to `MAX_UNSENT_MESSAGES`, and
 * published again once Redis answers; receivers drop what they already have by seq. Those beyond
 * the bound are found anyway: a receiver reads a gap from the database.
 */
import { EventEmitter, once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '@murmur/shared/logger';
import { decodeRedisLiveEvent, encodeRedisLiveEvent, personChannel } from '@murmur/shared/live-events';
import { isPersonMessage, isSequenced, type Broker, type BrokerHandler, type BrokerMessage, type RoomBrokerMessage } from './broker.js';
import type { EncodedEvent, SequencedEvent, SequencedKind } from '../protocol.js';
import { closeRedis } from '@murmur/shared/redis';

/** Stored messages kept for publishing again after Redis comes back. */
const MAX_UNSENT_MESSAGES = 10_000;
/** Stands for "no author" (a tombstone) in a payload header. */
const NO_AUTHOR = '-';
/** The target of a message, which acts on no other. */
const NO_TARGET = '-';

export interface RedisBrokerOptions {
  /** Publishes; may be shared with other commands. The broker closes it. */
  publisher: Redis;
  /** Used only for the subscription (a subscribed connection can do nothing else). The broker closes it. */
  subscriber: Redis;
  /** Prefix of the channels, shared by every instance of one cluster. */
  prefix: string;
  logger: Logger;
}

/** Escapes the glob characters of a Redis PSUBSCRIBE pattern. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Emits `subscribed` each time the subscription is confirmed: at start and after every
 * reconnect (events published while it was down are lost to this instance).
 */
export class RedisBroker extends EventEmitter implements Broker {
  private readonly handlers = new Set<BrokerHandler>();
  private readonly channelPrefix: string;
  private readonly personPrefix: string;
  private readonly patterns: string[];
  /** Set while publishing fails, so an outage is logged once rather than once per event. */
  private publishFailing = false;
  /** True while the pattern subscription is confirmed and the connection has not dropped since. */
  private subscribed = false;
  private closed = false;
  /** Stored messages whose publish failed, oldest first. */
  private unsent: RoomBrokerMessage[] = [];

  constructor(private readonly options: RedisBrokerOptions) {
    super();
    this.channelPrefix = `${options.prefix}room:`;
    this.personPrefix = personChannel(options.prefix, 0).slice(0, -1);
    this.patterns = [`${escapeGlob(this.channelPrefix)}*`, `${escapeGlob(this.personPrefix)}*`];
    const { subscriber } = options;
    subscriber.on('pmessage', (_pattern: string, channel: string, payload: string) => this.receive(channel, payload));
    // ioredis also resubscribes by itself after a reconnect; subscribing on every `ready` as well
    // (PSUBSCRIBE is idempotent) is what tells us when the subscription is back.
    subscriber.on('ready', () => this.psubscribe());
    subscriber.on('close', () => {
      this.subscribed = false;
    });
    if (subscriber.status === 'ready') this.psubscribe();
    options.publisher.on('ready', () => this.publishUnsent());
  }

  publish(message: BrokerMessage): void {
    if (isPersonMessage(message)) {
      this.options.publisher
        .publish(personChannel(this.options.prefix, message.userId), encodeRedisLiveEvent(message.origin, message.event))
        .catch((err: unknown) => this.options.logger.warn({ err }, 'publishing a live event to redis failed'));
      return;
    }
    this.publishRoomEvent(message);
  }

  private publishRoomEvent(message: RoomBrokerMessage): void {
    const { event } = message;
    const header = isSequenced(event)
      ? `${message.origin} ${event.seq} ${event.userId ?? NO_AUTHOR} ${event.kind} ${event.target ?? NO_TARGET}`
      : message.origin;
    this.options.publisher.publish(`${this.channelPrefix}${message.roomId}`, `${header}\n${event.json}`).then(
      () => {
        if (this.publishFailing) this.options.logger.info('publishing to redis works again');
        this.publishFailing = false;
      },
      (err: unknown) => {
        // Local clients already have the event; only other instances miss it.
        if (!this.publishFailing) this.options.logger.warn({ err }, 'publishing to redis failed; other instances miss events until it is back');
        this.publishFailing = true;
        if (isSequenced(event) && !this.closed) {
          this.unsent.push(message);
          if (this.unsent.length > MAX_UNSENT_MESSAGES) this.unsent.shift();
        }
      },
    );
  }

  onSubscribed(handler: () => void): () => void {
    this.on('subscribed', handler);
    return () => this.off('subscribed', handler);
  }

  /** Publishes again, in order, the stored messages whose publish failed. */
  private publishUnsent(): void {
    const unsent = this.unsent;
    this.unsent = [];
    for (const message of unsent) this.publishRoomEvent(message);
  }

  subscribe(handler: BrokerHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Resolves once the subscription is in place: at once if it is, else at the next confirmation. */
  async whenSubscribed(): Promise<void> {
    if (!this.subscribed) await once(this, 'subscribed');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.all([closeRedis(this.options.subscriber), closeRedis(this.options.publisher)]);
  }

  private psubscribe(): void {
    this.options.subscriber.psubscribe(...this.patterns).then(
      () => {
        this.subscribed = true;
        this.emit('subscribed');
      },
      (err: unknown) => {
        if (!this.closed) this.options.logger.warn({ err }, 'subscribing to redis failed; retried on reconnect');
      },
    );
  }

  private receive(channel: string, payload: string): void {
    if (channel.startsWith(this.personPrefix)) {
      const userId = Number(channel.slice(this.personPrefix.length));
      const decoded = decodeRedisLiveEvent(payload);
      if (!Number.isSafeInteger(userId) || !decoded) {
        this.options.logger.warn({ channel }, 'ignoring a malformed live event');
        return;
      }
      for (const handler of this.handlers) handler({ origin: decoded.origin, userId, event: decoded.event });
      return;
    }
    if (!channel.startsWith(this.channelPrefix)) return;
    const roomId = Number(channel.slice(this.channelPrefix.length));
    const newline = payload.indexOf('\n');
    if (!Number.isSafeInteger(roomId) || newline < 0) {
      this.options.logger.warn({ channel }, 'ignoring a malformed broker message');
      return;
    }
    const [origin = '', seq, author, kind = 'message', target] = payload.slice(0, newline).split(' ');
    const json = payload.slice(newline + 1);
    const bytes = Buffer.byteLength(json);
    const event: EncodedEvent | SequencedEvent =
      seq === undefined
        ? { json, bytes }
        : {
            json,
            bytes,
            seq: Number(seq),
            kind: kind as SequencedKind,
            userId: author === undefined || author === NO_AUTHOR ? null : Number(author),
            ...(target === undefined || target === NO_TARGET ? {} : { target: Number(target) }),
          };
    for (const handler of this.handlers) handler({ origin, roomId, event });
  }
}
