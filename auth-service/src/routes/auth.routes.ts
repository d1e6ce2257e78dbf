/** HTTP routes of auth-service: parse input, call the service, shape the response. */
import type { Request, Response } from 'express';
import { currentUser, type ApiRoutes } from '@murmur/shared/http';
import { login, logout, register, type AuthServiceDeps, type ClientInfo, type SignedIn } from '../services/auth.service.js';
import { loggedInResponse, loggedOutResponse, loginBody, registerBody, signedInResponse } from './auth.schemas.js';
import { browserRequests } from './browser-requests.js';
import { limitedAddress } from './client-address.js';

export interface AuthRoutesOptions {
  service: AuthServiceDeps;
  allowedOrigins: readonly string[];
  cookieSecure: boolean;
}

const SIGNED_IN_HEADERS = {
  'Set-Cookie':
    'the auth cookie (`murmur_token`, or `__Host-murmur_token` with COOKIE_SECURE): the token, HttpOnly, SameSite=Lax, for as long as the token lives; ' +
    'and the device cookie (`murmur_device` or `__Host-murmur_device`): signed, HttpOnly, SameSite=Lax, for DEVICE_COOKIE_TTL_DAYS, ' +
    "so that others' failed logins never lock this browser out of the account",
};

/** Where the request comes from, as registration and login need it. */
function clientInfo(req: Request, devices: AuthServiceDeps['devices']): ClientInfo {
  const deviceCookie: unknown = req.cookies?.[devices.name];
  return {
    address: limitedAddress(req),
    userAgent: req.get('user-agent'),
    deviceCookie: typeof deviceCookie === 'string' ? deviceCookie : undefined,
  };
}

export function declareAuthRoutes(api: ApiRoutes, options: AuthRoutesOptions): void {
  const { service } = options;
  const { cookie, authCookie, refuseCrossSite, clearAuthCookie } = browserRequests(options);

  const signedIn = (res: Response, result: SignedIn) => {
    res.cookie(authCookie, result.token, { ...cookie, maxAge: service.tokens.ttlSeconds * 1000 });
    res.cookie(service.devices.name, result.deviceCookie, { ...cookie, maxAge: service.devices.ttlMs });
    return { user: result.user, token: result.token };
  };

  api.add(
    {
      method: 'post',
      path: '/register',
      tag: 'auth',
      summary: 'Create an account and log in',
      description: 'Answers the new user and a token, sets the auth and device cookies, and mails a link that verifies the address.',
      auth: 'none',
      body: registerBody,
      response: { status: 201, description: 'registered and logged in', body: signedInResponse, headers: SIGNED_IN_HEADERS },
      errors: { 400: ['PASSWORD_TOO_WEAK'], 403: ['CROSS_SITE_REQUEST'], 409: ['USERNAME_TAKEN', 'EMAIL_TAKEN'], 429: ['TOO_MANY_ATTEMPTS'] },
    },
    async ({ body }, req, res) => {
      refuseCrossSite(req);
      return signedIn(res, await register(service, body, clientInfo(req, service.devices)));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/login',
      tag: 'auth',
      summary: 'Log in by username or email',
      description:
        'An unknown account and a wrong password answer alike. Answers a token and sets the auth and device cookies. ' +
        'An account with two-factor login on answers 401 `TOTP_REQUIRED` to its right password alone; the same request with ' +
        '`totp` or `recoveryCode` completes the login (a wrong or used code: 401 `TOTP_INVALID`, counted like a wrong password). ' +
        'A suspended account with the right password answers 403 `ACCOUNT_SUSPENDED`. Failed logins from unknown devices are ' +
        "limited per account and per address; from a device holding the account's device cookie (set since its password or " +
        'second factor last changed), per device only. Successful logins are limited per address, and an account keeps at ' +
        'most SESSIONS_MAX_PER_ACCOUNT sessions (a login past it ends the oldest).',
      auth: 'none',
      body: loginBody,
      response: { description: 'logged in', body: loggedInResponse, headers: SIGNED_IN_HEADERS },
      errors: {
        401: ['INVALID_CREDENTIALS', 'TOTP_REQUIRED', 'TOTP_INVALID'],
        403: ['CROSS_SITE_REQUEST', 'ACCOUNT_SUSPENDED'],
        429: ['TOO_MANY_ATTEMPTS'],
      },
    },
    async ({ body }, req, res) => {
      refuseCrossSite(req);
      const result = await login(service, body, clientInfo(req, service.devices));
      return { ...signedIn(res, result), failedLoginAttempts: result.failedLoginAttempts };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/logout',
      tag: 'auth',
      summary: 'End the session: its token is refused everywhere from now on',
      description: 'The device cookie stays: the browser remains a known device of the account.',
      auth: 'required',
      response: { status: 202, description: 'logged out; the auth cookie is cleared', body: loggedOutResponse },
    },
    async (_input, req, res) => {
      await logout(service, currentUser(req));
      clearAuthCookie(res);
      return { status: 'logged_out' };
    },
  );
}
