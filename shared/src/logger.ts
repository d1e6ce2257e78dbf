/** Structured JSON logs (pino): cheap enough for hot paths, and readable by any log pipeline. */
import { pino, stdSerializers, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Where a failed query's parameters start in drizzle's error message. */
const PARAMS_MARKER = '\nparams:';

/**
 * Logs errors without query parameters: drizzle puts a failed query's parameters (password
 * hashes, private messages) into its message and a `params` field.
 */
function serializeError(err: Error): ReturnType<typeof stdSerializers.err> {
  const serialized = stdSerializers.err(err) as ReturnType<typeof stdSerializers.err> & { params?: unknown };
  delete serialized.params;
  const strip = (text: string) => {
    const at = text.indexOf(PARAMS_MARKER);
    return at === -1 ? text : `${text.slice(0, at)}${PARAMS_MARKER} [redacted]`;
  };
  serialized.message = strip(serialized.message);
  serialized.stack = strip(serialized.stack);
  return serialized;
}

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    serializers: { err: serializeError },
    // Never log credentials, whichever object carries them.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'],
  });
}
