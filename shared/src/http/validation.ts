/** Turns zod validation failures into 400s that name the offending field. */
import { z } from 'zod';
import { AppError } from '../errors.js';

export class ValidationError extends AppError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(400, 'VALIDATION_FAILED', message);
  }
}

/** Parses `value` or throws a ValidationError for the first problem, e.g. "username: too short". */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : what;
  throw new ValidationError(field, `${field}: ${issue?.message ?? 'invalid'}`);
}

/**
 * PostgreSQL cannot store the NUL character in text, and bcrypt stops reading at it; text that
 * contains one is refused as input, never passed on. Use as `.refine(...withoutNul)`.
 */
export const withoutNul = [(value: string) => !value.includes('\u0000'), 'must not contain the NUL character'] as const;
