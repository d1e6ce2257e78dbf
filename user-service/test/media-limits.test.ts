/**
 * The limits of uploads, over real HTTP against the real service: sizes refused before the body is
 * read, the bounded queue, the upload deadline and the hourly limit; the sweeper removing what
 * nothing uses; and a storage failure leaving nothing behind.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, eventually, within } from '@murmur/shared/testing';
import { createLogger } from '@murmur/shared/logger';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { MediaSweeper } from '../src/media/media-sweeper.js';
import { WorkSlots } from '../src/media/work-slots.js';
import { makeJpeg, makePng, uploadPicture, type UploadAnswer } from '../src/testing.js';
import { startServices, startUserService, type Services, type UserServiceUnderTest } from './helpers.js';

const MIB = 1024 * 1024;
const BOUNDARY = 'murmur-test-boundary-5f1c2a';

/** The opening of a form's `file` part, up to the picture's first byte. */
const filePartHead = () =>
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="picture.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
/** The end of the `file` part and of the form. */
const formEnd = () => Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
/** A whole form holding `picture` in `file`. */
const formOf = (picture: Buffer) => Buffer.concat([filePartHead(), picture, formEnd()]);

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: UploadAnswer;
  /** Bytes the client had handed over when the answer's head arrived. */
  writtenWhenAnswered: number;
}

/**
 * One POST /media on a connection of its own, written by the test piece by piece, so the test
 * decides how much of the body the server gets and when. Without `declaredLength` the body is
 * sent chunked.
 */
class RawUpload {
  /** Bytes handed to the connection so far. */
  written = 0;
  /** The answer; rejects if the connection ends without one. */
  readonly answer: Promise<RawAnswer>;
  /** Resolves once the connection is closed, by either side; with the bytes written by then. */
  readonly closed: Promise<number>;
  private readonly req: http.ClientRequest;
  private isClosed = false;
  private answered = false;

  constructor(baseUrl: string, token: string, declaredLength?: number) {
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
    if (declaredLength !== undefined) headers['content-length'] = declaredLength;
    // A connection of its own (no keep-alive agent): its closing is the server's doing or ours.
    this.req = http.request(new URL('/media', baseUrl), { method: 'POST', headers, agent: false });
    // Writing to a connection the server closed fails; that is what some tests are after.
    this.req.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.req.once('socket', (socket) =>
        socket.once('close', () => {
          this.isClosed = true;
          resolve(this.written);
        }),
      );
    });
    this.answer = new Promise((resolve, reject) => {
      this.req.once('response', (res) => {
        this.answered = true;
        const writtenWhenAnswered = this.written;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as UploadAnswer, writtenWhenAnswered });
        });
        res.once('error', reject);
      });
      void this.closed.then(() => setImmediate(() => this.answered || reject(new Error(`the connection closed without an answer after ${this.written} bytes`))));
    });
    // Unobserved until a test awaits it; a rejection is reported there.
    this.answer.catch(() => undefined);
    this.req.flushHeaders();
  }

  get hasAnswer(): boolean {
    return this.answered;
  }

  get connectionClosed(): boolean {
    return this.isClosed;
  }

  /** Writes `bytes`; resolves once the connection took them (or closed). */
  async send(bytes: Buffer): Promise<void> {
    if (this.isClosed) return;
    this.written += bytes.length;
    if (this.req.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.req.off('drain', done);
        resolve();
      };
      this.req.on('drain', done);
      void this.closed.then(done);
    });
  }

  /** Sends `bytes`, if any, and ends the body. */
  finish(bytes?: Buffer): void {
    if (bytes) this.written += bytes.length;
    this.req.end(bytes);
  }

  /** Cuts the connection, as a client that goes away mid-upload. */
  abort(): void {
    this.req.destroy();
  }
}

/** Resolves once `slots` holds `count` uploads (admitted, or given back), as the service gets to them. */
const untilInFlight = (slots: WorkSlots, count: number) => eventually(() => Promise.resolve().then(() => assert.equal(slots.inFlight, count)));

const countRows = async (s: Services, ownerId: number): Promise<number> => {
  const { rows } = await s.userDeps.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM media WHERE owner_id = $1', [ownerId]);
  return Number(rows[0]!.n);
};

