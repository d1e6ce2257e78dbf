/**
 * The broker on a Redis Cluster, with sharded pub/sub (Redis 7): each room's and each person's
 * channel lives on the master of its hash slot, a message is SPUBLISHed to that master alone, and
 * an instance SSUBSCRIBEs only to the channels it follows (rooms with clients or watchers here,
 * people with streams here). Traffic spreads over the masters and reaches only the instances that
 * want it, where the plain Redis broker sends every event to every instance.
 *
 * A subscription takes a round trip to be in place, and what is published before that never
 * arrives: each confirmation is announced (`onSubscribed` with its channel) so the room's recent
 * history reads what it missed from the database, as after an outage. The channel names and
 * payloads are the plain broker's (broker-wire.ts).
 */
import { EventEmitter } from 'node:events';
import type { Cluster } from 'ioredis';
import type { Logger } from '@murmur/shared/logger';
import { personChannel } from '@murmur/shared/live-events';
import { closeRedis } from '@murmur/shared/redis';
import type { Broker, BrokerHandler, BrokerMessage, Channel } from './broker.js';
import { BrokerChannels, encodePayload, handOn, PublishHealth } from './broker-wire.js';

export interface ClusterBrokerOptions {
  /** Opened with sharded subscribers (`openRedisCluster`); the broker closes it. */
  cluster: Cluster;
  /** Prefix of the channels, shared by every instance of one deployment. */
  prefix: string;
  logger: Logger;
}

export class ClusterBroker extends EventEmitter implements Broker {
  private readonly handlers = new Set<BrokerHandler>();
  private readonly channels: BrokerChannels;
  private readonly health: PublishHealth;
  private closed = false;

  constructor(private readonly options: ClusterBrokerOptions) {
    super();
    this.channels = new BrokerChannels(options.prefix);
    this.health = new PublishHealth(options.logger, 'the redis cluster');
    options.cluster.on('smessage', (channel: string, payload: string) => handOn(this.channels, this.handlers, this.options.logger, channel, payload));
    // The subscriber group is (re)connected to every master: every channel is subscribed again,
    // and anything published meanwhile is read back.
    options.cluster.on('subscribersReady', () => this.emit('subscribed'));
  }

  publish(message: BrokerMessage): void {
    // On failure, the rooms of other instances read a stored event back when the next arrives,
    // or when their subscriptions come back.
    this.options.cluster.spublish(this.channels.channelOf(message), encodePayload(message)).then(
      () => this.health.ok(),
      (err: unknown) => this.health.failed(err),
    );
  }

  follow(channel: Channel): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.options.cluster.ssubscribe(this.nameOf(channel)).then(
      () => {
        this.emit('subscribed', channel);
      },
      (err: unknown) => this.options.logger.warn({ err, channel }, 'subscribing on the redis cluster failed; retried when its subscribers reconnect'),
    );
  }

  unfollow(channel: Channel): void {
    if (this.closed) return;
    this.options.cluster.sunsubscribe(this.nameOf(channel)).catch((err: unknown) => this.options.logger.warn({ err, channel }, 'unsubscribing on the redis cluster failed'));
  }

  subscribe(handler: BrokerHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onSubscribed(handler: (channel?: Channel) => void): () => void {
    this.on('subscribed', handler);
    return () => this.off('subscribed', handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await closeRedis(this.options.cluster);
  }

  private nameOf(channel: Channel): string {
    return 'roomId' in channel ? `${this.channels.roomPrefix}${channel.roomId}` : personChannel(this.options.prefix, channel.userId);
  }
}
