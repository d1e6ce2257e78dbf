/**
 * Pictures as every answer shows them, and how a post, a message or an avatar takes the caller's
 * uploads: one owner for both, used by user-service (uploads, posts, avatars) and ws-service
 * (a message's pictures). Uploading, processing, storing and serving them is user-service's media
 * module.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { runSql, type SqlExecutor } from './db/transaction.js';
import type { MediaUse, MediaVisibility } from './db/schema.js';

export type { MediaUse, MediaVisibility };
import { AppError, conflict, notFound } from './errors.js';

/** Pictures one post or message may carry, as Mastodon allows. */
export const MAX_MEDIA_PER_ITEM = 4;

/** Longest description of a picture, in characters (Mastodon's and Bluesky's limit is 1,500 too). */
export const MAX_ALT_CHARACTERS = 1500;

/** Where pictures are served, under the gateway's origin. */
export const MEDIA_PATH_PREFIX = '/media/';
/** Where private pictures are served: every request for one is checked. */
export const PRIVATE_MEDIA_PATH_PREFIX = '/media/private/';

/** One picture of a post, a message or an upload's answer. */
export interface MediaAttachment {
  id: number;
  type: 'image';
  url: string;
  previewUrl: string;
  width: number;
  height: number;
  blurhash: string;
  alt: string;
}

export const mediaAttachmentSchema = z
  .object({
    id: z.number().int(),
    type: z.literal('image'),
    url: z.string().describe('the picture, re-encoded without its metadata, at its own size'),
    previewUrl: z.string().describe('the picture at most 640 pixels on its longest side, as WebP'),
    width: z.number().int().describe("the original's width in pixels, its orientation applied"),
    height: z.number().int(),
    blurhash: z.string().describe('a few bytes drawing a blurred placeholder while the picture loads (blurha.sh)'),
    alt: z.string().describe('the description read out in its place; empty when none was given'),
  })
  .meta({ id: 'MediaAttachment' });

const ID_WORDING = 'must be an array of upload ids';

/** The `mediaIds` of a post or a message: up to MAX_MEDIA_PER_ITEM uploads of the caller's, each once. */
export const mediaIdsSchema = z
  .array(z.number({ error: ID_WORDING }).int(ID_WORDING).min(1, ID_WORDING).max(Number.MAX_SAFE_INTEGER, ID_WORDING), { error: ID_WORDING })
  .max(MAX_MEDIA_PER_ITEM, `must hold at most ${MAX_MEDIA_PER_ITEM} pictures`)
  .refine((ids) => new Set(ids).size === ids.length, 'must not name one picture twice')
  .describe(`ids of the caller's own unattached uploads (\`POST /media\`), at most ${MAX_MEDIA_PER_ITEM}, shown in this order`);

/**
 * The names the service gives stored files: 128 random bits (22 letters of base64url) and the
 * extension of a stored format. The one rule every reader of a name checks (the routes, both
 * storages; nginx.conf's picture locations hold to it too), so nothing else is ever a file.
 */
export const MEDIA_FILE_NAME = /^[A-Za-z0-9_-]{22}\.(?:jpg|png|webp)$/;

export const isMediaFileName = (name: string): boolean => MEDIA_FILE_NAME.test(name);

/**
 * SQL of one media row (alias `alias`) as a MediaAttachment: its URLs are MEDIA_PATH_PREFIX and
 * the file's name, under `private/` for a private picture.
 */
export function mediaJsonSql(alias: string): string {
  const path = (column: string) =>
    `'${MEDIA_PATH_PREFIX}' || CASE WHEN ${alias}.visibility = 'private' THEN 'private/' ELSE '' END || ${alias}.${column}`;
  return `json_build_object('id', ${alias}.id, 'type', 'image', 'url', ${path('file')}, 'previewUrl', ${path('preview_file')},
    'width', ${alias}.width, 'height', ${alias}.height, 'blurhash', ${alias}.blurhash, 'alt', ${alias}.alt)`;
}

/** What the uploads are claimed for. */
export interface MediaClaim {
  /** Whose uploads they must be. */
  ownerId: number;
  ids: readonly number[];
  use: MediaUse;
  /** For a post: its id. */
  postId?: number;
  /** For a message: its room. Private pictures must have been uploaded for this room. */
  roomId?: number;
  /** For a message: its clientMsgId, so that a resend of it may claim its pictures again. */
  claimKey?: string | null;
  /** For a message: how long a clientMsgId names its message (a resend within it is no new message). */
  resendWindowSeconds?: number;
}

interface ClaimedRow {
  id: number | string;
  attachment: MediaAttachment;
}

