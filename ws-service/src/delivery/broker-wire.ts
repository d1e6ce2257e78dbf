/**
 * How broker messages travel on Redis, plain or clustered: a room's events on the channel
 * `<prefix>room:<id>`, a person's on `<prefix>user:<id>` (where user-service publishes too: see
 * @murmur/shared/live-events). The event's JSON, encoded once, travels as it is and is handed to
 * every local client as the same string; the receiver neither parses nor re-encodes it.
 *
 * A room's payload is `<origin>[ <seq> <authorId> <kind> <target>]\n<event JSON>`: a stored event
 * carries its seq, author, kind and target message in the header, so the receiver can order it,
 * apply an edit or deletion to its recent history and tombstone it without parsing. A person's
 * payload is @murmur/shared/live-events' (`<origin> <notification id>\n<event JSON>`).
 */
import { decodeRedisLiveEvent, encodeRedisLiveEvent, personChannel } from '@murmur/shared/live-events';
import type { Logger } from '@murmur/shared/logger';
import { isPersonMessage, isSequenced, type BrokerHandler, type BrokerMessage } from './broker.js';
import type { EncodedEvent, SequencedEvent, SequencedKind } from '../protocol.js';

/** Stands for "no author" (a tombstone) in a payload header. */
const NO_AUTHOR = '-';
/** The target of a message, which acts on no other. */
const NO_TARGET = '-';

/** The channel names of one deployment (its key prefix). */
export class BrokerChannels {
  readonly roomPrefix: string;
  readonly personPrefix: string;

  constructor(readonly prefix: string) {
    this.roomPrefix = `${prefix}room:`;
    this.personPrefix = personChannel(prefix, 0).slice(0, -1);
  }

  /** The channel `message` goes out on. */
  channelOf(message: BrokerMessage): string {
    return isPersonMessage(message) ? personChannel(this.prefix, message.userId) : `${this.roomPrefix}${message.roomId}`;
  }
}

/** The payload `message` goes out with. */
export function encodePayload(message: BrokerMessage): string {
  if (isPersonMessage(message)) return encodeRedisLiveEvent(message.origin, message.event);
  const { event } = message;
  const header = isSequenced(event)
    ? `${message.origin} ${event.seq} ${event.userId ?? NO_AUTHOR} ${event.kind} ${event.target ?? NO_TARGET}`
    : message.origin;
  return `${header}\n${event.json}`;
}

/** The message a payload received on `channel` carries; undefined for a channel not ours or a malformed payload. */
export function decodePayload(channels: BrokerChannels, channel: string, payload: string): BrokerMessage | undefined {
  if (channel.startsWith(channels.personPrefix)) {
    const userId = Number(channel.slice(channels.personPrefix.length));
    const decoded = decodeRedisLiveEvent(payload);
    return Number.isSafeInteger(userId) && decoded ? { origin: decoded.origin, userId, event: decoded.event } : undefined;
  }
  if (!channel.startsWith(channels.roomPrefix)) return undefined;
  const roomId = Number(channel.slice(channels.roomPrefix.length));
  const newline = payload.indexOf('\n');
  if (!Number.isSafeInteger(roomId) || newline < 0) return undefined;
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
  return { origin, roomId, event };
}

/** Hands what arrived on `channel` to `handlers`; a malformed payload is logged and dropped. */
export function handOn(channels: BrokerChannels, handlers: Iterable<BrokerHandler>, logger: Logger, channel: string, payload: string): void {
  const message = decodePayload(channels, channel, payload);
  if (!message) {
    logger.warn({ channel }, 'ignoring a malformed broker message');
    return;
  }
  for (const handler of handlers) handler(message);
}

/** Logs a publishing outage once, and its end once, rather than once per event. */
export class PublishHealth {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    /** Where events are published, as the log names it. */
    private readonly where: string,
  ) {}

  /** A publish succeeded. */
  ok(): void {
    if (this.failing) this.logger.info(`publishing to ${this.where} works again`);
    this.failing = false;
  }

  /** A publish failed: local clients have the event, other instances miss it. */
  failed(err: unknown): void {
    if (!this.failing) this.logger.warn({ err }, `publishing to ${this.where} failed; other instances miss events until it is back`);
    this.failing = true;
  }
}
