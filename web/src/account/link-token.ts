/** The `token` a mailed link carries in its query (`/reset-password?token=…`), or undefined. */
export function linkToken(search: string): string | undefined {
  return new URLSearchParams(search).get('token')?.trim() || undefined;
}
