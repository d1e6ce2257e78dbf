/**
 * Hands the live events user-service sends by PostgreSQL NOTIFY (when it has no Redis; see
 * @murmur/shared/live-events) to the stream connections on this instance. Every instance
 * listens and delivers to its own connections only, so nothing is published again.
 */
import type { PgListener } from '@murmur/shared/db';
import { decodeNotifiedLiveEvent, LIVE_EVENTS_CHANNEL } from '@murmur/shared/live-events';
import type { Logger } from '@murmur/shared/logger';
import type { Hub } from './hub.js';

/** Delivers what `listener` hears on LIVE_EVENTS_CHANNEL until the returned function is called. */
export function deliverNotifiedLiveEvents(listener: PgListener, hub: Hub, logger: Logger): () => void {
  const onNotification = (channel: string, payload: string) => {
    if (channel !== LIVE_EVENTS_CHANNEL) return;
    const decoded = decodeNotifiedLiveEvent(payload);
    if (!decoded) {
      logger.warn({ payload: payload.slice(0, 200) }, 'ignoring a malformed live event');
      return;
    }
    for (const userId of decoded.userIds) hub.deliverToPerson(userId, decoded.event);
  };
  listener.on('notification', onNotification);
  return () => listener.off('notification', onNotification);
}
