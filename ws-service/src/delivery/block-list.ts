/**
 * Whom one connection's person blocks: the ids, read when the connection starts (in the query
 * that checks its session anyway) and kept current by the `block_changed` auth events every
 * instance hears. Delivery asks `has` for each author only when the list is not empty, so a
 * person who blocks nobody costs delivery one comparison. The ids sit in a sorted Int32Array: a
 * person who blocks a thousand accounts costs 4 KB a connection, and a lookup ten comparisons.
 */

const NO_IDS = new Int32Array(0);

/** A change heard while the list was being read, applied on top of what the read found. */
interface HeardChange {
  id: number;
  blocked: boolean;
}

export class BlockList {
  /** The blocked ids, ascending. */
  private ids: Int32Array = NO_IDS;
  /** Changes heard since the newest read began; undefined while no read is under way. */
  private heard: HeardChange[] | undefined;
  /** The newest read begun (0: none yet). */
  private reads = 0;
  private markLoaded!: () => void;
  /** Resolves once the list was first read, or the connection closed before it was. */
  readonly loaded: Promise<void> = new Promise((resolve) => (this.markLoaded = resolve));

  /** How many accounts the person blocks: 0 for nearly everyone. */
  get size(): number {
    return this.ids.length;
  }

  /** True until the first read is begun. */
  get neverRead(): boolean {
    return this.reads === 0;
  }

  has(id: number): boolean {
    const { ids } = this;
    let low = 0;
    let high = ids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = ids[middle]!;
      if (found === id) return true;
      if (found < id) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /** The person blocked (`blocked`) or unblocked `id`, as a `block_changed` event says. */
  change(id: number, blocked: boolean): void {
    if (this.heard) this.heard.push({ id, blocked });
    else this.apply(id, blocked);
  }

  /**
   * A read of the list from the database begins: changes heard from now on are kept and applied
   * on top of what it finds (changes the read already saw are applied again, to the same effect).
   * Returns the read's number, for `finishRead`.
   */
  beginRead(): number {
    this.heard ??= [];
    this.reads += 1;
    return this.reads;
  }

  /**
   * Read `read` finished with `ids`, or failed (undefined). Only the newest read
   * counts; a failed one keeps the list it had, with the changes heard meanwhile.
   */
  finishRead(read: number, ids: readonly number[] | undefined): void {
    if (read !== this.reads || !this.heard) return;
    if (ids) this.ids = ids.length === 0 ? NO_IDS : Int32Array.from(ids).sort();
    const heard = this.heard;
    this.heard = undefined;
    for (const change of heard) this.apply(change.id, change.blocked);
    if (ids) this.markLoaded();
  }

  /** The connection closed: whoever waits for the list goes on, and finds it closed. */
  abandon(): void {
    this.markLoaded();
  }

  private apply(id: number, blocked: boolean): void {
    if (this.has(id) === blocked) return;
    const ids = Array.from(this.ids);
    if (blocked) ids.push(id);
    else ids.splice(ids.indexOf(id), 1);
    this.ids = ids.length === 0 ? NO_IDS : Int32Array.from(ids.sort((a, b) => a - b));
  }
}
