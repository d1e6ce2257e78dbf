/**
 * Live events held back while a room subscription joins, or a person's feed starts, so that
 * they follow what the start sends. Their bytes count against the connection's output bound
 * meanwhile, so holding is no way around it.
 */
import type { EncodedEvent } from '../protocol.js';

/** What holding needs of the connection. */
export interface OutputBound {
  /** Counts `bytes` against the output bound; false when past it (the connection is closing itself). */
  hold(bytes: number): boolean;
  /** Gives back what `hold` counted. */
  unhold(bytes: number): void;
}

export class HeldEvents<E extends EncodedEvent> {
  private events: E[] = [];
  private bytes = 0;

  constructor(private readonly bound: OutputBound) {}

  /** Holds `event`; false when the connection's output passed its bound. */
  push(event: E): boolean {
    if (!this.bound.hold(event.bytes)) return false;
    this.events.push(event);
    this.bytes += event.bytes;
    return true;
  }

  /** The held events, oldest first, given back with their bytes; nothing is held after it. */
  take(): E[] {
    const events = this.events;
    this.bound.unhold(this.bytes);
    this.events = [];
    this.bytes = 0;
    return events;
  }
}
