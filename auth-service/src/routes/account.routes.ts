/** HTTP routes of the account's lifecycle: password change and reset, sessions, email verification. */
import { currentUser, type ApiRoutes } from '@murmur/shared/http';
import { createEmailVerification } from '../services/email-verification.service.js';
import { changePassword } from '../services/password-change.service.js';
import { createPasswordResets } from '../services/password-reset.service.js';
import { endOtherSessions, endSession, listSessions } from '../services/sessions.service.js';
import type { AuthRoutesOptions } from './auth.routes.js';
import { browserRequests } from './browser-requests.js';
import { limitedAddress } from './client-address.js';
import { acceptedResponse, changePasswordBody, forgotPasswordBody, resetPasswordBody, sessionIdParams, sessionsResponse, verifyEmailBody } from './account.schemas.js';

const ACCEPTED = { status: 'accepted' } as const;

export function declareAccountRoutes(api: ApiRoutes, options: AuthRoutesOptions): void {
  const deps = options.service;
  const resets = createPasswordResets(deps);
  const verification = createEmailVerification(deps);

  const { refuseCrossSite, clearAuthCookie } = browserRequests(options);

  api.add(
    {
      method: 'post',
      path: '/password',
      tag: 'account',
      summary: 'Change the password',
      description:
        'The current password is checked first, and a wrong one counts as a failed login. Every other session ends; ' +
        'this one stays. Reset links not yet used stop working, device cookies set before stop counting, and the owner is mailed.',
      auth: 'required',
      body: changePasswordBody,
      response: { status: 204, description: 'changed' },
      errors: { 400: ['INVALID_CREDENTIALS', 'PASSWORD_TOO_WEAK'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req) => {
      await changePassword(deps, currentUser(req), body, limitedAddress(req));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/sessions',
      tag: 'account',
      summary: 'The active sessions of the account, newest first',
      description: 'One per login or registration that has not ended (logged out, ended here, expired).',
      auth: 'required',
      response: { description: 'the sessions', body: sessionsResponse },
    },
    async (_input, req) => ({ items: await listSessions(deps.db, currentUser(req)) }),
  );

  api.add(
    {
      method: 'delete',
      path: '/sessions/:id',
      tag: 'account',
      summary: 'End one session: its token is refused everywhere from now on',
      description: 'Ending the session the request came with is a logout, and clears the auth cookie.',
      auth: 'required',
      params: sessionIdParams,
      response: { status: 204, description: 'ended' },
      errors: { 404: ['SESSION_NOT_FOUND'] },
    },
    async ({ params }, req, res) => {
      const { endedCurrent } = await endSession(deps.db, currentUser(req), params.id);
      if (endedCurrent) clearAuthCookie(res);
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/sessions',
      tag: 'account',
      summary: 'End every session but this one',
      auth: 'required',
      response: { status: 204, description: 'the others ended' },
    },
    async (_input, req) => {
      await endOtherSessions(deps.db, currentUser(req));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/password/forgot',
      tag: 'account',
      summary: 'Mail a password-reset link',
      description:
        'Answers 202 whether or not an account has the address, so nobody learns which addresses have accounts. ' +
        'The account gets a link to `<PUBLIC_URL>/reset-password?token=…`, working for PASSWORD_RESET_TTL_MINUTES, ' +
        'unless it is suspended or has had PASSWORD_RESET_MAX_PER_ACCOUNT links this hour.',
      auth: 'none',
      body: forgotPasswordBody,
      response: { status: 202, description: 'accepted', body: acceptedResponse },
      errors: { 403: ['CROSS_SITE_REQUEST'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req) => {
      refuseCrossSite(req);
      await resets.request(body.email, limitedAddress(req));
      return ACCEPTED;
    },
  );

  api.add(
    {
      method: 'post',
      path: '/password/reset',
      tag: 'account',
      summary: 'Set a new password with the token of a mailed reset link',
      description:
        'Every session of the account ends, its other reset links and device cookies stop working, and the owner is mailed. ' +
        'The second factor stays as it is.',
      auth: 'none',
      body: resetPasswordBody,
      response: { status: 204, description: 'the password is set; log in with it' },
      errors: { 400: ['TOKEN_INVALID', 'PASSWORD_TOO_WEAK'], 403: ['CROSS_SITE_REQUEST'] },
    },
    async ({ body }, req) => {
      refuseCrossSite(req);
      await resets.reset(body.token, body.newPassword);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/email/verify',
      tag: 'account',
      summary: 'Verify the email address with the token of a mailed link',
      description: 'The link works once, and only while the account still has the address it was mailed to.',
      auth: 'none',
      body: verifyEmailBody,
      response: { status: 204, description: 'verified' },
      errors: { 400: ['TOKEN_INVALID'], 403: ['CROSS_SITE_REQUEST'] },
    },
    async ({ body }, req) => {
      refuseCrossSite(req);
      await verification.verify(body.token);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/email/verify/resend',
      tag: 'account',
      summary: 'Mail a new verification link',
      description: 'Links mailed before it keep working until they expire.',
      auth: 'required',
      response: { status: 202, description: 'the mail is on its way', body: acceptedResponse },
      errors: { 409: ['EMAIL_ALREADY_VERIFIED'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async (_input, req) => {
      await verification.resend(currentUser(req).id);
      return ACCEPTED;
    },
  );
}
