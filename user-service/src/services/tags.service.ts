/** Hashtags: a tag's posts, and the tags trending now. */
import type { Db } from '@murmur/shared/db';
import { badRequest } from '@murmur/shared/errors';
import type { Page, PageRequest } from '@murmur/shared/http';
import type { Logger } from '@murmur/shared/logger';
import type { Post } from '../repos/post-view.repo.js';
import { mostUsedTags, tagEntries, type TagUse } from '../repos/tags.repo.js';
import { pageOfPosts } from './posts.service.js';
import { isTag, normaliseTag } from '@murmur/shared/text-links';

/** The posts with `tag` (any case, with or without its `#`), newest first, of those shown to the viewer. */
export function tagPosts(db: Db, tag: string, page: PageRequest, viewerId: number | undefined): Promise<Page<Post>> {
  const bare = tag.startsWith('#') ? tag.slice(1) : tag;
  if (!isTag(bare)) throw badRequest('INVALID_TAG', 'tag must be letters, digits and _, and not digits alone');
  return pageOfPosts(db, tagEntries(normaliseTag(bare), page, viewerId), viewerId, page.limit);
}

/** Most tags a trends answer lists. */
export const TRENDING_TAGS = 20;

export interface TrendOptions {
  windowHours: number;
  /** How old the list may be before a read starts computing it again; 0 computes it on every read. */
  refreshSeconds: number;
}

/**
 * The trending tags, computed from the database at most once per `refreshSeconds` on this
 * instance and read from memory in between: the computation reads every tag use of the window,
 * which no request should wait for. A read of an old list answers it and starts the next one
 * (only one at a time); only the first read after a start waits. A failed computation keeps the
 * old list and is tried again at the next read.
 */
export class TrendingTags {
  private current: { items: TagUse[]; at: number } | undefined;
  private computing: Promise<TagUse[]> | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: TrendOptions,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<{ items: TagUse[] }> {
    const fresh = this.current && Date.now() - this.current.at < this.options.refreshSeconds * 1000;
    if (fresh) return { items: this.current!.items };
    const next = this.compute();
    if (this.current && this.options.refreshSeconds > 0) {
      next.catch((err: unknown) => this.logger.warn({ err }, 'trending tags: computing failed; the previous list stays'));
      return { items: this.current.items };
    }
    return { items: await next };
  }

  private compute(): Promise<TagUse[]> {
    this.computing ??= mostUsedTags(this.db, this.options.windowHours, TRENDING_TAGS)
      .then((items) => {
        this.current = { items, at: Date.now() };
        return items;
      })
      .finally(() => (this.computing = undefined));
    return this.computing;
  }
}
