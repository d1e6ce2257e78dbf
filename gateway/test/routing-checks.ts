/**
 * What any murmur gateway must do in front of the real services, whichever it is: the
 * development one (gateway.test.ts) or nginx with gateway/nginx.conf (nginx.test.ts). Both are
 * held to the same answers, byte for byte where the gateway answers itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, uniqueName, within } from '@murmur/shared/testing';
import { makeJpeg, makePhotoJpeg, makePng, uploadPicture } from '@murmur/user-service/testing';
import { BAD_GATEWAY, errorJson, MEDIA_METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED, NOT_ROUTED } from '../src/gateway-errors.js';
import { ASSET_CACHE_CONTROL, CLIENT_HEADERS, PAGE_CACHE_CONTROL } from '../src/web-client.js';
import { openChatSocket, partialBody, rawGet, refusedUpgrade, WEB_BUILD } from './helpers.js';
import type { Platform } from './platform.js';

export interface GatewayInFront {
  url: string;
  /** The origin of the pages the gateway serves, which the services allow. */
  origin: string;
  platform: Platform;
  close(): Promise<void>;
}

const CROSS_SITE = 'https://elsewhere.example';

/** The auth cookie a response set, as a Cookie header value, after checking it is the gateway host's own. */
function gatewayCookie(headers: Headers): string {
  const setCookie = headers.getSetCookie().find((c) => c.startsWith('murmur_token='));
  assert.ok(setCookie, 'the auth cookie is set');
  const attributes = setCookie.toLowerCase();
  assert.match(attributes, /;\s*path=\/(;|$)/);
  assert.match(attributes, /;\s*httponly/);
  // No Domain: the browser keeps it for the gateway's host alone.
  assert.doesNotMatch(attributes, /;\s*domain=/);
  return setCookie.split(';')[0]!;
}

const MIB = 1024 * 1024;
/** user-service's MEDIA_MAX_BYTES, which the platform leaves at its default. */
const DEFAULT_MEDIA_MAX_BYTES = 10 * MIB;
const BOUNDARY = 'murmur-test-boundary';

/** What user-service answers for a picture that does not exist, or that the asker may not see. */
const MEDIA_NOT_FOUND_JSON = '{"error":{"code":"MEDIA_NOT_FOUND","message":"no such picture"}}';
/** The headers every picture is sent with (user-service/src/media/media-headers.ts), whoever sends it. */
const MEDIA_HEADERS = ['content-type', 'x-content-type-options', 'content-security-policy', 'cache-control', 'cross-origin-resource-policy'];

function expectedMediaHeaders(area: 'public' | 'private', contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    'cache-control': `${area}, max-age=31536000, immutable`,
    'cross-origin-resource-policy': area === 'public' ? 'cross-origin' : 'same-origin',
  };
}

const mediaHeadersOf = (headers: Headers) => Object.fromEntries(MEDIA_HEADERS.map((name) => [name, headers.get(name)]));

