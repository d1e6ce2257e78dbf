/** The tags most accounts have used lately, as links to their pages. */
import { useEffect, useState } from 'preact/hooks';
import type { TrendingTag } from '../api/types.js';
import { api } from '../app/api.js';
import { tagPath } from './post-links.js';

export function TrendingTags() {
  // undefined until the answer; a failure shows as an empty list, as the list is a side dish.
  const [tags, setTags] = useState<TrendingTag[]>();
  useEffect(() => {
    api.trendingTags().then(
      (trends) => setTags(trends.items),
      () => setTags([]),
    );
  }, []);
  return (
    <aside class="trending" aria-labelledby="trending-title">
      <h2 id="trending-title">Trending tags</h2>
      {tags === undefined ? (
        <p class="muted">Loading…</p>
      ) : tags.length === 0 ? (
        <p class="muted">Nothing trending yet.</p>
      ) : (
        <ol class="tags">
          {tags.map((trend) => (
            <li key={trend.tag}>
              <a href={tagPath(trend.tag)}>#{trend.tag}</a>{' '}
              <span class="muted">{trend.accounts === 1 ? '1 person' : `${trend.accounts} people`}</span>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