interface CandidateRow {
  id: number | string;
  ready: boolean;
  visibility: MediaVisibility;
  room_id: number | null;
  used_as: MediaUse | null;
  claim_key: string | null;
  /** Set once the message that claimed it is stored. */
  message_id: number | string | null;
  /** The kind of the claim's room, for a message. */
  room_kind: string | null;
  /** Whether the message it is linked to has the claim's clientMsgId, within the resend window. */
  resend_of_stored: boolean;
}

/**
 * Attaches the caller's uploads `ids` to a post, a message or their profile, in `tx` (a
 * transaction: the rows are locked until it ends), and resolves them as every answer shows them,
 * in the order given. Refuses, changing nothing, when one is not the caller's or not stored yet
 * (404 `MEDIA_NOT_FOUND`, as for an id that never was), is attached already (409
 * `MEDIA_ALREADY_ATTACHED`), or is private to another room, private where the use is public, or
 * public where the message is private (409 `MEDIA_NOT_FOR_THIS_ROOM`): a picture sent in a
 * private or direct room must have been uploaded for it (`roomId`), or its URL would show it to
 * anyone who has it.
 */
export async function claimMedia(tx: SqlExecutor, claim: MediaClaim): Promise<MediaAttachment[]> {
  if (claim.ids.length === 0) return [];
  const candidates = await runSql<CandidateRow>(
    tx,
    sql`SELECT id, ready, visibility, room_id, used_as, claim_key, message_id,
          (SELECT kind FROM rooms WHERE id = ${claim.roomId ?? null}::integer) AS room_kind,
          EXISTS (SELECT 1 FROM messages s WHERE s.id = media.message_id AND s.client_msg_id = ${claim.claimKey ?? null}
                    AND s.created_at > now() - make_interval(secs => ${claim.resendWindowSeconds ?? 0})) AS resend_of_stored
        FROM media WHERE id = ANY(${sql.param(claim.ids)}::bigint[]) AND owner_id = ${claim.ownerId} FOR UPDATE OF media`,
  );
  const byId = new Map(candidates.map((row) => [Number(row.id), row]));
  for (const id of claim.ids) {
    const row = byId.get(id);
    if (!row || !row.ready) throw notFound('MEDIA_NOT_FOUND', `no upload of yours with id ${id}`);
    if (row.used_as !== null && !isResendOfItsClaim(row, claim)) throw conflict('MEDIA_ALREADY_ATTACHED', `picture ${id} is already attached to a ${row.used_as}`);
    if (row.visibility === 'private' && (claim.use !== 'message' || row.room_id !== claim.roomId)) {
      throw conflict('MEDIA_NOT_FOR_THIS_ROOM', `picture ${id} was uploaded for another room and is seen only there`);
    }
    if (row.visibility === 'public' && claim.use === 'message' && row.room_kind !== null && row.room_kind !== 'public') {
      throw conflict('MEDIA_NOT_FOR_THIS_ROOM', `picture ${id} is public; upload it with this room's roomId to keep it to the room`);
    }
  }
  const claimed = await runSql<ClaimedRow>(
    tx,
    sql`UPDATE media m SET used_as = ${claim.use}, attached_at = now(), post_id = ${claim.postId ?? null},
          room_id = CASE WHEN m.visibility = 'private' THEN m.room_id ELSE ${claim.roomId ?? null}::integer END, claim_key = ${claim.claimKey ?? null}, position = w.ord - 1
        FROM unnest(${sql.param(claim.ids)}::bigint[]) WITH ORDINALITY AS w(id, ord)
        WHERE m.id = w.id
        RETURNING m.id, ${sql.raw(mediaJsonSql('m'))} AS attachment`,
  );
  const attachments = new Map(claimed.map((row) => [Number(row.id), row.attachment]));
  return claim.ids.map((id) => {
    const attachment = attachments.get(id);
    if (!attachment) throw new AppError(500, 'INTERNAL', `picture ${id} was locked but not claimed`);
    return attachment;
  });
}

/**
 * Whether a picture already claimed may be claimed again: by a resend of the message that claimed
 * it (same room, same clientMsgId), before that message is stored or within the resend window
 * after (the store then answers with the stored copy). Past the window the clientMsgId names a
 * new message, which must not share the old one's pictures. Each claim sets `attached_at` anew,
 * so the sweeper gives a resend its full time.
 */
function isResendOfItsClaim(row: CandidateRow, claim: MediaClaim): boolean {
  const sameClaim = claim.use === 'message' && row.used_as === 'message' && row.room_id === claim.roomId && claim.claimKey != null && row.claim_key === claim.claimKey;
  return sameClaim && (row.message_id === null || row.resend_of_stored);
}

/**
 * SQL of the avatar URL of the user row `alias` (its picture's preview: avatars are public and
 * shown small), or null when they have none. One index probe by primary key.
 */
export function avatarUrlSql(alias: string): string {
  return `(SELECT '${MEDIA_PATH_PREFIX}' || av.preview_file FROM media av WHERE av.id = ${alias}.avatar_media_id)`;
}
