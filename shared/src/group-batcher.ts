/**
 * Group commit for any batched operation. The first request starts a batch at once; requests
 * that arrive while a batch is in flight wait and go together in the next one. Under light load
 * every request runs alone with no added delay; under heavy load one round trip serves many, and
 * the batch size grows by itself with the load. Batches run one at a time and in arrival order,
 * so a batch never overtakes an earlier one (what keeps a room's messages in the order they were
 * sent).
 */

export interface GroupBatcherOptions<In, Out> {
  /** Runs one batch; resolves with one result per input, in input order. */
  run(inputs: In[]): Promise<Out[]>;
  /** Most inputs in one batch; the rest wait for the next. */
  maxBatch: number;
  /**
   * When a batch of several fails with an error this accepts, its inputs run again one by one, so
   * that one bad input (say, a message whose author was just deleted) fails alone. Accept only
   * errors one input can cause: when the store is unreachable, retrying one by one would only
   * multiply the wait.
   */
  retryAloneWhen?: (err: unknown) => boolean;
  /**
   * How long a batch waits for company before it runs (default 0: it runs at once). Worth it
   * where each batch has a high fixed cost (a statement and a commit) and a few milliseconds of
   * latency cost nobody anything: the batch, and so the cost per input, then grows with the load.
   */
  lingerMs?: number;
  /**
   * Linger only while inputs come faster than one batch runs (the batch before held several): an
   * input that arrives after a quiet spell runs at once, alone, and never waits for company that
   * is not coming. Without it, every batch lingers.
   */
  lingerOnlyWhenBusy?: boolean;
}

interface Pending<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(err: unknown): void;
}

export class GroupBatcher<In, Out> {
  private queue: Array<Pending<In, Out>> = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: GroupBatcherOptions<In, Out>) {}

  /** Inputs waiting for a batch, not counting the one in flight. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with the input's result once its batch has run. */
  submit(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.runAll();
    });
  }

  /** Resolves when everything submitted so far has run (or failed). */
  drain(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async runAll(): Promise<void> {
    this.running = true;
    const { maxBatch, lingerMs = 0, lingerOnlyWhenBusy = false } = this.options;
    let previousBatch = 0;
    while (this.queue.length > 0) {
      const busy = !lingerOnlyWhenBusy || previousBatch > 1;
      if (lingerMs > 0 && busy && this.queue.length < maxBatch) await new Promise((wake) => setTimeout(wake, lingerMs));
      const batch = this.queue.splice(0, maxBatch);
      previousBatch = batch.length;
      await this.runBatch(batch);
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private async runBatch(batch: Array<Pending<In, Out>>): Promise<void> {
    try {
      const outputs = await this.options.run(batch.map((p) => p.input));
      if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} gave ${outputs.length} results`);
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (err) {
      if (batch.length > 1 && this.options.retryAloneWhen?.(err)) {
        for (const pending of batch) await this.runBatch([pending]);
        return;
      }
      for (const pending of batch) pending.reject(err);
    }
  }
}