describe('pictures: limits of an upload', () => {
  let s: Services;
  /** MEDIA_MAX_BYTES of 1 MiB and 2 uploads per hour. */
  let small: UserServiceUnderTest;
  /** One picture at a time and one more admitted: the queue is full with two. */
  let busy: UserServiceUnderTest;
  /** Uploads must arrive within a second; no place beyond the one running. */
  let hasty: UserServiceUnderTest;
  before(async () => {
    s = await startServices();
    small = await startUserService({ MEDIA_MAX_BYTES: String(MIB), MEDIA_UPLOADS_PER_HOUR: '2' });
    busy = await startUserService({ MEDIA_MAX_CONCURRENT: '1', MEDIA_MAX_QUEUED: '1' });
    hasty = await startUserService({ MEDIA_MAX_CONCURRENT: '1', MEDIA_MAX_QUEUED: '0', MEDIA_UPLOAD_TIMEOUT_MS: '1000' });
  });
  after(async () => {
    await hasty.close();
    await busy.close();
    await small.close();
    await s.close();
  });

  it('answers 413 to a declared 11 MiB at once (default limit, 10 MiB), and closes the connection without reading the rest', async () => {
    const alice = await registerUser(s.auth.url);
    assert.equal(s.userDeps.config.MEDIA_MAX_BYTES, 10 * MIB);
    const upload = new RawUpload(s.userUrl, alice.token, 11 * MIB);
    await upload.send(filePartHead());
    await upload.send((await makeJpeg({ width: 800, height: 600 })).subarray(0, 4096));
    const answer = await within(upload.answer, 5_000, 'the answer to a declared 11 MiB');
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error!.code, 'MEDIA_TOO_LARGE');
    assert.equal(answer.headers.connection, 'close');
    // The server answered while the client still owed almost all of the 11 MiB it declared …
    assert.ok(answer.writtenWhenAnswered < 8 * 1024, `answered after ${answer.writtenWhenAnswered} bytes`);
    // … and then closed the connection, rather than wait for them.
    await within(upload.closed, 5_000, 'the server closing the connection');
    assert.equal(await countRows(s, alice.id), 0);
  });

  it('answers 413 to an 11 MiB chunked upload past MEDIA_MAX_BYTES (1 MiB) and closes the connection before it is all sent', async () => {
    const bob = await registerUser(s.auth.url);
    const upload = new RawUpload(small.url, bob.token);
    await upload.send(filePartHead());
    // A real JPEG's first bytes, so the file is taken for a picture and only its size is wrong.
    await upload.send(await makeJpeg({ width: 64, height: 64 }));
    const filler = Buffer.alloc(64 * 1024, 0x5a);
    while (!upload.hasAnswer && !upload.connectionClosed && upload.written < 11 * MIB) await upload.send(filler);
    const answer = await within(upload.answer, 5_000, 'the answer to a chunked 11 MiB');
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error!.code, 'MEDIA_TOO_LARGE');
    assert.equal(answer.headers.connection, 'close');
    assert.ok(answer.writtenWhenAnswered < 11 * MIB, `answered after ${answer.writtenWhenAnswered} bytes`);
    const writtenWhenClosed = await within(upload.closed, 5_000, 'the server closing the connection');
    assert.ok(writtenWhenClosed < 11 * MIB, `the connection closed after ${writtenWhenClosed} bytes`);
    assert.equal(await countRows(s, bob.id), 0);
  });

  it('answers 503 MEDIA_BUSY with Retry-After past MEDIA_MAX_CONCURRENT + MEDIA_MAX_QUEUED, and gives the places back', async () => {
    const carol = await registerUser(s.auth.url);
    const slots = busy.deps.media.context.slots;
    const picture = await makeJpeg({ width: 600, height: 400 });
    const form = formOf(picture);
    const half = Math.floor(form.length / 2);
    // Two uploads that send half their body and wait: one place running, one queued.
    const hold = async () => {
      const upload = new RawUpload(busy.url, carol.token, form.length);
      await upload.send(form.subarray(0, half));
      return upload;
    };
    const first = await hold();
    const second = await hold();
    await untilInFlight(slots, 2);

    // A third is refused before its body is read: it declares 5 MiB and sends none of it.
    const third = new RawUpload(busy.url, carol.token, 5 * MIB);
    const refused = await within(third.answer, 5_000, 'the answer to a third upload');
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error!.code, 'MEDIA_BUSY');
    assert.ok(Number(refused.headers['retry-after']) >= 1, `Retry-After: ${refused.headers['retry-after']}`);
    assert.equal(refused.writtenWhenAnswered, 0);
    // Nor is it read afterwards: the connection closes.
    assert.equal(refused.headers.connection, 'close');
    await within(third.closed, 5_000, 'the server closing the refused connection');
    // The held ones are still there, unanswered.
    assert.equal(first.hasAnswer || second.hasAnswer, false);

    first.finish(form.subarray(half));
    const stored = await within(first.answer, 10_000, 'the first upload');
    assert.equal(stored.status, 201, JSON.stringify(stored.body));
    second.abort();
    await untilInFlight(slots, 0);

    // Both places are free again, the aborted upload's too: two held uploads are admitted …
    const again = [await hold(), await hold()];
    await untilInFlight(slots, 2);
    assert.equal(again.some((upload) => upload.hasAnswer), false);
    // … and both complete.
    for (const upload of again) upload.finish(form.subarray(half));
    for (const upload of again) assert.equal((await within(upload.answer, 10_000, 'a later upload')).status, 201);
    assert.equal(slots.inFlight, 0);
  });

  it('answers 429 TOO_MANY_UPLOADS to an account past MEDIA_MAX_UPLOADS_PER_ACCOUNT at once, and admits another account', async () => {
    const one = await startUserService({ MEDIA_MAX_UPLOADS_PER_ACCOUNT: '1' });
    try {
      const [erin, frank] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const form = formOf(await makeJpeg({ width: 300, height: 200 }));
      const half = Math.floor(form.length / 2);
      const held = new RawUpload(one.url, erin.token, form.length);
      await held.send(form.subarray(0, half));
      await untilInFlight(one.deps.media.context.slots, 1);
      const second = new RawUpload(one.url, erin.token, form.length);
      const refused = await within(second.answer, 5_000, "the answer to the account's second upload");
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error!.code, 'TOO_MANY_UPLOADS');
      assert.ok(refused.headers['retry-after']);
      const others = await uploadPicture(one.url, await makePng(), { token: frank.token });
      assert.equal(others.status, 201, JSON.stringify(others.body));
      held.finish(form.subarray(half));
      assert.equal((await within(held.answer, 10_000, 'the held upload')).status, 201);
    } finally {
      await one.close();
    }
  });

  it('never runs more than MEDIA_MAX_CONCURRENT jobs, even when one asks for a slot as another hands its own on', async () => {
    const slots = new WorkSlots(1, 2);
    let running = 0;
    let most = 0;
    const job = async (until: Promise<void>) => {
      running++;
      most = Math.max(most, running);
      try {
        await until;
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        running--;
      }
    };
    let endFirst!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => (endFirst = resolve));
    const [a, b, c] = [slots.admit('a'), slots.admit('b'), slots.admit('c')];
    let firstJob!: Promise<void>;
    const ran = [a.run(() => (firstJob = job(firstMayEnd)))];
    ran.push(b.run(() => job(Promise.resolve())));
    // `c` asks in the very turn that `a`'s job settles in, as `a` hands its slot to the waiting `b`.
    ran.push(firstJob.then(() => c.run(() => job(Promise.resolve()))));
    endFirst();
    await Promise.all(ran);
    assert.equal(most, 1, `${most} jobs ran at once`);
    assert.equal(slots.inFlight, 0);
  });

  it('answers 408 UPLOAD_TIMEOUT to an upload that stalls past MEDIA_UPLOAD_TIMEOUT_MS, and gives its place back', async () => {
    const dave = await registerUser(s.auth.url);
    const slots = hasty.deps.media.context.slots;
    const form = formOf(await makeJpeg({ width: 600, height: 400 }));
    const upload = new RawUpload(hasty.url, dave.token, form.length);
    const started = Date.now();
    await upload.send(form.subarray(0, Math.floor(form.length / 2)));
    const answer = await within(upload.answer, 5_000, 'the answer to a stalled upload');
    const waited = Date.now() - started;
    assert.equal(answer.status, 408);
    assert.equal(answer.body.error!.code, 'UPLOAD_TIMEOUT');
    assert.equal(answer.headers.connection, 'close');
    assert.ok(waited >= 900, `answered after ${waited} ms`);
    await within(upload.closed, 5_000, 'the server closing the connection');
    assert.equal(slots.inFlight, 0);
    // Its place was the only one: a new upload gets it.
    const next = await uploadPicture(hasty.url, await makePng(), { token: dave.token });
    assert.equal(next.status, 201, JSON.stringify(next.body));
  });

  it('answers 429 TOO_MANY_UPLOADS with Retry-After past MEDIA_UPLOADS_PER_HOUR, for that account alone', async () => {
    const erin = await registerUser(s.auth.url);
    const frank = await registerUser(s.auth.url);
    const picture = await makePng();
    for (let i = 0; i < 2; i++) assert.equal((await uploadPicture(small.url, picture, { token: erin.token })).status, 201);
    const refused = await uploadPicture(small.url, picture, { token: erin.token });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error!.code, 'TOO_MANY_UPLOADS');
    assert.match(refused.body.error!.message, /at most 2 uploads per hour/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 3000 && retryAfter <= 3600, `Retry-After: ${retryAfter}`);
    assert.equal((await uploadPicture(small.url, picture, { token: frank.token })).status, 201);
  });
});

