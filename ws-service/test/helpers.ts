/** Test support: the real ws-service on port 0 against the test database, and a WebSocket test client. */
import type { IncomingHttpHeaders } from 'node:http';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { api } from '@murmur/shared/testing';

export { FAST_SENDING_ENV, startStack, startWsService, type Stack, type WsUnderTest } from '../src/testing.js';

export async function createRoom(wsUrl: string, token: string, name = 'room'): Promise<number> {
  const res = await api(wsUrl, 'POST', '/ws/createRoom', { token, body: { name } });
  if (res.status !== 200) throw new Error(`createRoom failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as number;
}

/** The room as `token`'s user sees it in GET /ws/getRooms, or undefined when it is not listed there. */
export async function listedRoom(wsUrl: string, token: string, roomId: number): Promise<any> {
  // Other tests create rooms too: start the page just before this room.
  const res = await api(wsUrl, 'GET', `/ws/getRooms?cursor=${roomId - 1}&limit=1`, { token });
  assert.equal(res.status, 200);
  return res.body.items.find((room: { id: number }) => room.id === roomId);
}

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  origin?: string;
  autoPong?: boolean;
  /** Extra request headers, such as X-Forwarded-For. */
  headers?: Record<string, string>;
}

const wsOptions = (options: ConnectOptions): WebSocket.ClientOptions => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  return { headers, ...(options.origin ? { origin: options.origin } : {}), autoPong: options.autoPong ?? true };
};

interface Waiter {
  match: (event: any) => boolean;
  resolve: (event: any) => void;
}

/** A WebSocket client that parses newline-delimited events and lets a test await them. */
export class TestSocket {
  /** Events received and not yet taken by `next`. */
  readonly events: any[] = [];
  /** Every frame received, raw. */
  readonly frames: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Waiter[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      this.frames.push(frame);
      for (const line of frame.split('\n')) this.push(JSON.parse(line));
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  private push(event: any): void {
    const index = this.waiters.findIndex((w) => w.match(event));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(event);
    } else {
      this.events.push(event);
    }
  }

  /** The first event of `type` (and matching `where`), already received or arriving within `timeoutMs`. */
  next(type: string, where: (event: any) => boolean = () => true, timeoutMs = 3_000): Promise<any> {
    const match = (event: any) => event.type === type && where(event);
    const index = this.events.findIndex(match);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${type} event within ${timeoutMs} ms; got ${JSON.stringify(this.events).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The events of `type` received so far, taken. */
  take(type: string): any[] {
    const taken = this.events.filter((e) => e.type === type);
    for (const event of taken) this.events.splice(this.events.indexOf(event), 1);
    return taken;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a message and resolves with its acknowledgement (the echo carrying the same clientMsgId). */
  async say(text: string, clientMsgId = `c${Math.random().toString(36).slice(2)}`): Promise<any> {
    this.send({ type: 'message', text, clientMsgId });
    return this.next('message', (e) => e.clientMsgId === clientMsgId);
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }
}

/** Opens a socket to `path` and resolves once it is open. */
export function connect(wsUrl: string, path: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(`${wsUrl}${path}`, wsOptions(options));
  const socket = new TestSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Joins a room and waits for the history event, so the socket is registered with the hub. */
export async function join(wsUrl: string, roomId: number, options: ConnectOptions = {}): Promise<{ socket: TestSocket; history: any }> {
  const socket = await connect(wsUrl, `/ws/joinRoom/${roomId}`, options);
  const history = await socket.next('history');
  return { socket, history };
}

/** Attempts an upgrade expected to be refused; resolves with the HTTP status and JSON body. */
export function refusal(wsUrl: string, path: string, options: ConnectOptions = {}): Promise<{ status: number; body: any; headers: IncomingHttpHeaders }> {
  const ws = new WebSocket(`${wsUrl}${path}`, wsOptions(options));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers });
      });
    });
  });
}
