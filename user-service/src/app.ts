/** Builds the user-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createServiceApp } from '@murmur/shared/http';
import { describeWindow, sharedLimit } from '@murmur/shared/rate-limits';
import type { ServiceDeps } from './deps.js';
import { declareFollowsRoutes } from './routes/follows.routes.js';
import { declareNotificationsRoutes } from './routes/notifications.routes.js';
import { declarePostsRoutes } from './routes/posts.routes.js';
import { declareReactionsRoutes } from './routes/reactions.routes.js';
import { declareSafetyRoutes } from './routes/safety.routes.js';
import { declareTagsRoutes } from './routes/tags.routes.js';
import { TrendingTags } from './services/tags.service.js';
import { declareSearchRoutes } from './routes/search.routes.js';
import { declareUsersRoutes } from './routes/users.routes.js';
import { declareMediaRoutes } from './media/media.routes.js';
import { declareModerationRoutes } from './moderation/moderation.routes.js';

export function createApp(deps: ServiceDeps): Express {
  const db = deps.database.db;
  const postLimit = sharedLimit({
    pool: deps.database.pool,
    name: 'posts-user',
    keyPrefix: deps.config.RATE_LIMIT_KEY_PREFIX,
    logger: deps.logger,
    points: deps.config.POSTS_MAX_PER_WINDOW,
    windowSeconds: deps.config.POSTS_WINDOW_SECONDS,
    code: 'TOO_MANY_POSTS',
    message: `at most ${deps.config.POSTS_MAX_PER_WINDOW} posts per ${describeWindow(deps.config.POSTS_WINDOW_SECONDS)}`,
  });
  const uploadLimit = sharedLimit({
    pool: deps.database.pool,
    name: 'media-uploads',
    keyPrefix: deps.config.RATE_LIMIT_KEY_PREFIX,
    logger: deps.logger,
    points: deps.config.MEDIA_UPLOADS_PER_HOUR,
    windowSeconds: 3600,
    code: 'TOO_MANY_UPLOADS',
    message: `at most ${deps.config.MEDIA_UPLOADS_PER_HOUR} uploads per hour`,
  });
  const delivery = { jobs: deps.timelineJobs, inlineFollowers: deps.config.TIMELINE_INLINE_FOLLOWERS, live: deps.live };
  const trendOptions = { windowHours: deps.config.TRENDS_WINDOW_HOURS, refreshSeconds: deps.config.TRENDS_REFRESH_SECONDS };
  const trends = new TrendingTags(db, trendOptions, deps.logger);
  return createServiceApp({
    service: 'user-service',
    description: 'People and posts: profiles, follows, blocks and mutes, posts, replies, likes, reposts, hashtags, notifications, the home timeline, search, and pictures.',
    deps,
    metrics: deps.metrics,
    routes: (api) => {
      // Before the profile and post routes: `/users/:id` and `/posts/:id` would take `search` for an id.
      declareSearchRoutes(api, { search: deps.search, walk: { walkRows: deps.config.SEARCH_WALK_ROWS, maxWalkRows: deps.config.SEARCH_MAX_WALK_ROWS } });
      declareFollowsRoutes(api, db, deps.live, deps.config.TIMELINE_BACKFILL_POSTS);
      declareUsersRoutes(api, db, deps.timelineJobs);
      declareSafetyRoutes(api, db, deps.live, deps.config.TIMELINE_BACKFILL_POSTS);
      declarePostsRoutes(api, db, delivery, postLimit);
      declareReactionsRoutes(api, db, delivery, postLimit);
      declareTagsRoutes(api, db, trends, trendOptions.windowHours);
      declareNotificationsRoutes(api, db, deps.config.NOTIFICATIONS_MAX_UNREAD_COUNT);
      declareMediaRoutes(api, { context: deps.media.context, uploadLimit, accelRedirect: deps.config.MEDIA_ACCEL_REDIRECT });
      declareModerationRoutes(api, deps);
    },
  });
}
