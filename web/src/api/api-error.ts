/** A refused request, as every service answers one: `{"error":{"code","message","field?"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** How long the server asks to wait before trying again (`Retry-After`), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

/** The ApiError of a failed response; a body that is not the usual shape still gives its status. */
export async function apiErrorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as ErrorBody;
  const error = body.error ?? {};
  const code = typeof error.code === 'string' ? error.code : `HTTP_${res.status}`;
  const message = typeof error.message === 'string' ? error.message : res.statusText || `request failed with ${res.status}`;
  const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
  return new ApiError(res.status, code, message, typeof error.field === 'string' ? error.field : undefined, Number.isFinite(retryAfter) ? retryAfter : undefined);
}
