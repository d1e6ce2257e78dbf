/**
 * What every search shares: the `q` parameter and its words, the order in which a search looks
 * for its first matches, the queries it refuses, and the pool, deadline and rate limits that keep
 * searches apart from everything else a service does.
 */
export { MAX_SEARCH_CHARACTERS, searchText, matchesWords, hasWords } from './search/query.js';
export * from './search/walk.js';
export * from './search/query-rules.js';
export * from './search/search-pool.js';
export * from './search/search-limits.js';
export * from './search/search-deps.js';
