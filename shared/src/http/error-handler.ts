/**
 * The one place an error becomes an HTTP response: `{"error":{"code","message"}}`. Known errors
 * keep their status; body-parser's errors become 400/413/415; anything else is logged with the
 * request id and answered 500 without internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { databaseUnavailable, isDatabaseUnavailable } from '../db/outage.js';
import type { Logger } from '../logger.js';
import { blockedRefusal } from '../safety.js';
import { ValidationError } from './validation.js';

/** Errors thrown by express.json() carry `type` and `status`. */
function bodyParserError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
    case 'entity.too.large':
      return new AppError(413, 'BODY_TOO_LARGE', 'the request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_ENCODING', 'the request body encoding is not supported');
    case 'request.aborted':
      return new AppError(400, 'REQUEST_ABORTED', 'the request body was cut off');
    default:
      return undefined;
  }
}

/** Other errors Express or its parsers raise about the request itself (a malformed URL) carry a 4xx `status`. */
function clientError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err) || typeof err.status !== 'number') return undefined;
  if (err.status < 400 || err.status > 499) return undefined;
  return new AppError(err.status, 'BAD_REQUEST', 'the request is malformed');
}

/** The JSON every error answer carries: `{"error":{"code","message"}}`, plus `field` for a bad field. */
export function errorBody(error: AppError): { error: Record<string, unknown> } {
  const fields: Record<string, unknown> = { code: error.code, message: error.message };
  if (error instanceof ValidationError) fields.field = error.field;
  return { error: fields };
}

/**
 * The answer `err` deserves when it is not a bug: its own AppError, a malformed request, a write
 * a block forbids (403), or 503 when the database could not answer. Undefined for anything else
 * (a 500).
 */
export function knownError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  return bodyParserError(err) ?? clientError(err) ?? blockedRefusal(err) ?? (isDatabaseUnavailable(err) ? databaseUnavailable() : undefined);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = knownError(err);
    if (!known) {
      logger.error({ err, reqId: req.id, method: req.method, url: req.originalUrl }, 'unhandled error');
    } else if (known.status === 503) {
      logger.warn({ err, reqId: req.id, method: req.method, url: req.originalUrl }, 'answered 503');
    }
    const error = known ?? new AppError(500, 'INTERNAL', `something went wrong; request id ${req.id}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.set(error.headers);
    res.status(error.status).json(errorBody(error));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
};
