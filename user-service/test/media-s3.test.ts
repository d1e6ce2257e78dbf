/**
 * Pictures on S3 storage (MEDIA_STORAGE=s3), against s3rver, an S3-compatible server started
 * here on port 0 with a folder of its own: where the objects go, what comes back through the
 * service, who sees private ones, and the sweeper removing objects from the bucket.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { freePort } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { makeJpeg, makePng, uploadPicture, type UploadAnswer } from '../src/testing.js';
import { startServices, startUserService, type Services } from './helpers.js';

/** s3rver 3.7 has no types of its own: the little of it the test uses. */
interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string }>;
}
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverServer;

const BUCKET = 'murmur-media';
/** s3rver's one account; it checks the key id of a V4 signature, not the signature itself. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const s3Env = (endpoint: string): Record<string, string> => ({
  MEDIA_STORAGE: 's3',
  MEDIA_S3_ENDPOINT: endpoint,
  MEDIA_S3_BUCKET: BUCKET,
  MEDIA_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  MEDIA_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  MEDIA_S3_FORCE_PATH_STYLE: 'true',
  MEDIA_UNATTACHED_TTL_HOURS: '1',
  // Sweeps are the test's own.
  MEDIA_SWEEP_INTERVAL_MS: '3600000',
});

const fileOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describe('pictures on S3', () => {
  let directory: string;
  let s3rver: S3rverServer;
  let endpoint: string;
  /** The test's own look into the bucket. */
  let bucket: S3Client;
  let s: Services;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'murmur-s3rver-'));
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: BUCKET }] });
    const { port } = await s3rver.run();
    endpoint = `http://127.0.0.1:${port}`;
    bucket = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    s = await startServices(s3Env(endpoint));
    alice = await registerUser(s.auth.url);
    bob = await registerUser(s.auth.url);
  });
  after(async () => {
    await s?.close();
    bucket?.destroy();
    await s3rver?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const sql = (text: string, values: unknown[] = []) => s.userDeps.database.pool.query(text, values);
  /** The object's bytes and headers as the bucket holds them; undefined when there is none. */
  const objectOf = async (key: string) => {
    try {
      const object = await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return { bytes: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType, cacheControl: object.CacheControl };
    } catch (err) {
      if (err instanceof Error && err.name === 'NoSuchKey') return undefined;
      throw err;
    }
  };
  const exists = async (key: string) => {
    try {
      await bucket.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return true;
    } catch (err) {
      if (err instanceof Error && (err.name === 'NotFound' || err.name === 'NoSuchKey')) return false;
      throw err;
    }
  };
  const keys = async (prefix: string) => {
    const listed = await bucket.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key!);
  };
  const get = async (url: string, token?: string) => {
    const res = await fetch(`${s.userUrl}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const upload = async (bytes: Buffer, user: RegisteredUser, roomId?: number): Promise<UploadAnswer> => {
    const res = await uploadPicture(s.userUrl, bytes, { token: user.token, roomId });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const privateRoomOf = async (member: RegisteredUser): Promise<number> => {
    const { rows } = await sql(`INSERT INTO rooms (name, created_by, kind) VALUES ($1, $2, 'private') RETURNING id`, [`s3 room ${member.id}`, member.id]);
    const roomId = Number((rows[0] as { id: number }).id);
    await sql('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [roomId, member.id]);
    return roomId;
  };

  it('stores an upload under public/ in the bucket, whole, with its type and cache lifetime, and serves it', async () => {
    const media = await upload(await makeJpeg({ width: 1200, height: 800, exif: true }), alice);
    for (const url of [media.url, media.previewUrl]) {
      const key = `public/${fileOf(url)}`;
      const object = await objectOf(key);
      assert.ok(object, `${key} is in the bucket`);
      const { res, bytes } = await get(url);
      assert.equal(res.status, 200);
      // What the service serves is the object as stored, byte for byte, and a picture that reads.
      assert.deepEqual(bytes, object.bytes);
      assert.equal(res.headers.get('content-length'), String(object.bytes.length));
      assert.equal(res.headers.get('content-type'), object.contentType);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(object.cacheControl, 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.exif, undefined);
      if (url === media.url) {
        assert.equal(object.contentType, 'image/jpeg');
        assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1200, 800]);
      } else {
        assert.equal(object.contentType, 'image/webp');
        assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 640, 427]);
      }
    }
    assert.equal((await keys('private/')).some((key) => key.endsWith(fileOf(media.url))), false);
    // A name the bucket does not hold is no picture.
    assert.equal((await get('/media/AAAAAAAAAAAAAAAAAAAAAA.jpg')).res.status, 404);
  });

  it('stores a private room’s upload under private/, served to its members alone', async () => {
    const roomId = await privateRoomOf(alice);
    const media = await upload(await makePng(300, 200), alice, roomId);
    assert.match(media.url, /^\/media\/private\/[\w-]{22}\.png$/);
    const file = fileOf(media.url);
    assert.equal(await exists(`private/${file}`), true);
    assert.equal(await exists(`private/${fileOf(media.previewUrl)}`), true);
    assert.equal(await exists(`public/${file}`), false);
    const object = await objectOf(`private/${file}`);
    assert.equal(object!.cacheControl, 'private, max-age=31536000, immutable');

    const seen = await get(media.url, alice.token);
    assert.equal(seen.res.status, 200);
    assert.deepEqual(seen.bytes, object!.bytes);
    assert.equal(seen.res.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.deepEqual([(await sharp(seen.bytes).metadata()).width, (await sharp(seen.bytes).metadata()).height], [300, 200]);
    assert.equal((await get(media.previewUrl, alice.token)).res.status, 200);
    // For anyone else, and through the public path, it does not exist.
    assert.equal((await get(media.url, bob.token)).res.status, 404);
    assert.equal((await get(media.url)).res.status, 404);
    assert.equal((await get(`/media/${file}`)).res.status, 404);
    // Once bob joins the room, he sees it too.
    await sql('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [roomId, bob.id]);
    assert.equal((await get(media.url, bob.token)).res.status, 200);
  });

  it('removes the objects of expired uploads from the bucket, public and private, and keeps the others', async () => {
    const roomId = await privateRoomOf(alice);
    const expired = [await upload(await makePng(), alice), await upload(await makePng(), alice, roomId)];
    const kept = await upload(await makePng(), alice);
    const keysOf = (media: UploadAnswer) => {
      const area = media.url.startsWith('/media/private/') ? 'private' : 'public';
      return [media.url, media.previewUrl].map((url) => `${area}/${fileOf(url)}`);
    };
    for (const key of [...expired.flatMap(keysOf), ...keysOf(kept)]) assert.equal(await exists(key), true, `${key} was stored`);
    await sql(`UPDATE media SET created_at = now() - interval '2 hours' WHERE id = ANY($1)`, [expired.map((media) => media.id)]);
    await s.userDeps.media.sweeper.sweep();
    for (const key of expired.flatMap(keysOf)) assert.equal(await exists(key), false, `${key} was removed`);
    for (const key of keysOf(kept)) assert.equal(await exists(key), true, `${key} was kept`);
    assert.equal((await sql('SELECT 1 FROM media WHERE id = ANY($1)', [expired.map((media) => media.id)])).rowCount, 0);
    assert.equal((await get(expired[0]!.url)).res.status, 404);
    assert.equal((await get(expired[1]!.url, alice.token)).res.status, 404);
    assert.equal((await get(kept.url)).res.status, 200);
  });

  it('answers an error when the store is unreachable, and leaves no row behind', async () => {
    // A second instance whose store is a port nobody listens on.
    const cut = await startUserService(s3Env(`http://127.0.0.1:${await freePort()}`));
    try {
      const res = await uploadPicture(cut.url, await makePng(), { token: bob.token });
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.error!.code, 'MEDIA_STORAGE_UNAVAILABLE');
      assert.equal((await sql('SELECT 1 FROM media WHERE owner_id = $1 AND ready', [bob.id])).rowCount, 0);
      assert.equal((await sql('SELECT 1 FROM media WHERE owner_id = $1', [bob.id])).rowCount, 0);
    } finally {
      await cut.close();
    }
  });
});
