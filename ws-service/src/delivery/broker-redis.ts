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
 * What travels on the channels, and how, is broker-wire.ts'.
 *
 * Stored messages whose publish fails (Redis down) are kept, up to `MAX_UNSENT_MESSAGES`, and
 * published again once Redis answers; receivers drop what they already have by seq. Those beyond
 * the bound are found anyway: a receiver reads a gap from the database.
 */
import { EventEmitter, once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '@murmur/shared/logger';
import { isPersonMessage, isSequenced, type Broker, type BrokerHandler, type BrokerMessage, type Channel } from './broker.js';
import { BrokerChannels, encodePayload, handOn, PublishHealth } from './broker-wire.js';
import { closeRedis } from '@murmur/shared/redis';

/** Stored messages kept for publishing again after Redis comes back. */
const MAX_UNSENT_MESSAGES = 10_000;

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
  private readonly channels: BrokerChannels;
  private readonly patterns: string[];
  private readonly health: PublishHealth;
  /** True while the pattern subscription is confirmed and the connection has not dropped since. */
  private subscribed = false;
  private closed = false;
  /** Stored messages whose publish failed, oldest first. */
  private unsent: BrokerMessage[] = [];

  constructor(private readonly options: RedisBrokerOptions) {
    super();
    this.channels = new BrokerChannels(options.prefix);
    this.health = new PublishHealth(options.logger, 'redis');
    this.patterns = [`${escapeGlob(this.channels.roomPrefix)}*`, `${escapeGlob(this.channels.personPrefix)}*`];
    const { subscriber } = options;
    subscriber.on('pmessage', (_pattern: string, channel: string, payload: string) => handOn(this.channels, this.handlers, this.options.logger, channel, payload));
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
    this.options.publisher.publish(this.channels.channelOf(message), encodePayload(message)).then(
      () => this.health.ok(),
      (err: unknown) => {
        this.health.failed(err);
        if (!isPersonMessage(message) && isSequenced(message.event) && !this.closed) {
          this.unsent.push(message);
          if (this.unsent.length > MAX_UNSENT_MESSAGES) this.unsent.shift();
        }
      },
    );
  }

  /** Every instance receives every channel here: there is nothing to follow. */
  follow(): Promise<void> {
    return Promise.resolve();
  }

  unfollow(): void {}

  onSubscribed(handler: (channel?: Channel) => void): () => void {
    this.on('subscribed', handler);
    return () => this.off('subscribed', handler);
  }

  /** Publishes again, in order, the stored messages whose publish failed. */
  private publishUnsent(): void {
    const unsent = this.unsent;
    this.unsent = [];
    for (const message of unsent) this.publish(message);
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
}
