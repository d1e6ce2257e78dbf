/** HTTP routes of auth-service: parse input, call the service, shape the response. */
import { Router, type CookieOptions, type RequestHandler, type Response } from 'express';
import { AUTH_COOKIE_NAME } from '@murmur/shared/auth';
import { forbidden } from '@murmur/shared/errors';
import { currentUser, isCrossSiteRequest, parseInput, type AuthMiddleware } from '@murmur/shared/http';
import { login, logout, register, type AuthServiceDeps, type SignedIn } from '../services/auth.service.js';
import { loginBody, registerBody } from './auth.schemas.js';

export interface AuthRoutesOptions {
  service: AuthServiceDeps;
  auth: AuthMiddleware;
  allowedOrigins: readonly string[];
  cookieSecure: boolean;
}

export function authRoutes(options: AuthRoutesOptions): Router {
  const router = Router();
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: options.cookieSecure };

  /** A page on another site must not be able to log a visitor into an account it controls. */
  const refuseCrossSite: RequestHandler = (req, _res, next) => {
    if (isCrossSiteRequest(req, options.allowedOrigins)) {
      throw forbidden('CROSS_SITE_REQUEST', 'requests from other sites are refused');
    }
    next();
  };

  const signedIn = (res: Response, status: number, result: SignedIn) => {
    res.cookie(AUTH_COOKIE_NAME, result.token, { ...cookie, maxAge: options.service.tokens.ttlSeconds * 1000 });
    res.status(status).json({ user: result.user, token: result.token });
  };

  router.post('/register', refuseCrossSite, async (req, res) => {
    const input = parseInput(registerBody, req.body);
    signedIn(res, 201, await register(options.service, input, req.ip ?? 'unknown'));
  });

  router.post('/login', refuseCrossSite, async (req, res) => {
    const input = parseInput(loginBody, req.body);
    signedIn(res, 200, await login(options.service, input, req.ip ?? 'unknown'));
  });

  router.post('/logout', options.auth.requireAuth, async (req, res) => {
    await logout(options.service, currentUser(req));
    res.clearCookie(AUTH_COOKIE_NAME, cookie);
    res.status(202).json({ status: 'logged_out' });
  });

  return router;
}
