/** A list read page by page (`{items, nextCursor}`): the first page at once, the next on demand. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../api/types.js';
import { useFailure } from '../app/use-failure.js';

export interface Pages<T> {
  items: T[];
  hasMore: boolean;
  loading: boolean;
  error: string | undefined;
  more: () => void;
  /** Changes the items held (a new post on top, a deleted one out). */
  update: (change: (items: T[]) => T[]) => void;
}

export function usePages<T>(load: (cursor: string | null) => Promise<Page<T>>, key: unknown): Pages<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, fail] = useFailure();
  // Answers for an earlier key (a new search) are dropped.
  const generation = useRef(0);

  const fetchPage = useCallback(
    (from: string | null, replace: boolean) => {
      const mine = ++generation.current;
      setLoading(true);
      load(from).then(
        (page) => {
          if (mine !== generation.current) return;
          setItems((held) => (replace ? page.items : [...held, ...page.items]));
          setCursor(page.nextCursor);
          setHasMore(page.nextCursor !== null);
          setLoading(false);
        },
        (err: unknown) => {
          if (mine !== generation.current) return;
          setLoading(false);
          fail(err);
        },
      );
    },
    [key], // a new key (another user, another search) starts over
  );

  useEffect(() => fetchPage(null, true), [fetchPage]);

  return {
    items,
    hasMore,
    loading,
    error,
    more: () => {
      if (!loading && hasMore) fetchPage(cursor, false);
    },
    update: setItems,
  };
}
