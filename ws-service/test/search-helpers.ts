/** What the search tests share. */
import { randomBytes } from 'node:crypto';

/** A word no other test writes: letters only, so it is one word to the search. */
export const freshWord = () => `w${randomBytes(6).toString('hex').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;

/** Rate limits raised for tests that search faster than a person does; search-guards tests the limits. */
export const ROOMY_LIMITS = { SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: '100000', SEARCH_MAX_PER_MINUTE_PER_ADDRESS: '100000' };

