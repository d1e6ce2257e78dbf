/** Structured JSON logs (pino): cheap enough for hot paths, and readable by any log pipeline. */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    // Never log credentials, whichever object carries them.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'],
  });
}
