/**
 * How a moderators' route is declared: logged in, the caller's role read before anything else
 * (`requireModerator`, or `requireAdmin`), and the 403 everyone else gets in its documentation.
 * Declared this way, no moderators' route can forget the check.
 */
import type { z } from 'zod';
import type { Db } from '@murmur/shared/db';
import { currentUser, type ApiRoutes, type RouteInput, type RouteSpec } from '@murmur/shared/http';
import { requireAdmin, requireModerator, type Moderator } from './roles.js';

/** The parts of a route's input, as `ApiRoutes.add` takes them. */
type Fields = z.ZodObject | undefined;
type Schema = z.ZodType | undefined;

/** Who may call a route: moderators (and admins), or admins alone. */
type Access = 'moderators' | 'admins';

/**
 * The declarers of `api`'s moderators' routes: `moderators` for the routes of moderators and
 * admins, `admins` for those of admins alone. A handler gets the moderator calling it.
 */
export function moderatorsRoutes(api: ApiRoutes, db: Db) {
  const declarer =
    (access: Access) =>
    <P extends Fields, Q extends Fields, B extends Schema, H extends Fields>(
      spec: Omit<RouteSpec<P, Q, B, H>, 'tag' | 'auth'>,
      handler: (input: RouteInput<P, Q, B, H>, moderator: Moderator) => unknown,
    ): void => {
      const [refusal, check] = access === 'admins' ? (['NOT_AN_ADMIN', requireAdmin] as const) : (['NOT_A_MODERATOR', requireModerator] as const);
      const errors = { ...spec.errors, 403: [refusal, ...(spec.errors?.[403] ?? [])] };
      api.add<P, Q, B, H>({ ...spec, tag: 'moderation', auth: 'required', errors }, async (input, req) => handler(input, await check(db, currentUser(req).id)));
    };
  return { moderators: declarer('moderators'), admins: declarer('admins') };
}
