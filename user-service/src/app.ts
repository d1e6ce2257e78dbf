/** Builds the user-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createAuthMiddleware, createServiceApp } from '@murmur/shared/http';
import { describeWindow, sharedLimit } from '@murmur/shared/rate-limits';
import type { ServiceDeps } from './deps.js';
import { followsRoutes } from './routes/follows.routes.js';
import { postsRoutes } from './routes/posts.routes.js';
import { searchRoutes } from './routes/search.routes.js';
import { usersRoutes } from './routes/users.routes.js';

export function createApp(deps: ServiceDeps): Express {
  const auth = createAuthMiddleware({ verifyToken: deps.verification.verifyToken, allowedOrigins: deps.config.ALLOWED_ORIGINS });
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
  return createServiceApp({
    service: 'user-service',
    logger: deps.logger,
    isReady: () => deps.database.isReachable(),
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    metrics: deps.metrics,
    routes: (app) => {
      app.use(searchRoutes(db, { walkRows: deps.config.SEARCH_WALK_ROWS, maxWalkRows: deps.config.SEARCH_MAX_WALK_ROWS }));
      app.use(followsRoutes(db, deps.config.TIMELINE_BACKFILL_POSTS, auth));
      app.use(usersRoutes(db, deps.timelineJobs, auth));
      app.use(postsRoutes(db, { jobs: deps.timelineJobs, inlineFollowers: deps.config.TIMELINE_INLINE_FOLLOWERS }, auth, postLimit));
    },
  });
}