describe('pictures: the sweeper', () => {
  let s: Services;
  let alice: RegisteredUser;
  let publicDir: string;
  before(async () => {
    // Sweeps are the test's own: the interval is an hour.
    s = await startServices({ MEDIA_UNATTACHED_TTL_HOURS: '1', MEDIA_SWEEP_INTERVAL_MS: '3600000' });
    alice = await registerUser(s.auth.url);
    publicDir = path.join(s.userDeps.config.MEDIA_LOCAL_DIR, 'public');
  });
  after(() => s.close());

  const sql = (text: string, values: unknown[] = []) => s.userDeps.database.pool.query(text, values);
  const upload = async (user = alice) => {
    const res = await uploadPicture(s.userUrl, await makePng(120, 80), { token: user.token });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const fileOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
  const filesOf = (media: UploadAnswer) => [fileOf(media.url), fileOf(media.previewUrl)].map((file) => path.join(publicDir, file));
  const exists = (file: string) => access(file).then(
    () => true,
    () => false,
  );
  const rowExists = async (id: number) => (await sql('SELECT 1 FROM media WHERE id = $1', [id])).rowCount === 1;
  const status = async (url: string) => {
    const res = await fetch(`${s.userUrl}${url}`);
    await res.arrayBuffer();
    return res.status;
  };
  /** Sets an upload's age: when it was made (and attached, if it was). */
  const age = (id: number, interval: string) =>
    sql(`UPDATE media SET created_at = now() - $2::interval, attached_at = attached_at - $2::interval WHERE id = $1`, [id, interval]);

  const assertRemoved = async (media: UploadAnswer) => {
    assert.equal(await rowExists(media.id), false, `row ${media.id} is gone`);
    for (const file of filesOf(media)) assert.equal(await exists(file), false, `${file} is gone`);
    assert.equal(await status(media.url), 404);
    assert.equal(await status(media.previewUrl), 404);
  };
  const assertKept = async (media: UploadAnswer) => {
    assert.equal(await rowExists(media.id), true, `row ${media.id} is kept`);
    for (const file of filesOf(media)) assert.equal(await exists(file), true, `${file} is kept`);
    assert.equal(await status(media.url), 200);
  };

  it('removes an upload left unattached past MEDIA_UNATTACHED_TTL_HOURS, row and files, and keeps a younger one', async () => {
    const old = await upload();
    const young = await upload();
    for (const file of [...filesOf(old), ...filesOf(young)]) assert.equal(await exists(file), true, `${file} was stored`);
    await age(old.id, '61 minutes');
    await age(young.id, '59 minutes');
    await s.userDeps.media.sweeper.sweep();
    await assertRemoved(old);
    await assertKept(young);
  });

  it('removes an upload whose processing never finished after 15 minutes, and not before', async () => {
    const abandoned = await upload();
    const underway = await upload();
    await sql(`UPDATE media SET ready = false WHERE id = ANY($1)`, [[abandoned.id, underway.id]]);
    await age(abandoned.id, '16 minutes');
    await age(underway.id, '14 minutes');
    await s.userDeps.media.sweeper.sweep();
    await assertRemoved(abandoned);
    assert.equal(await rowExists(underway.id), true);
    for (const file of filesOf(underway)) assert.equal(await exists(file), true);
  });

  it('keeps, however old, an upload that a post or the avatar took', async () => {
    const forPost = await upload();
    const forAvatar = await upload();
    const post = await api(s.userUrl, 'POST', '/posts', { token: alice.token, body: { text: 'with a picture', mediaIds: [forPost.id] } });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    const me = await api(s.userUrl, 'PATCH', '/me', { token: alice.token, body: { avatarMediaId: forAvatar.id } });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    const { rows } = await sql('SELECT id, used_as FROM media WHERE id = ANY($1) ORDER BY id', [[forPost.id, forAvatar.id]]);
    assert.deepEqual(
      rows.map((row: { used_as: string }) => row.used_as),
      ['post', 'avatar'],
    );
    await age(forPost.id, '30 days');
    await age(forAvatar.id, '30 days');
    await s.userDeps.media.sweeper.sweep();
    await assertKept(forPost);
    await assertKept(forAvatar);
  });

  it('sweeps at once with another instance without failing, each upload removed once', async () => {
    const expired = await Promise.all([upload(), upload(), upload(), upload()]);
    for (const media of expired) await age(media.id, '2 hours');
    const { sweeper } = s.userDeps.media;
    // Another instance's sweeper: the same database and storage, a sweeper of its own.
    const other = new MediaSweeper(s.userDeps.database.db, s.userDeps.media.context.storage, { unattachedSeconds: 3600, abandonedSeconds: 900 }, createLogger('other', 'silent'));
    const first = sweeper.sweep();
    const joined = sweeper.sweep();
    assert.equal(joined, first, 'a sweep already running is joined');
    await Promise.all([first, joined, other.sweep(), other.sweep()]);
    for (const media of expired) await assertRemoved(media);
  });

  it('goes on past a file it cannot remove, and removes the others', async () => {
    // A directory where a queued file should be: rm() cannot take it as a file.
    const stuck = 'stuckByADirectory00000.png'; // a name the service could give
    await mkdir(path.join(publicDir, stuck, 'inside'), { recursive: true });
    await sql(`INSERT INTO media_file_deletions (visibility, file) VALUES ('public', $1)`, [stuck]);
    const expired = await upload();
    await age(expired.id, '2 hours');
    try {
      // The sweep says it could not remove everything …
      await assert.rejects(s.userDeps.media.sweeper.sweep(), (err: unknown) => err instanceof AggregateError && /could not be removed/.test(err.message));
      // … yet the files behind the stuck one went.
      await assertRemoved(expired);
      // It stays queued, and goes once it can.
      assert.equal((await sql('SELECT 1 FROM media_file_deletions WHERE file = $1', [stuck])).rowCount, 1);
    } finally {
      await rm(path.join(publicDir, stuck), { recursive: true, force: true });
    }
    // Gone from this store by other means, it stays queued a day (it may be another store's),
    // then is forgotten.
    await s.userDeps.media.sweeper.sweep();
    assert.equal((await sql('SELECT 1 FROM media_file_deletions WHERE file = $1', [stuck])).rowCount, 1);
    await sql(`UPDATE media_file_deletions SET queued_at = now() - interval '25 hours' WHERE file = $1`, [stuck]);
    await s.userDeps.media.sweeper.sweep();
    assert.equal((await sql('SELECT 1 FROM media_file_deletions WHERE file = $1', [stuck])).rowCount, 0);
  });

  it('leaves nothing behind when the storage fails: no row, and after a sweep no file', async () => {
    const bob = await registerUser(s.auth.url);
    const before = new Set(await readdir(publicDir));
    // The folder of public files is replaced by a file: nothing can be stored.
    await rename(publicDir, `${publicDir}.away`);
    await writeFile(publicDir, 'not a folder');
    let res;
    try {
      res = await uploadPicture(s.userUrl, await makePng(), { token: bob.token });
      // A sweep while storage is still broken does not fail for files that cannot be there.
      await s.userDeps.media.sweeper.sweep();
    } finally {
      await rm(publicDir, { force: true });
      await rename(`${publicDir}.away`, publicDir);
    }
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error!.code, 'MEDIA_STORAGE_UNAVAILABLE');
    assert.ok(res.headers.get('retry-after'));
    assert.equal(await countRows(s, bob.id), 0);
    await s.userDeps.media.sweeper.sweep();
    assert.deepEqual(new Set(await readdir(publicDir)), before);
  });

  it('removes the file already stored when the second fails', async () => {
    const carol = await registerUser(s.auth.url);
    const storage = s.userDeps.media.context.storage;
    const stored: string[] = [];
    // The original is stored on disk for real; storing the preview fails, as a full disk would.
    storage.put = async function (area, name, sourcePath, contentType) {
      if (stored.length > 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      await Object.getPrototypeOf(storage).put.call(storage, area, name, sourcePath, contentType);
      stored.push(path.join(publicDir, name));
    };
    let res;
    try {
      res = await uploadPicture(s.userUrl, await makePng(), { token: carol.token });
    } finally {
      delete (storage as { put?: unknown }).put;
    }
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(stored.length, 1);
    assert.equal(await exists(stored[0]!), true, 'the original was stored before the preview failed');
    assert.equal(await countRows(s, carol.id), 0);
    await s.userDeps.media.sweeper.sweep();
    assert.equal(await exists(stored[0]!), false, 'the sweep removed the stored original');
  });
});
