/**
 * What a chat event notifies, and to whom: a member added to a private room (`room_invite`), a
 * member a message mentions who is not connected to the room (`room_mention`), and the other
 * person of a direct room who is not connected to it (`direct_message`). Only members are ever
 * notified, so nothing of a room reaches anyone else. Notifications are made by the statement
 * user-service's are (@murmur/shared/notifications: never of one's own action, once per
 * message), then sent live to the recipient's streams, shown exactly as `GET /notifications`
 * shows them. Messages are looked at in the background: storing and acknowledging one never
 * waits for its notifications.
 */
import { sql } from 'drizzle-orm';
import { runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import type { LiveEvent } from '@murmur/shared/live-events';
import type { Logger } from '@murmur/shared/logger';
import { avatarUrlSql } from '@murmur/shared/media';
import { madeIds, notifyRows, toIds } from '@murmur/shared/notifications';
import { mentionedNames } from '@murmur/shared/text-links';
import type { Presence } from '../delivery/presence.js';
import type { PublicUser } from '../protocol.js';
import type { RoomKind } from '../store/rooms.repo.js';

/** Rooms whose kind (and, for a direct room, its two people) are remembered; neither ever changes. */
const MAX_KNOWN_ROOMS = 100_000;
/** Rooms looked up by one query. */
const MAX_ROOM_BATCH = 500;

/** Where live notifications go: the person's streams, on every instance. */
export interface LivePeople {
  sendToPerson(userId: number, event: LiveEvent): void;
}

/** What a room is, as far as notifying goes. */
interface KnownRoom {
  kind: RoomKind;
  /** The two people of a direct room. */
  people: number[];
}

export class ChatNotifications {
  private readonly known = new Map<number, KnownRoom>();
  private readonly rooms: GroupBatcher<number, KnownRoom | undefined>;

  constructor(
    private readonly db: Db,
    private readonly people: LivePeople,
    private readonly presence: Presence,
    private readonly logger: Logger,
  ) {
    this.rooms = new GroupBatcher({ run: (roomIds) => readRooms(db, roomIds), maxBatch: MAX_ROOM_BATCH });
  }

  /**
   * Inside the transaction that added `userId` to private room `roomId`: the room_invite, from
   * `actor`. Resolves its id (none when it was made before), to `send` once committed.
   */
  static async invite(tx: SqlExecutor, roomId: number, actorId: number, userId: number): Promise<number[]> {
    const [row] = await runSql<{ notification_ids: string[] }>(tx, sql`
      WITH invited AS (
        ${notifyRows('room_invite', sql`SELECT ${userId}::integer AS recipient_id, ${actorId}::integer AS account_id, ${roomId}::integer AS room_id`, 'room')}
      )
      SELECT ${madeIds('invited')}`);
    return toIds(row?.notification_ids);
  }

  /** A message was stored: notify whom it concerns, in the background. */
  messageStored(roomId: number, author: PublicUser, seq: number, text: string): void {
    // The common case, on the path of every message: a known room that is not direct, and no
    // mention in the text. Nothing to read, nothing to wait for.
    const known = this.known.get(roomId);
    if (known && known.kind !== 'direct' && !text.includes('@')) return;
    this.notifyOfMessage(roomId, author, seq, text).catch((err: unknown) => this.logger.warn({ err, roomId, seq }, 'notifying of a chat message failed'));
  }

  /** Sends notifications `ids`, as their recipients' lists show them, to their streams; in the background. */
  send(ids: readonly number[]): void {
    if (ids.length === 0) return;
    readViews(this.db, ids).then(
      (views) => {
        for (const { recipientId, notification } of views) {
          this.people.sendToPerson(recipientId, { json: JSON.stringify({ type: 'notification', notification }), notificationId: notification.id });
        }
      },
      (err: unknown) => this.logger.warn({ err }, 'sending chat notifications live failed'),
    );
  }

  private async notifyOfMessage(roomId: number, author: PublicUser, seq: number, text: string): Promise<void> {
    const names = mentionedNames(text).filter((name) => name !== author.username.toLowerCase());
    const room = await this.room(roomId);
    if (!room || (room.kind !== 'direct' && names.length === 0)) return;
    const peer = room.kind === 'direct' ? room.people.find((id) => id !== author.id) : undefined;
    // Whoever is connected to the room sees the message as it comes: nobody notifies them.
    const connected = new Set((await this.presence.participants(roomId)).map((user) => user.id));
    const direct = peer !== undefined && !connected.has(peer) ? [peer] : [];
    const { rows } = await this.db.execute<{ notification_ids: string[] }>(sql`
      WITH mentioned AS (
        SELECT m.user_id AS recipient_id FROM room_members m JOIN users u ON u.id = m.user_id
        WHERE m.room_id = ${roomId} AND lower(u.username) = ANY(${sql.param(names)}::text[])
          AND m.user_id <> ALL(${sql.param([...connected, ...(peer === undefined ? [] : [peer])])}::int[])
      ),
      direct AS (
        ${notifyRows(
          'direct_message',
          sql`SELECT unnest(${sql.param(direct)}::int[]) AS recipient_id, ${author.id}::integer AS account_id, ${roomId}::integer AS room_id, ${seq}::bigint AS message_seq`,
          'message',
        )}
      ),
      mentions AS (
        ${notifyRows(
          'room_mention',
          sql`SELECT recipient_id, ${author.id}::integer AS account_id, ${roomId}::integer AS room_id, ${seq}::bigint AS message_seq FROM mentioned`,
          'message',
        )}
      )
      SELECT ${madeIds('direct', 'mentions')}`);
    this.send(toIds(rows[0]?.notification_ids));
  }

  private async room(roomId: number): Promise<KnownRoom | undefined> {
    const known = this.known.get(roomId);
    if (known) return known;
    const found = await this.rooms.submit(roomId);
    if (found) {
      if (this.known.size >= MAX_KNOWN_ROOMS) this.known.clear();
      this.known.set(roomId, found);
    }
    return found;
  }
}

/** Each room's kind, and a direct room's two people; undefined for a room that is gone. */
async function readRooms(db: Db, roomIds: readonly number[]): Promise<Array<KnownRoom | undefined>> {
  const { rows } = await db.$client.query<{ id: number; kind: RoomKind; people: number[] | null }>({
    name: 'murmur_notified_rooms',
    // The array goes through a sub-select, which hides its length from the planner: every call
    // then has the same plan, made once per connection, instead of a plan made anew for each
    // (which cost more than the lookup itself).
    text: `SELECT r.id, r.kind,
                  CASE WHEN r.kind = 'direct' THEN ARRAY(SELECT user_id FROM room_members m WHERE m.room_id = r.id) END AS people
           FROM unnest((SELECT $1::int[])) AS ids(id) CROSS JOIN LATERAL (SELECT id, kind FROM rooms WHERE rooms.id = ids.id) r`,
    values: [roomIds],
  });
  const byId = new Map(rows.map((row) => [row.id, { kind: row.kind, people: row.people ?? [] }]));
  return roomIds.map((id) => byId.get(id));
}

/** A chat notification as user-service's `GET /notifications` shows it. */
interface ChatNotificationView {
  id: number;
  type: string;
  createdAt: string;
  read: boolean;
  account: { id: number; username: string; displayName: string | null; avatarUrl: string | null };
  room: { id: number; name: string; kind: RoomKind };
  message?: { seq: number; text: string };
}

/** Notifications `ids` (chat ones), each with its recipient, as their lists show them. */
async function readViews(db: Db, ids: readonly number[]): Promise<Array<{ recipientId: number; notification: ChatNotificationView }>> {
  const { rows } = await db.$client.query<{
    id: string;
    recipient_id: number;
    type: string;
    created_at: Date;
    account_id: number;
    username: string;
    display_name: string | null;
    avatar_url: string | null;
    room_id: number;
    room_name: string;
    room_kind: RoomKind;
    message_seq: string | null;
    message_text: string | null;
  }>({
    name: 'murmur_chat_notification_views',
    text: `SELECT n.id, n.recipient_id, n.type, n.created_at, a.id AS account_id, a.username, a.display_name,
                  ${avatarUrlSql('a')} AS avatar_url, r.id AS room_id, r.name AS room_name, r.kind AS room_kind, n.message_seq, m.text AS message_text
           FROM notifications n
           JOIN users a ON a.id = n.account_id
           JOIN rooms r ON r.id = n.room_id
           LEFT JOIN messages m ON m.room_id = n.room_id AND m.seq = n.message_seq
           WHERE n.id = ANY($1::bigint[]) AND (n.message_seq IS NULL OR (m.deleted_at IS NULL AND m.text IS NOT NULL))
           ORDER BY n.id`,
    values: [ids],
  });
  return rows.map((row) => {
    const notification: ChatNotificationView = {
      id: Number(row.id),
      type: row.type,
      createdAt: row.created_at.toISOString(),
      // Newer than every marker: a marker never passes its person's newest notification.
      read: false,
      account: { id: row.account_id, username: row.username, displayName: row.display_name, avatarUrl: row.avatar_url },
      room: { id: row.room_id, name: row.room_name, kind: row.room_kind },
    };
    if (row.message_seq !== null && row.message_text !== null) notification.message = { seq: Number(row.message_seq), text: row.message_text };
    return { recipientId: row.recipient_id, notification };
  });
}
