import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { api, eventually } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { makeJpeg, makePixelBombPng, makePng, uploadPicture } from '../src/testing.js';
import { startServices, startUserService, type Services } from './helpers.js';

describe('pictures: upload', () => {
  let s: Services;
  let alice: RegisteredUser;
  before(async () => {
    s = await startServices();
    alice = await registerUser(s.auth.url);
  });
  after(() => s.close());

  const fetchFile = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.userUrl}${url}`, { headers });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('stores a JPEG upright, without EXIF or GPS, with a preview and a blurhash', async () => {
    const original = await makeJpeg({ width: 1200, height: 800, orientation: 6, exif: true });
    assert.ok((await sharp(original).metadata()).exif, 'the fixture carries EXIF');
    const res = await uploadPicture(s.userUrl, original, { token: alice.token, alt: '  an orange circle on blue ' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.type, 'image');
    assert.equal(res.body.alt, 'an orange circle on blue');
    // Orientation 6 turns the picture a quarter: 1200 × 800 is shown 800 × 1200.
    assert.equal(res.body.width, 800);
    assert.equal(res.body.height, 1200);
    assert.match(res.body.blurhash, /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,}$/);
    const { res: served, bytes } = await fetchFile(res.body.url);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/jpeg');
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.xmp, undefined);
    assert.equal(meta.orientation, undefined);
    assert.equal(bytes.includes(Buffer.from('murmur-test-camera')), false);
    assert.deepEqual([meta.width, meta.height], [800, 1200]);
    // The red corner was top-left of the stored pixels; turned clockwise it is top-right.
    const { data } = await sharp(bytes).extract({ left: 800 - 20, top: 5, width: 10, height: 10 }).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0]! > 200 && data[2]! < 80, `top-right is red: ${data.subarray(0, 3).join(',')}`);
    const { res: preview, bytes: previewBytes } = await fetchFile(res.body.previewUrl);
    assert.equal(preview.headers.get('content-type'), 'image/webp');
    const previewMeta = await sharp(previewBytes).metadata();
    assert.deepEqual([previewMeta.width, previewMeta.height], [427, 640]);
    assert.equal(previewMeta.exif, undefined);
  });

  it('serves public files with nosniff, a sandboxing policy and a year of caching', async () => {
    const res = await uploadPicture(s.userUrl, await makePng(), { token: alice.token });
    assert.equal(res.status, 201);
    assert.match(res.body.url, /^\/media\/[\w-]{22}\.png$/);
    const { res: served } = await fetchFile(res.body.url);
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(served.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
  });

  it('takes WebP, GIF (its first frame) and AVIF, recognised by content whatever their names', async () => {
    const base = () => sharp({ create: { width: 120, height: 90, channels: 3, background: '#208040' } });
    const frames = sharp({ create: { width: 60, height: 120, channels: 3, background: '#ff0000' } });
    const cases: Array<[string, Buffer, RegExp]> = [
      ['webp', await base().webp().toBuffer(), /\.webp$/],
      ['gif', await frames.gif().toBuffer(), /\.png$/],
      ['avif', await base().avif().toBuffer(), /\.jpg$/],
    ];
    for (const [format, bytes, stored] of cases) {
      const res = await uploadPicture(s.userUrl, bytes, { token: alice.token, filename: 'picture.txt', contentType: 'text/plain' });
      assert.equal(res.status, 201, `${format}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.url, stored, format);
      const { res: served, bytes: file } = await fetchFile(res.body.url);
      assert.equal(served.status, 200);
      assert.ok((await sharp(file).metadata()).width > 0);
    }
  });

  it('refuses a text file named .png with 415, whatever its declared type', async () => {
    const res = await uploadPicture(s.userUrl, Buffer.from('just some text, not a picture\n'.repeat(10)), { token: alice.token, filename: 'cat.png', contentType: 'image/png' });
    assert.equal(res.status, 415);
    assert.equal(res.body.error!.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a truncated JPEG with 422 MEDIA_UNREADABLE', async () => {
    const whole = await makeJpeg({ width: 800, height: 600 });
    const res = await uploadPicture(s.userUrl, whole.subarray(0, Math.floor(whole.length / 2)), { token: alice.token });
    assert.equal(res.status, 422);
    assert.equal(res.body.error!.code, 'MEDIA_UNREADABLE');
  });

  it('refuses a PNG claiming 60,000 × 60,000 pixels from its header, without decoding it', async () => {
    const before = process.memoryUsage().rss;
    const res = await uploadPicture(s.userUrl, makePixelBombPng(), { token: alice.token, contentType: 'image/png' });
    assert.equal(res.status, 422);
    assert.equal(res.body.error!.code, 'MEDIA_TOO_LARGE');
    assert.match(res.body.error!.message, /60000 × 60000/);
    // Decoding it would take 10 GiB; the service grew by far less than one such row of pixels.
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
  });

  it('answers 401 without a token and 400 for a description over 1,500 characters', async () => {
    assert.equal((await uploadPicture(s.userUrl, await makePng())).status, 401);
    const long = await uploadPicture(s.userUrl, await makePng(), { token: alice.token, alt: 'a'.repeat(1501) });
    assert.equal(long.status, 400);
    assert.equal(long.body.error!.code, 'VALIDATION_FAILED');
  });

  it('refuses a description holding a NUL with 400, before the picture is processed', async () => {
    const res = await uploadPicture(s.userUrl, await makePng(), { token: alice.token, alt: 'nul\u0000' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.code, 'VALIDATION_FAILED');
  });

  it('refuses a JSON body and a form without a file', async () => {
    const json = await api(s.userUrl, 'POST', '/media', { token: alice.token, body: { file: 'x' } });
    assert.equal(json.status, 415);
    const form = new FormData();
    form.set('alt', 'nothing else');
    const res = await fetch(`${s.userUrl}/media`, { method: 'POST', body: form, headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(res.status, 400);
  });

  it('leaves no file behind a refused upload', async () => {
    const dir = s.userDeps.config.MEDIA_LOCAL_DIR;
    const count = async () => (await readdir(path.join(dir, 'public')).catch(() => [])).length;
    const before = await count();
    await uploadPicture(s.userUrl, Buffer.from('not a picture'), { token: alice.token });
    await uploadPicture(s.userUrl, makePixelBombPng(), { token: alice.token });
    assert.equal(await count(), before);
  });
});

describe('pictures: what a process that died left behind', () => {
  it('removes old upload folders and half-copied files at start, and keeps fresh ones', async () => {
    const tmp = await mkdtemp(path.join(tmpdir(), 'murmur-stale-'));
    const media = path.join(tmp, 'media');
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const oldUpload = path.join(tmp, 'murmur-upload-old');
    const freshUpload = path.join(tmp, 'murmur-upload-fresh');
    const oldPartial = path.join(media, 'public', 'AAAAAAAAAAAAAAAAAAAAAA.jpg.1.partial');
    const freshPartial = path.join(media, 'public', 'BBBBBBBBBBBBBBBBBBBBBB.jpg.2.partial');
    for (const folder of [oldUpload, freshUpload, path.dirname(oldPartial)]) await mkdir(folder, { recursive: true });
    await writeFile(oldPartial, 'half');
    await writeFile(freshPartial, 'half');
    await utimes(oldUpload, hoursAgo(2), hoursAgo(2));
    await utimes(oldPartial, hoursAgo(2), hoursAgo(2));
    const user = await startUserService({ MEDIA_TMP_DIR: tmp, MEDIA_LOCAL_DIR: media });
    try {
      const exists = (file: string) => access(file).then(() => true, () => false);
      await eventually(async () => {
        assert.equal(await exists(oldUpload), false);
        assert.equal(await exists(oldPartial), false);
      });
      assert.equal(await exists(freshUpload), true);
      assert.equal(await exists(freshPartial), true);
    } finally {
      await user.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
