/**
 * What a service that searches opens from its config (`searchEnv`): the search pool, the rules
 * its queries must keep, and its rate limits.
 */
import type { Logger } from '../logger.js';
import type { QueryRules } from './query-rules.js';
import { SearchLimits } from './search-limits.js';
import { openSearchPool, type SearchPool } from './search-pool.js';

/** What every search route may answer besides its own errors: its rate limits and its pool. */
export const SEARCH_ERRORS: Record<number, string[]> = { 429: ['TOO_MANY_SEARCHES'], 503: ['SEARCH_BUSY', 'SEARCH_TIMEOUT'] };

/** The variables of `searchEnv`, as parsed. */
export interface SearchConfig {
  DATABASE_URL: string;
  SEARCH_POOL_SIZE: number;
  SEARCH_TIMEOUT_MS: number;
  SEARCH_QUEUE_TIMEOUT_MS: number;
  SEARCH_MAX_TERMS: number;
  SEARCH_MAX_PHRASE_ROWS: number;
  SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: number;
  SEARCH_MAX_PER_MINUTE_PER_ADDRESS: number;
}

export interface SearchDeps {
  pool: SearchPool;
  rules: QueryRules;
  limits: SearchLimits;
  close(): Promise<void>;
}

export function openSearchDeps(config: SearchConfig, logger: Logger): SearchDeps {
  const pool = openSearchPool({
    url: config.DATABASE_URL,
    logger,
    size: config.SEARCH_POOL_SIZE,
    timeoutMs: config.SEARCH_TIMEOUT_MS,
    queueTimeoutMs: config.SEARCH_QUEUE_TIMEOUT_MS,
  });
  return {
    pool,
    rules: { maxWords: config.SEARCH_MAX_TERMS, maxPhraseRows: config.SEARCH_MAX_PHRASE_ROWS },
    limits: new SearchLimits({
      perAccountPerMinute: config.SEARCH_MAX_PER_MINUTE_PER_ACCOUNT,
      perAddressPerMinute: config.SEARCH_MAX_PER_MINUTE_PER_ADDRESS,
    }),
    close: () => pool.close(),
  };
}
