import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { ConfigError } from '@murmur/shared/config';
import { api, freePort, serveOn, within, type Served } from '@murmur/shared/testing';
import { loadConfig } from '../src/config.js';
import { errorJson, GATEWAY_TIMEOUT, MEDIA_METHOD_NOT_ALLOWED, NOT_ROUTED } from '../src/gateway-errors.js';
import { makeMediaDir, makeWebDist, rawGet, refusedUpgrade, startGateway, targetsOf, type GatewayUnderTest } from './helpers.js';
import { freeServicePorts, startPlatform } from './platform.js';
import { gatewayRoutingChecks } from './routing-checks.js';

gatewayRoutingChecks('the development gateway in front of the services', async () => {
  const ports = await freeServicePorts();
  const web = makeWebDist();
  const media = makeMediaDir();
  const gateway = await startGateway({ ...targetsOf(ports), WEB_DIST_DIR: web.dir });
  // user-service sends every picture itself, as under `npm start`.
  const platform = await startPlatform(ports, gateway.origin, { MEDIA_LOCAL_DIR: media.dir });
  return {
    ...gateway,
    platform,
    async close() {
      await gateway.close();
      await platform.close();
      web.remove();
      media.remove();
    },
  };
});

/** Echoes what reached it: the path, the query and the headers, over HTTP and over a WebSocket. */
async function startEchoService(): Promise<Served> {
  const describeRequest = (req: http.IncomingMessage) => JSON.stringify({ url: req.url, headers: req.headers });
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(describeRequest(req));
  });
  new WebSocketServer({ server }).on('connection', (socket, req) => {
    socket.send(describeRequest(req));
    socket.on('message', (data: Buffer) => socket.send(data.toString('utf8')));
  });
  return serveOn(server);
}

describe('the development gateway forwards', () => {
  let echo: Served;
  let gateway: GatewayUnderTest;
  const origin = 'http://localhost:8080';
  const headers = { origin, cookie: 'murmur_token=abc; theme=dark', 'x-forwarded-for': '203.0.113.7' };

  before(async () => {
    echo = await startEchoService();
    gateway = await startGateway({ AUTH_SERVICE_URL: echo.url, USER_SERVICE_URL: echo.url, WS_SERVICE_URL: echo.url });
  });
  after(async () => {
    await gateway.close();
    await echo.close();
  });

  it('a request with its prefix stripped, its query kept and Origin and Cookie unchanged', async () => {
    for (const [path, seen] of [
      ['/api/auth/login', '/login'],
      ['/api/users/timeline?limit=5&cursor=a%2Fb', '/timeline?limit=5&cursor=a%2Fb'],
      ['/api/chat/ws/getRooms', '/ws/getRooms'],
      ['/api/chat', '/'],
    ]) {
      const res = await api(gateway.url, 'GET', path!, { headers });
      assert.equal(res.body.url, seen);
      assert.equal(res.body.headers.origin, origin);
      assert.equal(res.body.headers.cookie, headers.cookie);
      // The address the gateway saw is appended: a service trusting one hop reads the client's.
      assert.equal(res.body.headers['x-forwarded-for'], '203.0.113.7,127.0.0.1');
    }
  });

  it('a picture’s path unchanged to user-service, GET and HEAD alone, never out of /media/', async () => {
    for (const path of ['/media/abc.png', '/media/private/abc.jpg?v=1']) {
      const res = await api(gateway.url, 'GET', path, { headers });
      assert.equal(res.body.url, path);
      assert.equal(res.body.headers.cookie, headers.cookie);
      const head = await fetch(`${gateway.url}${path}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await api(gateway.url, method, '/media/abc.png', { headers });
      assert.equal(res.status, MEDIA_METHOD_NOT_ALLOWED.status, method);
      assert.equal(JSON.stringify(res.body), errorJson(MEDIA_METHOD_NOT_ALLOWED), method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
    }
    for (const path of ['/media/../metrics', '/media/%2e%2e/metrics', '/media/private/../../api/users/metrics']) {
      const res = await rawGet(gateway.url, path);
      assert.equal(res.body, errorJson(NOT_ROUTED), path);
    }
    const upgrade = await refusedUpgrade(`${gateway.url.replace(/^http/, 'ws')}/media/abc.png`, { origin });
    assert.equal(upgrade.body, errorJson(NOT_ROUTED));
  });

  it('a WebSocket upgrade the same way', async () => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/api/chat/ws/joinRoom/42?since=7`, { origin, headers: { cookie: headers.cookie } });
    const seen = await new Promise<any>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8'))));
      socket.once('error', reject);
    });
    socket.close();
    assert.equal(seen.url, '/ws/joinRoom/42?since=7');
    assert.equal(seen.headers.origin, origin);
    assert.equal(seen.headers.cookie, headers.cookie);
  });
});

describe('a WebSocket through the development gateway', () => {
  it('outlives GATEWAY_PROXY_TIMEOUT_MS and GATEWAY_UPSTREAM_IDLE_MS: quiet sockets are ws-service’s to judge', async () => {
    const echo = await startEchoService();
    const gateway = await startGateway({ WS_SERVICE_URL: echo.url, GATEWAY_PROXY_TIMEOUT_MS: '150', GATEWAY_UPSTREAM_IDLE_MS: '150' });
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/api/chat/ws/joinRoom/1`);
    const nextMessage = () => new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
    try {
      await within(nextMessage(), 2_000, 'the first message');
      // What is tested is that nothing happens: no event marks a timeout that did not fire, so
      // the socket stays quiet for four times both timeouts before it is used again.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const reply = nextMessage();
      socket.send('still here');
      assert.equal(await within(reply, 2_000, 'the echo'), 'still here');
    } finally {
      socket.close();
      await gateway.close();
      await echo.close();
    }
  });
});

describe('the development gateway', () => {
  it('serves a page saying how to build the web client until it is built', async () => {
    const gateway = await startGateway({ WEB_DIST_DIR: '/nonexistent/web/dist' });
    try {
      for (const path of ['/', '/rooms/5']) {
        const res = await api(gateway.url, 'GET', path);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(res.body, /npm run build -w web/);
      }
    } finally {
      await gateway.close();
    }
  });

  it('answers 504 JSON when a service stays silent past GATEWAY_PROXY_TIMEOUT_MS', async () => {
    // Accepts connections and never answers, as a hung process would.
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => held.add(socket.on('error', () => undefined)));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const gateway = await startGateway({ USER_SERVICE_URL: `http://127.0.0.1:${port}`, GATEWAY_PROXY_TIMEOUT_MS: '200' });
    try {
      const res = await api(gateway.url, 'GET', '/api/users/me');
      assert.equal(res.status, GATEWAY_TIMEOUT.status);
      assert.equal(JSON.stringify(res.body), errorJson(GATEWAY_TIMEOUT));
    } finally {
      await gateway.close();
      held.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a bad configuration naming the variable', () => {
    assert.throws(() => loadConfig({ GATEWAY_PROXY_TIMEOUT_MS: '0' }), (err: Error) => err instanceof ConfigError && /GATEWAY_PROXY_TIMEOUT_MS/.test(err.message));
    assert.throws(() => loadConfig({ WS_SERVICE_URL: 'ftp://example.com' }), (err: Error) => err instanceof ConfigError && /WS_SERVICE_URL/.test(err.message));
  });
});
