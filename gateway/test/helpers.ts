/** Test support: the development gateway on port 0, a web client build, raw requests and a WebSocket client. */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createHttpServer, listenOn } from '@murmur/shared/http';
import { createLogger } from '@murmur/shared/logger';
import { createGateway } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { serviceUrl, type ServicePorts } from './platform.js';

export interface GatewayUnderTest {
  url: string;
  /** The origin a page served by the gateway sends. */
  origin: string;
  close(): Promise<void>;
}

/** The environment that points a gateway at the services on `ports`. */
export function targetsOf(ports: ServicePorts): Record<string, string> {
  return {
    AUTH_SERVICE_URL: serviceUrl(ports['auth-service']),
    USER_SERVICE_URL: serviceUrl(ports['user-service']),
    WS_SERVICE_URL: serviceUrl(ports['ws-service']),
  };
}

export async function startGateway(env: Record<string, string>): Promise<GatewayUnderTest> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const gateway = createGateway(config, createLogger('gateway', config.LOG_LEVEL));
  const server = createHttpServer(gateway.handler, config, gateway.onUpgrade);
  const port = await listenOn(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    origin: url,
    close: () =>
      new Promise<void>((resolve) => {
        gateway.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The files of a small web client build, as Vite lays them out. */
export const WEB_BUILD = {
  index: '<!doctype html><html><head><script type="module" src="/assets/app-3f2a1b.js"></script></head><body>murmur test client</body></html>',
  asset: 'assets/app-3f2a1b.js',
  assetBody: 'console.log("murmur");',
};

export interface WebDist {
  dir: string;
  remove(): void;
}

/** A web client build in a temporary folder, readable by anyone (nginx's workers run as another user). */
export function makeWebDist(): WebDist {
  const root = mkdtempSync(path.join(os.tmpdir(), 'murmur-web-'));
  chmodSync(root, 0o755);
  const dir = path.join(root, 'dist');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), WEB_BUILD.index);
  writeFileSync(path.join(dir, WEB_BUILD.asset), WEB_BUILD.assetBody);
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface MediaDir {
  /** user-service's MEDIA_LOCAL_DIR. */
  dir: string;
  remove(): void;
}

/** A folder for user-service's pictures, readable by anyone (nginx's workers send them). */
export function makeMediaDir(): MediaDir {
  const root = mkdtempSync(path.join(os.tmpdir(), 'murmur-media-'));
  chmodSync(root, 0o755);
  return { dir: root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function readResponse(res: http.IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    res.on('error', reject);
  });
}

/** A GET whose path is sent exactly as given: fetch would resolve `..` and such before sending. */
export function rawGet(baseUrl: string, rawPath: string): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.get({ hostname, port, path: rawPath, agent: false }, (res) => readResponse(res).then(resolve, reject));
    req.on('error', reject);
  });
}

/**
 * A POST that sends `body` and then nothing more, never ending the request: with
 * `declaredBytes` it declares that length (more than it sends), without it the body is chunked.
 * Its answer can only come from a gateway (or a service behind it) that decided without waiting
 * for the rest. The connection is closed once the answer is read.
 */
export function partialBody(baseUrl: string, rawPath: string, options: { headers: Record<string, string>; body: Buffer; declaredBytes?: number }): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers = { ...options.headers, ...(options.declaredBytes === undefined ? {} : { 'content-length': String(options.declaredBytes) }) };
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'POST', headers, agent: false });
    req.once('response', (res) =>
      readResponse(res).then((answer) => {
        req.destroy();
        resolve(answer);
      }, reject),
    );
    // Writing into a connection the other side has closed fails once the answer is in; before it, it fails the request.
    req.on('error', reject);
    req.write(options.body);
  });
}

export interface ChatSocket {
  /** The next event of `type` (events are newline-delimited JSON in each frame). */
  next(type: string, where?: (event: any) => boolean): Promise<any>;
  send(frame: unknown): void;
  close(): Promise<void>;
}

const EVENT_TIMEOUT_MS = 5_000;

/** Opens a chat WebSocket as a browser on `origin` would, with its cookie. */
export function openChatSocket(url: string, options: { origin: string; cookie?: string }): Promise<ChatSocket> {
  const ws = new WebSocket(url, { origin: options.origin, headers: options.cookie ? { cookie: options.cookie } : {} });
  const events: any[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data: Buffer) => {
    for (const line of data.toString('utf8').split('\n')) events.push(JSON.parse(line));
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const socket: ChatSocket = {
    next(type, where = () => true) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} event within ${EVENT_TIMEOUT_MS} ms`)), EVENT_TIMEOUT_MS);
        const look = () => {
          const at = events.findIndex((e) => e.type === type && where(e));
          if (at === -1) return waiters.push(look);
          clearTimeout(timer);
          resolve(events.splice(at, 1)[0]);
        };
        look();
      });
    },
    send: (frame) => ws.send(JSON.stringify(frame)),
    async close() {
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Attempts an upgrade that should be refused; resolves with the status and the body's text. */
export function refusedUpgrade(url: string, options: { origin: string; cookie?: string }): Promise<RawResponse> {
  const { hostname, port, pathname, search } = new URL(url);
  const headers: Record<string, string> = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    origin: options.origin,
    ...(options.cookie ? { cookie: options.cookie } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: `${pathname}${search}`, headers, agent: false });
    req.once('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('the upgrade was accepted'));
    });
    req.once('response', (res) => readResponse(res).then(resolve, reject));
    req.once('error', reject);
    req.end();
  });
}
