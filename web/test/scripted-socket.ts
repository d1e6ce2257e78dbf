/** A socket a test drives, for the protocol modules' rules (RoomConnection, StreamConnection). */
import type { ServerEvent } from '../src/protocol/events.js';
import type { SocketLike } from '../src/protocol/room-connection.js';

type Listener = (event: unknown) => void;

/** A socket the test drives: it opens, delivers events and closes when told. */
export class ScriptedSocket implements SocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  private listeners = new Map<string, Listener[]>();
  private sendWaiters: Array<() => void> = [];
  constructor(readonly url: string) {}
  /** Resolves when the connection next sends a frame on this socket. */
  nextSend(): Promise<void> {
    return new Promise((resolve) => this.sendWaiters.push(resolve));
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
    for (const resolve of this.sendWaiters.splice(0)) resolve();
  }
  close(code = 1000): void {
    this.drop(code);
  }
  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }
  deliver(...events: ServerEvent[]): void {
    this.fire('message', { data: events.map((e) => JSON.stringify(e)).join('\n') });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.fire('close', { code });
  }
  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

