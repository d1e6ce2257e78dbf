/** The next page of a list, on demand (a button: reachable by keyboard, no scroll trap). */
import type { Pages } from './use-pages.js';

export function MoreButton<T>({ pages, label }: { pages: Pages<T>; label: string }) {
  if (pages.loading) return <p aria-live="polite">Loading…</p>;
  if (!pages.hasMore) return null;
  return (
    <button type="button" onClick={pages.more}>
      {label}
    </button>
  );
}
