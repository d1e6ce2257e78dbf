/** HTTP routes of auth-service: parse input, call the service, shape the response. */
import type { CookieOptions, Request, Response } from 'express';
import { AUTH_COOKIE_NAME } from '@murmur/shared/auth';
import { forbidden } from '@murmur/shared/errors';
import { currentUser, isCrossSiteRequest, type ApiRoutes } from '@murmur/shared/http';
import { login, logout, register, type AuthServiceDeps, type SignedIn } from '../services/auth.service.js';
import { loggedOutResponse, loginBody, registerBody, signedInResponse } from './auth.schemas.js';

export interface AuthRoutesOptions {
  service: AuthServiceDeps;
  allowedOrigins: readonly string[];
  cookieSecure: boolean;
}

const SIGNED_IN_HEADERS = { 'Set-Cookie': `${AUTH_COOKIE_NAME}: the token, HttpOnly, SameSite=Lax, for as long as the token lives` };

export function declareAuthRoutes(api: ApiRoutes, options: AuthRoutesOptions): void {
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: options.cookieSecure };

  /** A page on another site must not be able to log a visitor into an account it controls. */
  const refuseCrossSite = (req: Request) => {
    if (isCrossSiteRequest(req, options.allowedOrigins)) throw forbidden('CROSS_SITE_REQUEST', 'requests from other sites are refused');
  };

  const signedIn = (res: Response, result: SignedIn) => {
    res.cookie(AUTH_COOKIE_NAME, result.token, { ...cookie, maxAge: options.service.tokens.ttlSeconds * 1000 });
    return { user: result.user, token: result.token };
  };

  api.add(
    {
      method: 'post',
      path: '/register',
      tag: 'auth',
      summary: 'Create an account and log in',
      description: 'Answers the new user and a token, and sets the auth cookie.',
      auth: 'none',
      body: registerBody,
      response: { status: 201, description: 'registered and logged in', body: signedInResponse, headers: SIGNED_IN_HEADERS },
      errors: { 403: ['CROSS_SITE_REQUEST'], 409: ['USERNAME_TAKEN', 'EMAIL_TAKEN'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req, res) => {
      refuseCrossSite(req);
      return signedIn(res, await register(options.service, body, req.ip ?? 'unknown'));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/login',
      tag: 'auth',
      summary: 'Log in by username or email',
      description:
        'An unknown account and a wrong password answer alike. Answers a token and sets the auth cookie. ' +
        'A suspended account with the right password answers 403 `ACCOUNT_SUSPENDED`.',
      auth: 'none',
      body: loginBody,
      response: { description: 'logged in', body: signedInResponse, headers: SIGNED_IN_HEADERS },
      errors: { 401: ['INVALID_CREDENTIALS'], 403: ['CROSS_SITE_REQUEST', 'ACCOUNT_SUSPENDED'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req, res) => {
      refuseCrossSite(req);
      return signedIn(res, await login(options.service, body, req.ip ?? 'unknown'));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/logout',
      tag: 'auth',
      summary: 'End the session: its token is refused everywhere from now on',
      auth: 'required',
      response: { status: 202, description: 'logged out; the cookie is cleared', body: loggedOutResponse },
    },
    async (_input, req, res) => {
      await logout(options.service, currentUser(req));
      res.clearCookie(AUTH_COOKIE_NAME, cookie);
      return { status: 'logged_out' };
    },
  );
}
