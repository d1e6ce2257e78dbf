/** Reports and the moderators' routes: the queue, resolutions, suspensions, roles, the audit log. */
import { currentUser, numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { poolExecutor } from '@murmur/shared/db';
import { sharedLimit } from '@murmur/shared/rate-limits';
import type { ServiceDeps } from '../deps.js';
import { userIdParams } from '../routes/user.schemas.js';
import { changeRole, getModeratedAccount, listAccounts, setSuspension } from './accounts.service.js';
import { listAudit } from './audit.repo.js';
import {
  accountsQuery,
  auditEntrySchema,
  moderatedAccountResponse,
  moderatedAccountSchema,
  reportBody,
  reportCreatedSchema,
  reportIdParams,
  reportSchema,
  reportsQuery,
  resolveBody,
  roleBody,
  suspensionBody,
} from './moderation.schemas.js';
import { createReport, reportQueue, resolveReport } from './reports.service.js';
import { moderatorsRoutes } from './moderators-route.js';
import { pageById } from './page-by-id.js';

export function declareModerationRoutes(api: ApiRoutes, deps: ServiceDeps): void {
  const db = deps.database.db;
  const delivery = { jobs: deps.timelineJobs, inlineFollowers: deps.config.TIMELINE_INLINE_FOLLOWERS, live: deps.live };
  const reportLimit = sharedLimit({
    pool: deps.database.pool,
    name: 'reports',
    keyPrefix: deps.config.RATE_LIMIT_KEY_PREFIX,
    logger: deps.logger,
    points: deps.config.REPORTS_PER_HOUR,
    windowSeconds: 3600,
    code: 'TOO_MANY_REPORTS',
    message: `at most ${deps.config.REPORTS_PER_HOUR} reports per hour`,
  });

  api.add(
    {
      method: 'post',
      path: '/reports',
      tag: 'moderation',
      summary: 'Report an account, one of its posts or one of its chat messages to the moderators',
      description:
        'The report keeps the account, the post or the message as they read now, so the moderators see what was reported even after an edit or a deletion. ' +
        'A message of a private or direct room can be reported by its members alone. Sending the same report again while it is open answers that report.',
      auth: 'required',
      body: reportBody,
      response: { status: 201, description: 'the report (the open one, when it was sent already)', body: reportCreatedSchema },
      errors: { 400: ['CANNOT_REPORT_SELF'], 404: ['USER_NOT_FOUND', 'POST_NOT_FOUND', 'MESSAGE_NOT_FOUND'], 429: ['TOO_MANY_REPORTS'] },
    },
    async ({ body }, req) => {
      const reporterId = currentUser(req).id;
      const { id } = await reportLimit.charge(
        String(reporterId),
        () => createReport(db, reporterId, body),
        (report) => report.created,
      );
      return { id };
    },
  );

  const { moderators, admins } = moderatorsRoutes(api, db);

  moderators(
    {
      method: 'get',
      path: '/admin/reports',
      summary: 'The reports, newest first: open ones (the queue) or resolved ones',
      description: 'Moderators and admins only. Each report shows the post or message as it was when reported.',
      query: reportsQuery,
      response: { description: 'a page of reports', body: pageOf(reportSchema) },
    },
    ({ query }) => reportQueue(db, query.status, query),
  );

  moderators(
    {
      method: 'post',
      path: '/admin/reports/:id/resolve',
      summary: 'Resolve a report, taking an action on what it reports',
      description:
        '`delete_post` and `delete_message` delete what was reported (already gone is no error); `suspend` suspends the account reported. ' +
        'The other open reports of the same subject are resolved with it. The action and the resolution are in the audit log.',
      params: reportIdParams,
      body: resolveBody,
      response: { description: 'the report as resolved', body: reportSchema },
      errors: {
        400: ['NO_POST_TO_DELETE', 'NO_MESSAGE_TO_DELETE', 'CANNOT_SUSPEND_SELF'],
        403: ['NOT_ALLOWED'],
        404: ['REPORT_NOT_FOUND'],
        409: ['REPORT_RESOLVED'],
      },
    },
    ({ params, body }, moderator) => resolveReport(db, delivery, moderator, params.id, body),
  );

  for (const suspended of [true, false]) {
    moderators(
      {
        method: 'post',
        path: `/admin/accounts/:id/${suspended ? 'suspend' : 'unsuspend'}`,
        summary: suspended ? 'Suspend an account' : 'Lift an account’s suspension',
        description: suspended
          ? 'Its sessions end at once; it cannot log in, and its profile, posts and messages are hidden from everyone. Nothing is deleted. ' +
            'A moderator may suspend users; an admin anyone but themselves. Suspending a suspended account changes nothing. ' +
            'The body, a note for the audit log, may be left out.'
          : 'It may log in again, and everything it wrote is shown again. Lifting no suspension changes nothing. ' +
            'The body, a note for the audit log, may be left out.',
        params: userIdParams,
        body: suspensionBody,
        response: { description: 'the account as it is now', body: moderatedAccountResponse },
        errors: { 400: ['CANNOT_SUSPEND_SELF'], 403: ['NOT_ALLOWED'], 404: ['USER_NOT_FOUND'] },
      },
      ({ params, body }, moderator) => setSuspension(db, moderator, params.id, suspended, body.note),
    );
  }

  moderators(
    {
      method: 'get',
      path: '/admin/accounts',
      summary: 'The accounts, newest first, with their roles and suspensions',
      description: 'Moderators and admins only. `?suspended=true` lists the suspended accounts.',
      query: accountsQuery,
      response: { description: 'a page of accounts', body: pageOf(moderatedAccountSchema) },
    },
    ({ query }) => listAccounts(db, query, query),
  );

  moderators(
    {
      method: 'get',
      path: '/admin/accounts/:id',
      summary: 'One account with its role and suspension, even when suspended',
      params: userIdParams,
      response: { description: 'the account', body: moderatedAccountSchema },
      errors: { 404: ['USER_NOT_FOUND'] },
    },
    ({ params }) => getModeratedAccount(poolExecutor(db.$client), params.id),
  );

  admins(
    {
      method: 'put',
      path: '/admin/accounts/:id/role',
      summary: 'Give an account a role: user, moderator or admin',
      description: 'Admins only. Setting the role an account has changes nothing.',
      params: userIdParams,
      body: roleBody,
      response: { description: 'the account as it is now', body: moderatedAccountResponse },
      errors: { 404: ['USER_NOT_FOUND'] },
    },
    ({ params, body }, admin) => changeRole(db, admin, params.id, body.role),
  );

  moderators(
    {
      method: 'get',
      path: '/admin/audit',
      summary: 'The audit log: every moderation action and who took it, newest first',
      query: numericPageQuery,
      response: { description: 'a page of the log', body: pageOf(auditEntrySchema) },
    },
    async ({ query }) => pageById(await listAudit(db, query), query.limit),
  );
}
