/**
 * How many searches one account and one client address may start per minute. Counted in each
 * instance's memory (localLimit), not in the database: a search costs a few milliseconds of a
 * pool of its own, and a write to the main pool per search would cost chat and posting more than
 * the searches it turns away. So each instance counts alone, and a client spread over several
 * instances may search that many times more; the search pool of each instance still bounds what
 * its searches take.
 */
import { localLimit, type LocalLimit } from '../rate-limits.js';

export interface SearchLimitOptions {
  /** Searches per minute by one signed-in account (SEARCH_MAX_PER_MINUTE_PER_ACCOUNT). */
  perAccountPerMinute: number;
  /** Searches per minute from one client address, signed in or not (SEARCH_MAX_PER_MINUTE_PER_ADDRESS). */
  perAddressPerMinute: number;
}

/** Who starts a search: the account, when signed in, and the client address. */
export interface Searcher {
  accountId: number | undefined;
  address: string | undefined;
}

const WINDOW_SECONDS = 60;

export class SearchLimits {
  private readonly perAccount: LocalLimit;
  private readonly perAddress: LocalLimit;

  constructor(options: SearchLimitOptions) {
    const limit = (points: number, per: string) =>
      localLimit({ points, windowSeconds: WINDOW_SECONDS, code: 'TOO_MANY_SEARCHES', message: `at most ${points} searches per minute ${per}` });
    this.perAccount = limit(options.perAccountPerMinute, 'per account');
    this.perAddress = limit(options.perAddressPerMinute, 'per address');
  }

  /**
   * Counts one search by `searcher`: against the account first (so one over its own limit uses
   * up nothing of the people who share its address), then the address. 429 `TOO_MANY_SEARCHES`
   * with Retry-After past either.
   */
  async admit(searcher: Searcher): Promise<void> {
    if (searcher.accountId !== undefined) await this.perAccount.consume(String(searcher.accountId));
    await this.perAddress.consume(searcher.address ?? 'unknown');
  }
}
