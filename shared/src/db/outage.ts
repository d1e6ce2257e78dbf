/**
 * Telling "the database is unreachable" from every other failure, so that an outage is answered
 * 503 with Retry-After (try again shortly) and never 500, and never counts against a user.
 */
import { AppError } from '../errors.js';
import { errorChain } from './client.js';

/** What a client is told to wait before retrying during an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that cannot serve: class 08 (connection exception), 53300 (too many
 * connections), 57014 (a statement cancelled by statement_timeout), 57P01-57P03 (shutting down,
 * crashed, starting up).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57014|57P0[123])$/;

/** Messages node-postgres gives its own client-side failures (deadlines and lost connections). */
const DRIVER_MESSAGES = [
  'Query read timeout',
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
];

function isUnavailableError(err: Error): boolean {
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return DRIVER_MESSAGES.some((text) => err.message.includes(text));
}

/** True when `err` (or an error it wraps, as drizzle does) says the database could not answer. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const current of errorChain(err)) if (isUnavailableError(current)) return true;
  return false;
}

export function databaseUnavailable(): AppError {
  return new AppError(503, 'SERVICE_UNAVAILABLE', 'the database is not answering; try again shortly', {
    'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS),
  });
}
