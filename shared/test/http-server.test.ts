import assert from 'node:assert/strict';
import type http from 'node:http';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { commonEnv, ConfigError, parseEnv } from '../src/config.js';
import { createHttpServer, DEFAULT_HTTP_LIMITS, type HttpLimitsConfig } from '../src/http/server.js';
import { nextEvent, RawConnection, serveOn, within, type Served } from '../src/testing.js';

const HEADERS_TIMEOUT_MS = 300;
/** Room for a loaded machine on top of a deadline; a bound on a wait, never a pause. */
const SLACK_MS = 1_500;

const LIMITS: HttpLimitsConfig = {
  HTTP_HEADERS_TIMEOUT_MS: HEADERS_TIMEOUT_MS,
  HTTP_REQUEST_TIMEOUT_MS: 1_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
  HTTP_MAX_PENDING_CONNECTIONS: 3,
};

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`;

function start(handler: http.RequestListener, limits: HttpLimitsConfig = LIMITS): Promise<Served> {
  return serveOn(createHttpServer(handler, limits));
}

const hello: http.RequestListener = (_req, res) => {
  res.end('hello');
};

/** Opens a connection and waits until the server has accepted it, so the server's order is the opening order. */
async function openAccepted(running: Served): Promise<RawConnection> {
  const accepted = nextEvent<unknown>((listener) => running.server.once('connection', listener));
  const connection = await RawConnection.open(running.url);
  await accepted;
  return connection;
}

/** Resolves once a connection that never sends anything has been closed: one first-request deadline has passed. */
async function oneDeadlinePassed(running: Served): Promise<void> {
  const probe = await RawConnection.open(running.url);
  await within(probe.closed, HEADERS_TIMEOUT_MS + SLACK_MS, 'closing the probe connection');
}

describe('HTTP connection limits', () => {
  it('closes a connection that sends nothing once HTTP_HEADERS_TIMEOUT_MS passes', async () => {
    const running = await start(hello);
    try {
      const silent = await RawConnection.open(running.url);
      await within(silent.closed, HEADERS_TIMEOUT_MS + SLACK_MS, 'closing the silent connection');
    } finally {
      await running.close();
    }
  });

  it('closes a connection that starts a request and never finishes its headers, with 408', async () => {
    const running = await start(hello);
    try {
      const trickling = await RawConnection.open(running.url);
      trickling.write('GET / HTTP/1.1\r\n');
      await within(trickling.closed, HEADERS_TIMEOUT_MS + SLACK_MS, 'closing the trickling connection');
      assert.match(trickling.received, /^HTTP\/1\.1 408 /);
    } finally {
      await running.close();
    }
  });

  it('leaves a served connection alone: a slow answer and an idle keep-alive outlast the first-request deadline', async () => {
    let slowArrived!: () => void;
    const slowStarted = new Promise<void>((resolve) => (slowArrived = resolve));
    let finishSlow: () => void = () => undefined;
    const running = await start((req, res) => {
      if (req.url !== '/slow') return hello(req, res);
      finishSlow = () => res.end('slow done');
      slowArrived();
    });
    try {
      const client = await RawConnection.open(running.url);
      client.write(GET('/slow'));
      await within(slowStarted, 2_000, 'the slow request reaching the handler');
      await oneDeadlinePassed(running);
      assert.equal(client.isClosed, false, 'the first-request deadline cut a request being served');
      finishSlow();
      await client.untilReceived('slow done');

      await oneDeadlinePassed(running);
      assert.equal(client.isClosed, false, 'an idle keep-alive connection was cut before HTTP_KEEP_ALIVE_TIMEOUT_MS');
      client.write(GET('/'));
      await client.untilReceived('hello');
      client.close();
    } finally {
      await running.close();
    }
  });

  it('past HTTP_MAX_PENDING_CONNECTIONS closes the connection that has waited longest at once, and keeps serving', async () => {
    // A longer deadline than the other tests, so "at once" and "at the deadline" are far apart.
    const headersTimeoutMs = 1_000;
    const running = await start(hello, { ...LIMITS, HTTP_HEADERS_TIMEOUT_MS: headersTimeoutMs });
    try {
      const startedAt = performance.now();
      const waiting: RawConnection[] = [];
      for (let i = 0; i < LIMITS.HTTP_MAX_PENDING_CONNECTIONS; i++) waiting.push(await openAccepted(running));
      const [oldest, ...others] = waiting as [RawConnection, ...RawConnection[]];
      assert.equal(oldest.isClosed, false);

      const newest = await openAccepted(running);
      await within(oldest.closed, headersTimeoutMs, 'closing the oldest waiting connection');
      assert.ok(performance.now() - startedAt < headersTimeoutMs, 'the oldest connection was closed by its deadline, not by the cap');
      assert.deepEqual([...others, newest].map((c) => c.isClosed), [false, false, false], 'the cap closed more than the oldest');

      await within(Promise.all([...others, newest].map((c) => c.closed)), headersTimeoutMs + SLACK_MS, 'closing the rest at their deadline');
      assert.equal(await (await fetch(`${running.url}/`)).text(), 'hello');
    } finally {
      await running.close();
    }
  });

  it('does not count served connections against HTTP_MAX_PENDING_CONNECTIONS', async () => {
    const running = await start(hello);
    try {
      const served: RawConnection[] = [];
      for (let i = 0; i < LIMITS.HTTP_MAX_PENDING_CONNECTIONS + 2; i++) {
        const client = await RawConnection.open(running.url);
        client.write(GET('/'));
        await client.untilReceived('hello');
        served.push(client);
      }
      // Were served connections still counted, this one would evict the first of them.
      const silent = await openAccepted(running);
      for (const client of served) {
        client.received = '';
        client.write(GET('/'));
        await client.untilReceived('hello');
      }
      assert.equal(silent.isClosed, false);
      for (const client of [...served, silent]) client.close();
    } finally {
      await running.close();
    }
  });

  it('takes a headers timeout above the request timeout as the request timeout', async () => {
    const running = await start(hello, { ...LIMITS, HTTP_HEADERS_TIMEOUT_MS: 60_000, HTTP_REQUEST_TIMEOUT_MS: HEADERS_TIMEOUT_MS });
    try {
      const silent = await RawConnection.open(running.url);
      await within(silent.closed, HEADERS_TIMEOUT_MS + SLACK_MS, 'closing the silent connection');
    } finally {
      await running.close();
    }
  });
});

describe('HTTP limits in the configuration', () => {
  const schema = z.object(commonEnv);
  const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1/murmur' };

  it('defaults every limit', () => {
    const config = parseEnv(schema, env);
    assert.deepEqual(
      {
        HTTP_HEADERS_TIMEOUT_MS: config.HTTP_HEADERS_TIMEOUT_MS,
        HTTP_REQUEST_TIMEOUT_MS: config.HTTP_REQUEST_TIMEOUT_MS,
        HTTP_KEEP_ALIVE_TIMEOUT_MS: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        HTTP_MAX_PENDING_CONNECTIONS: config.HTTP_MAX_PENDING_CONNECTIONS,
      },
      DEFAULT_HTTP_LIMITS,
    );
  });

  it('refuses a limit that is not a positive integer or too long for a timer, naming it', () => {
    for (const [name, value] of [
      ['HTTP_HEADERS_TIMEOUT_MS', '0'],
      ['HTTP_REQUEST_TIMEOUT_MS', '1.5'],
      ['HTTP_KEEP_ALIVE_TIMEOUT_MS', String(2 ** 31)],
      ['HTTP_MAX_PENDING_CONNECTIONS', 'many'],
    ] as const) {
      assert.throws(
        () => parseEnv(schema, { ...env, [name]: value }),
        (err: unknown) => err instanceof ConfigError && err.message.includes(name),
        `${name}=${value}`,
      );
    }
  });
});
