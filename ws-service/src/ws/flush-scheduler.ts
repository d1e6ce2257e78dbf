/**
 * Batches output: everything queued for a client during one event-loop turn goes out as one
 * frame. One setImmediate serves every client, so an idle client costs no timer.
 */
export interface Flushable {
  flush(): void;
}

export class FlushScheduler {
  private pending = new Set<Flushable>();
  private scheduled = false;

  /** Flushes `client` once, after the I/O callbacks of the current turn have run. */
  schedule(client: Flushable): void {
    this.pending.add(client);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Set();
    for (const client of batch) client.flush();
  };
}