/** The type a picture's bytes say they are. */
function sniffedType(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

function assertGatewayError(res: { status: number; headers: Headers | Record<string, unknown>; body: unknown }, error: { status: number }, json: string): void {
  assert.equal(res.status, error.status);
  const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  assert.equal(body, json);
}

export function gatewayRoutingChecks(name: string, start: () => Promise<GatewayInFront>): void {
  describe(name, () => {
    let gw: GatewayInFront;
    let cookie: string;
    let username: string;
    const ws = (path: string) => `${gw.url.replace(/^http/, 'ws')}${path}`;
    const asBrowser = (extra: Record<string, string> = {}) => ({ cookie, headers: { origin: gw.origin, ...extra } });

    before(async () => {
      gw = await start();
    });
    after(async () => {
      await gw.close();
    });

    it('answers GET /healthz itself', async () => {
      const res = await api(gw.url, 'GET', '/healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok' });
    });

    it('registers through /api/auth with a cookie for the gateway host alone', async () => {
      username = uniqueName('gw');
      const res = await api(gw.url, 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.com`, password: 'correct horse battery' },
        headers: { origin: gw.origin },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      cookie = gatewayCookie(res.headers);
    });

    it('logs in through /api/auth/login', async () => {
      const res = await api(gw.url, 'POST', '/api/auth/login', { body: { username, password: 'correct horse battery' }, headers: { origin: gw.origin } });
      assert.equal(res.status, 200);
      cookie = gatewayCookie(res.headers);
    });

    it('has the cookie accepted by /api/users/me and /api/chat/ws/getRooms', async () => {
      const me = await api(gw.url, 'GET', '/api/users/me', asBrowser());
      assert.equal(me.status, 200);
      assert.equal(me.body.username, username);
      const rooms = await api(gw.url, 'GET', '/api/chat/ws/getRooms?limit=5', asBrowser());
      assert.equal(rooms.status, 200);
      assert.ok(Array.isArray(rooms.body.items));
    });

    it('passes on each service’s Cache-Control: no-store, so no browser or proxy keeps an answer', async () => {
      const answers = {
        'auth-service': await api(gw.url, 'POST', '/api/auth/login', { body: { username, password: 'correct horse battery' }, headers: { origin: gw.origin } }),
        'user-service': await api(gw.url, 'GET', '/api/users/me', asBrowser()),
        'ws-service': await api(gw.url, 'GET', '/api/chat/ws/getRooms?limit=5', asBrowser()),
      };
      for (const [service, res] of Object.entries(answers)) {
        assert.equal(res.status, 200, `${service}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers.get('cache-control'), 'no-store', service);
      }
    });

    it('joins a room over a WebSocket through /api/chat/ws/joinRoom/:id with the cookie and Origin, and a message round-trips', async () => {
      const created = await api(gw.url, 'POST', '/api/chat/ws/createRoom', { ...asBrowser(), body: { name: 'through the gateway' } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const path = `/api/chat/ws/joinRoom/${created.body.id}`;
      const sender = await openChatSocket(ws(path), { origin: gw.origin, cookie });
      // A resume from seq 0 gets every message of the room, whenever its join completes.
      const listener = await openChatSocket(ws(`${path}?since=0`), { origin: gw.origin, cookie });
      try {
        await sender.next('history');
        sender.send({ type: 'message', text: 'hello through the gateway', clientMsgId: 'gw-1' });
        const ack = await sender.next('message', (e) => e.clientMsgId === 'gw-1');
        assert.equal(ack.text, 'hello through the gateway');
        const delivered = await listener.next('message', (e) => e.seq === ack.seq);
        assert.equal(delivered.text, 'hello through the gateway');
      } finally {
        await sender.close();
        await listener.close();
      }
    });

    it('passes a cross-site Origin on unchanged, so the services refuse it', async () => {
      const change = await api(gw.url, 'POST', '/api/chat/ws/createRoom', { cookie, headers: { origin: CROSS_SITE }, body: { name: 'hijacked' } });
      assert.equal(change.status, 403);
      assert.equal(change.body.error.code, 'CROSS_SITE_REQUEST');
      const created = await api(gw.url, 'POST', '/api/chat/ws/createRoom', { ...asBrowser(), body: { name: 'private' } });
      const upgrade = await refusedUpgrade(ws(`/api/chat/ws/joinRoom/${created.body.id}`), { origin: CROSS_SITE, cookie });
      assert.equal(upgrade.status, 403);
    });

    it('never forwards /api/<service>/metrics, however it is spelled', async () => {
      const spellings = [
        '/api/users/metrics',
        '/api/auth/metrics',
        '/api/chat/metrics?format=text',
        '/api/users/metrics/',
        '/api/users/METRICS',
        '/api/users/%6Detrics',
        '/api/users//metrics',
        '/api/users/x/../metrics',
        '/api/users/metrics/anything',
      ];
      for (const path of spellings) {
        const res = await rawGet(gw.url, path);
        assert.equal(res.status, 404, path);
        assert.equal(res.body, errorJson(NOT_ROUTED), path);
        assert.match(String(res.headers['content-type']), /^application\/json/, path);
        // Every answer of a service carries X-Request-Id; this one never reached a service.
        assert.equal(res.headers['x-request-id'], undefined, path);
      }
    });

    it('answers 404 JSON for an /api path no service owns', async () => {
      for (const path of ['/api', '/api/', '/api/nothing/here', '/api/authx/login']) {
        const res = await rawGet(gw.url, path);
        assertGatewayError(res, NOT_ROUTED, errorJson(NOT_ROUTED));
      }
    });

    it("passes a service's own errors through untouched", async () => {
      const res = await api(gw.url, 'GET', '/api/users/no/such/route');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
      assert.match(res.body.error.message, /no route for GET \/no\/such\/route/);
      assert.ok(res.headers.get('x-request-id'), 'the service answered');
    });

    it("serves each service's root, document and reference under its prefix", async () => {
      const banner = await api(gw.url, 'GET', '/api/users');
      assert.deepEqual(banner.body, { service: 'user-service', status: 'ok' });
      const document = await api(gw.url, 'GET', '/api/chat/openapi.json');
      assert.equal(document.body.openapi, '3.1.0');
      const page = await api(gw.url, 'GET', '/api/auth/docs');
      assert.equal(page.status, 200);
      assert.match(page.body, /href="docs\/swagger-ui\.css"/);
      const css = await api(gw.url, 'GET', '/api/auth/docs/swagger-ui.css');
      assert.equal(css.status, 200);
    });

    it('refuses a body over 16 KiB with the services’ 413', async () => {
      const res = await api(gw.url, 'POST', '/api/users/posts', { ...asBrowser(), body: { text: 'x'.repeat(20 * 1024) } });
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, 'BODY_TOO_LARGE');
    });

    it('serves the web client: index.html uncached, assets cached for good, deep links falling back to the app', async () => {
      for (const path of ['/', '/index.html', '/rooms/5', '/users/alice/followers']) {
        const res = await rawGet(gw.url, path);
        assert.equal(res.status, 200, path);
        assert.equal(res.body, WEB_BUILD.index, path);
        assert.equal(res.headers['cache-control'], PAGE_CACHE_CONTROL, path);
        for (const [header, value] of Object.entries(CLIENT_HEADERS)) assert.equal(res.headers[header.toLowerCase()], value, `${path} ${header}`);
      }
      const asset = await rawGet(gw.url, `/${WEB_BUILD.asset}`);
      assert.equal(asset.status, 200);
      assert.equal(asset.body, WEB_BUILD.assetBody);
      assert.equal(asset.headers['cache-control'], ASSET_CACHE_CONTROL);
      assert.match(String(asset.headers['content-type']), /javascript/);
      const missing = await rawGet(gw.url, '/assets/app-000000.js');
      assertGatewayError(missing, NOT_ROUTED, errorJson(NOT_ROUTED));
      assert.match(String(missing.headers['content-type']), /^application\/json/);
    });

    it('answers the web client only for GET and HEAD', async () => {
      const head = await fetch(`${gw.url}/rooms/5`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      const post = await api(gw.url, 'POST', '/rooms/5', { body: {} });
      assertGatewayError(post, METHOD_NOT_ALLOWED, errorJson(METHOD_NOT_ALLOWED));
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
    });

    describe('pictures', () => {
      let owner: RegisteredUser;
      let member: RegisteredUser;
      let outsider: RegisteredUser;
      const auth = (user: RegisteredUser) => ({ authorization: `Bearer ${user.token}` });

      /**
       * Fetches `path` (GET, then HEAD) and checks the answer is the picture with the service's
       * headers: exactly what user-service itself sends for it, type and all.
       */
      async function assertPicture(path: string, area: 'public' | 'private', headers: Record<string, string> = {}): Promise<void> {
        const res = await fetch(`${gw.url}${path}`, { headers });
        assert.equal(res.status, 200, path);
        const bytes = Buffer.from(await res.arrayBuffer());
        const type = sniffedType(bytes);
        assert.ok(type, `${path} is a picture`);
        assert.equal(res.headers.get('content-length'), String(bytes.length), path);
        assert.deepEqual(mediaHeadersOf(res.headers), expectedMediaHeaders(area, type), path);
        const direct = await fetch(`${gw.platform.urls['user-service']}${path}`, { method: 'HEAD', headers });
        assert.equal(direct.status, 200, `${path} from user-service`);
        assert.deepEqual(mediaHeadersOf(res.headers), mediaHeadersOf(direct.headers), `${path}: the service's own headers`);
        const head = await fetch(`${gw.url}${path}`, { method: 'HEAD', headers });
        assert.equal(head.status, 200, `HEAD ${path}`);
        assert.equal(head.headers.get('content-length'), String(bytes.length), `HEAD ${path}`);
        assert.deepEqual(mediaHeadersOf(head.headers), expectedMediaHeaders(area, type), `HEAD ${path}`);
        assert.equal((await head.arrayBuffer()).byteLength, 0, `HEAD ${path}`);
      }

      async function assertNoPicture(path: string, headers: Record<string, string> = {}): Promise<void> {
        const res = await fetch(`${gw.url}${path}`, { headers });
        assert.equal(res.status, 404, path);
        assert.match(String(res.headers.get('content-type')), /^application\/json/, path);
        assert.equal(await res.text(), MEDIA_NOT_FOUND_JSON, path);
      }

      before(async () => {
        const register = (prefix: string) => registerUser(`${gw.url}/api/auth`, prefix);
        [owner, member, outsider] = await Promise.all([register('pic_owner'), register('pic_member'), register('pic_other')]);
      });

      it('uploads through /api/users/media and serves the files under /media with the service’s headers', async () => {
        const up = await uploadPicture(`${gw.url}/api/users`, await makePng(), { token: owner.token, alt: 'an orange square' });
        assert.equal(up.status, 201, JSON.stringify(up.body));
        assert.match(up.body.url, /^\/media\/[\w-]+\.\w+$/);
        assert.match(up.body.previewUrl, /^\/media\/[\w-]+\.\w+$/);
        for (const path of [up.body.url, up.body.previewUrl]) {
          await assertPicture(path, 'public');
          // Anyone's: no account needed.
          await assertPicture(path, 'public', auth(outsider));
        }
      });

      it('answers an unknown picture with the service’s 404 JSON, and anything but GET and HEAD with 405', async () => {
        for (const path of ['/media/nosuchpicture0.png', '/media/nosuchpicture0.webp', '/media/not-a-picture.txt', '/media/private/nosuchpicture0.jpg']) {
          await assertNoPicture(path);
        }
        for (const path of ['/media/nosuchpicture0.png', '/media/private/nosuchpicture0.jpg']) {
          const res = await api(gw.url, 'POST', path, { ...asBrowser(), body: {} });
          assertGatewayError(res, MEDIA_METHOD_NOT_ALLOWED, errorJson(MEDIA_METHOD_NOT_ALLOWED));
          assert.equal(res.headers.get('allow'), 'GET, HEAD', path);
        }
      });

      it("serves a private room's picture to its members alone, with Cache-Control: private", async () => {
        const room = await api(gw.url, 'POST', '/api/chat/ws/createRoom', { token: owner.token, body: { name: 'pictures', visibility: 'private' } });
        assert.equal(room.status, 200, JSON.stringify(room.body));
        const added = await api(gw.url, 'PUT', `/api/chat/ws/rooms/${room.body.id}/members/${member.id}`, { token: owner.token, body: {} });
        assert.ok(added.status < 300, JSON.stringify(added.body));
        const up = await uploadPicture(`${gw.url}/api/users`, await makeJpeg(), { token: owner.token, roomId: room.body.id });
        assert.equal(up.status, 201, JSON.stringify(up.body));
        assert.match(up.body.url, /^\/media\/private\/[\w-]+\.\w+$/);
        for (const path of [up.body.url, up.body.previewUrl]) {
          // A page's <img> sends the cookie; an app sends its token.
          await assertPicture(path, 'private', { cookie: member.cookie });
          await assertPicture(path, 'private', auth(member));
          await assertPicture(path, 'private', auth(owner));
          await assertNoPicture(path, auth(outsider));
          await assertNoPicture(path, { cookie: outsider.cookie });
          await assertNoPicture(path);
          // Not a public file under another name.
          await assertNoPicture(path.replace('/media/private/', '/media/'));
        }
      });

      it('passes an upload over 16 KiB to user-service, and refuses a 12 MiB body without taking it all', async () => {
        const photo = await makePhotoJpeg(320, 240);
        assert.ok(photo.length > 16 * 1024, `the photo has ${photo.length} bytes`);
        const up = await uploadPicture(`${gw.url}/api/users`, photo, { token: owner.token });
        assert.equal(up.status, 201, JSON.stringify(up.body));
        await assertPicture(up.body.url, 'public');

        // Only its first 64 KiB are ever sent: the answer comes before the rest would have.
        const refused = await within(
          partialBody(gw.url, '/api/users/media', {
            headers: { ...auth(owner), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
            body: Buffer.alloc(64 * 1024, 0x61),
            declaredBytes: 12 * MIB,
          }),
          5_000,
          'the answer to a 12 MiB upload',
        );
        assert.equal(refused.status, 413);
        assert.match(String(refused.headers['content-type']), /^application\/json/);
        // The gateway's own refusal (nginx), or user-service's once it reads the declared length.
        assert.match(JSON.parse(refused.body).error.code, /^(BODY|MEDIA)_TOO_LARGE$/);
      });

      it('streams an upload to user-service as it arrives, which refuses a picture past MEDIA_MAX_BYTES', async () => {
        // Chunked, so no length is declared, and never ended: only user-service, reading the
        // picture as it arrives, can tell it is too large, and only if the gateway passes the
        // body on without waiting for its end.
        const jpeg = await makeJpeg();
        const start = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
        const refused = await within(
          partialBody(gw.url, '/api/users/media', {
            headers: { ...auth(owner), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
            body: Buffer.concat([start, jpeg, Buffer.alloc(DEFAULT_MEDIA_MAX_BYTES + 64 * 1024 - jpeg.length)]),
          }),
          10_000,
          'user-service’s answer to a picture past MEDIA_MAX_BYTES',
        );
        assert.equal(refused.status, 413);
        assert.equal(JSON.parse(refused.body).error.code, 'MEDIA_TOO_LARGE');
      });
    });

    it('answers 502 JSON for a stopped service, over HTTP and for a WebSocket upgrade', async () => {
      await gw.platform.stop('user-service');
      const res = await api(gw.url, 'GET', '/api/users/me', asBrowser());
      assertGatewayError(res, BAD_GATEWAY, errorJson(BAD_GATEWAY));
      await gw.platform.stop('ws-service');
      const upgrade = await refusedUpgrade(ws('/api/chat/ws/joinRoom/1'), { origin: gw.origin, cookie });
      assert.equal(upgrade.status, BAD_GATEWAY.status);
      assert.equal(upgrade.body, errorJson(BAD_GATEWAY));
    });
  });
}
