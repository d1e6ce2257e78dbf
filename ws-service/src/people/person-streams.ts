/**
 * Setting up a person's `/ws/stream` connection: its feed is registered with the hub at once (so
 * nothing made meanwhile is missed, only held, once the person's channel is followed), then the session is checked once more and the
 * notification count read (batched with the other streams starting at the same moment), and,
 * for `?since=`, the missed notifications fetched from user-service. The connection then gets
 * `ready`, the missed notifications oldest first, and the live events; from then on it watches
 * the rooms the person is a member of for `room_activity`.
 */
import type { Db } from '@murmur/shared/db';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import type { Logger } from '@murmur/shared/logger';
import type { Hub } from '../delivery/hub.js';
import { PersonFeed } from '../delivery/person-feed.js';
import { encodeEvent, type EncodedEvent } from '../protocol.js';
import { readStreamStarts, readWatchedRooms, type StreamStart, type WatchedRoom } from '../store/streams.repo.js';
import { CloseCode } from '../ws/close-codes.js';
import type { Client } from '../ws/client.js';
import { fetchMissedNotifications, type MissedNotifications, type MissedNotificationsOptions } from './missed-notifications.js';

/** Streams set up by one query in a reconnect storm. */
const MAX_START_BATCH = 1_000;

export interface PersonStreamsOptions {
  db: Db;
  hub: Hub;
  /** Where missed notifications are read. */
  userService: MissedNotificationsOptions;
  /** Unread notifications counted, at most, for `ready`. */
  maxUnreadNotifications: number;
  logger: Logger;
}

export class PersonStreams {
  private readonly starts: GroupBatcher<{ sessionId: string; userId: number }, StreamStart>;
  private readonly rooms: GroupBatcher<number, WatchedRoom[]>;

  constructor(private readonly options: PersonStreamsOptions) {
    this.starts = new GroupBatcher({
      run: (starts) => readStreamStarts(options.db, starts, options.maxUnreadNotifications),
      maxBatch: MAX_START_BATCH,
    });
    this.rooms = new GroupBatcher({ run: (userIds) => readWatchedRooms(options.db, userIds), maxBatch: MAX_START_BATCH });
  }

  /**
   * Gives a stream connection its feed and starts it.
   * @param token the connection's token, to read its missed notifications as the person.
   */
  open(client: Client, since: number | undefined, token: string): PersonFeed {
    const feed = new PersonFeed(client);
    const followed = this.options.hub.registerPerson(feed);
    void this.start(client, feed, followed, since, token);
    return feed;
  }

  /** Reads how the stream starts, and with it whom the person blocks (the connection's block list). */
  private async readStart(client: Client): Promise<StreamStart> {
    const read = client.blocks.beginRead();
    try {
      const start = await this.starts.submit({ sessionId: client.auth.sessionId, userId: client.user.id });
      client.blocks.finishRead(read, start.blocks);
      return start;
    } catch (err) {
      client.blocks.finishRead(read, undefined);
      throw err;
    }
  }

  /** Stops the feed's live events; idempotent. */
  close(feed: PersonFeed): void {
    this.options.hub.unregisterPerson(feed);
  }

  /** @param followed resolves once the person's events from other instances reach the feed */
  private async start(client: Client, feed: PersonFeed, followed: Promise<void>, since: number | undefined, token: string): Promise<void> {
    const { logger } = this.options;
    const failed = (err: unknown) => {
      logger.warn({ err }, 'reading how a stream starts failed');
      return undefined;
    };
    const [start, rooms, missed] = await Promise.all([
      this.readStart(client).catch(failed),
      this.rooms.submit(client.user.id).catch(failed),
      since === undefined ? undefined : this.missed(token, since),
      followed,
    ]);
    if (client.isClosed) return;
    if (!start || !rooms) {
      client.close(CloseCode.INTERNAL_ERROR, 'could not set up the stream; reconnect', false);
      return;
    }
    // A logout committed between the upgrade and the registration sent its event before this
    // connection was listed.
    if (!start.session) {
      client.close(CloseCode.SESSION_ENDED, 'session ended', true);
      return;
    }
    const initial: EncodedEvent[] = [
      encodeEvent({ type: 'ready', unreadNotifications: start.unreadNotifications, lastNotificationId: start.lastNotificationId }),
    ];
    let replayedUpTo = since ?? start.lastNotificationId;
    if (missed === 'failed') {
      initial.push(
        encodeEvent({
          type: 'error',
          code: 'NOTIFICATIONS_UNAVAILABLE',
          message: `the notifications missed since ${since} could not be read now; page them with GET /notifications?since=${since}`,
        }),
      );
    } else if (missed) {
      if (missed.truncated) {
        const oldest = missed.events[0]?.notificationId;
        initial.push(
          encodeEvent({
            type: 'error',
            code: 'RESUME_GAP',
            message: `older missed notifications were not resent; page them with GET /notifications?since=${since}${oldest === undefined ? '' : `&cursor=${oldest}`}`,
          }),
        );
      }
      for (const event of missed.events) initial.push({ json: event.json, bytes: Buffer.byteLength(event.json) });
      replayedUpTo = Math.max(replayedUpTo, missed.events.at(-1)?.notificationId ?? 0);
    }
    for (const room of rooms) this.options.hub.watchRoom(feed, room);
    feed.start(initial, replayedUpTo);
  }

  private async missed(token: string, since: number): Promise<MissedNotifications | 'failed'> {
    try {
      return await fetchMissedNotifications(this.options.userService, token, since);
    } catch (err) {
      this.options.logger.warn({ err }, 'reading missed notifications from user-service failed');
      return 'failed';
    }
  }
}
