/**
 * The built web client: files from its build folder, hashed assets cached for good, and every
 * other path answered with index.html so the client's own routes (deep links such as /rooms/5)
 * load the app. Until the client is built, a page that says how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Response } from 'express';
import { METHOD_NOT_ALLOWED, NOT_ROUTED, sendError } from './gateway-errors.js';

/**
 * Headers of every answer of the web client; nginx.conf sends the same. The policy allows only
 * the gateway's own origin (its API and WebSockets included), which is all a Vite build loads.
 */
export const CLIENT_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; " +
    "frame-ancestors 'none'; img-src 'self' data: blob:; object-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/** Vite names every file under assets/ by its content hash: a changed file is a new name. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all) is checked with the gateway on every load, so a new build shows at once. */
export const PAGE_CACHE_CONTROL = 'no-cache';

const ASSETS_PREFIX = '/assets/';
const NOT_BUILT_PAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../not-built.html');

const withCacheControl = (value: string) => (res: Response) => res.setHeader('Cache-Control', value);

export function webClient(distDir: string): RequestHandler {
  const notBuilt = readFileSync(NOT_BUILT_PAGE);
  const indexFile = path.join(distDir, 'index.html');
  const staticOptions = { index: false, redirect: false, cacheControl: false } as const;
  const assets = express.static(distDir, { ...staticOptions, setHeaders: withCacheControl(ASSET_CACHE_CONTROL) });
  const files = express.static(distDir, { ...staticOptions, setHeaders: withCacheControl(PAGE_CACHE_CONTROL) });

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, METHOD_NOT_ALLOWED, { Allow: 'GET, HEAD' });
      return;
    }
    res.set(CLIENT_HEADERS);
    // A missing asset is an old build's: index.html in its place would only fail to parse.
    if (req.path.startsWith(ASSETS_PREFIX)) {
      assets(req, res, () => sendError(res, NOT_ROUTED));
      return;
    }
    files(req, res, () => {
      res.setHeader('Cache-Control', PAGE_CACHE_CONTROL);
      // Looked up on each request, so a client built while the gateway runs is served at once.
      if (!existsSync(indexFile)) {
        res.type('html').send(notBuilt);
        return;
      }
      res.sendFile(indexFile, (err) => {
        if (err) next(err);
      });
    });
  };
}
