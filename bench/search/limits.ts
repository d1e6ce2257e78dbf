/**
 * The search rate limits, raised for the benchmark: one host and one account search there far
 * faster than a person does. The limits' cost is still paid: they are raised, not off.
 */
export const BENCH_SEARCH_LIMITS_ENV = {
  SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: '1000000000',
  SEARCH_MAX_PER_MINUTE_PER_ADDRESS: '1000000000',
};
