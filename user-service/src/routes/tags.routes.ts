/** Hashtags: a tag's posts and the trending tags. */
import type { Db } from '@murmur/shared/db';
import { numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { TRENDING_TAGS, tagPosts, type TrendingTags } from '../services/tags.service.js';
import { postSchema, tagParams, trendingTagsSchema } from './user.schemas.js';

/** @param trends the trending tags, kept in memory (see TrendingTags) */
export function declareTagsRoutes(api: ApiRoutes, db: Db, trends: TrendingTags, windowHours: number): void {
  api.add(
    {
      method: 'get',
      path: '/tags/trending',
      tag: 'tags',
      summary: 'The tags used by the most distinct accounts lately',
      description: `At most ${TRENDING_TAGS} tags, ranked by the accounts that used each in the last ${windowHours} hours (one account repeating a tag counts once), then by posts. Computed in the background: it may be a little behind.`,
      auth: 'none',
      response: { description: 'the trending tags', body: trendingTagsSchema },
    },
    () => trends.list(),
  );

  api.add(
    {
      method: 'get',
      path: '/tags/:tag/posts',
      tag: 'tags',
      summary: 'The posts with a tag, newest first',
      auth: 'optional',
      params: tagParams,
      query: numericPageQuery,
      response: { description: 'a page of posts', body: pageOf(postSchema) },
      errors: { 400: ['INVALID_TAG'] },
    },
    ({ params, query }, req) => tagPosts(db, params.tag, query, req.user?.id),
  );
}
