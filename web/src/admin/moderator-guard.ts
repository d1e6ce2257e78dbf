/** The moderators' calls share one refusal: anyone else gets 403 NOT_A_MODERATOR. */
import { ApiError } from '../api/api-error.js';

/** Wraps a moderators' call, to learn of that refusal; the call's answer or failure passes through. */
export type Guard = <T>(call: Promise<T>) => Promise<T>;

export const notAModerator = (err: unknown): boolean => err instanceof ApiError && err.status === 403 && err.code === 'NOT_A_MODERATOR';
