/**
 * The production gateway terminating TLS, as gateway/nginx.conf's comments and docs/gateway.md
 * say to set it up: every answer over HTTPS carries HSTS (the web client, its assets, pictures,
 * the services' answers, the gateway's own errors), and none over plain HTTP. The services are
 * stood in for by one server that answers as user-service does; `npm test` runs this file where
 * it runs nginx.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, serve, type Served } from '@murmur/shared/testing';
import { makeMediaDir, makeWebDist, WEB_BUILD, type MediaDir, type WebDist } from './helpers.js';
import { gatewayConfFor, MEDIA_ACCEL_REDIRECT, request, startNginx, type NginxUnderTest } from './nginx.js';

const nginx = process.env.TEST_NGINX;
if (!nginx) throw new Error('TEST_NGINX is not set: run the tests with `npm test`, which finds nginx');

const HSTS = 'max-age=63072000; includeSubDomains';
const PICTURE = 'abcdefghijklmnopqrstuv.png';

/** A self-signed certificate for 127.0.0.1, made with openssl (Debian's, as nginx's). */
function makeCertificate(dir: string): { certificate: string; key: string } {
  const certificate = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', certificate], {
    stdio: 'ignore',
  });
  return { certificate, key };
}

/** user-service as nginx sees it: JSON answers, and a private picture handed back with X-Accel-Redirect. */
function stubUserService(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === `/media/private/${PICTURE}`) {
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=31536000, immutable', 'X-Accel-Redirect': `${MEDIA_ACCEL_REDIRECT}private/${PICTURE}` });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end('{"ok":true}');
}

describe('nginx with gateway/nginx.conf terminating TLS', () => {
  let service: Served;
  let web: WebDist;
  let media: MediaDir;
  let tlsDir: string;
  let overTls: NginxUnderTest;
  let overPlainHttp: NginxUnderTest;

  /** Every kind of answer the gateway gives, by the location that gives it. */
  const answers: Array<[method: string, requestPath: string, status: number]> = [
    ['GET', '/', 200],
    ['GET', '/rooms/5', 200],
    ['GET', `/${WEB_BUILD.asset}`, 200],
    ['GET', '/assets/missing.js', 404],
    ['POST', '/', 405],
    ['GET', '/healthz', 200],
    ['GET', '/api/users/me', 200],
    ['GET', '/api/nowhere', 404],
    ['GET', '/api/auth/metrics', 404],
    ['GET', `/media/${PICTURE}`, 200],
    ['GET', '/media/missing.png', 404],
    ['DELETE', `/media/${PICTURE}`, 405],
    ['GET', `/media/private/${PICTURE}`, 200],
  ];

  before(async () => {
    service = await serve(stubUserService);
    const servicePort = Number(new URL(service.url).port);
    web = makeWebDist();
    media = makeMediaDir();
    for (const area of ['public', 'private']) {
      mkdirSync(path.join(media.dir, area), { mode: 0o755 });
      writeFileSync(path.join(media.dir, area, PICTURE), 'png bytes', { mode: 0o644 });
    }
    tlsDir = mkdtempSync(path.join(os.tmpdir(), 'murmur-tls-'));
    const { certificate, key } = makeCertificate(tlsDir);
    const confFor = (port: number) =>
      gatewayConfFor({ ports: { 'auth-service': servicePort, 'user-service': servicePort, 'ws-service': servicePort }, port, webDist: web.dir, mediaDir: media.dir });

    // What the comment in gateway/nginx.conf says to put in place of the `listen` line.
    const tlsPort = await freePort();
    const tlsConf = confFor(tlsPort).replace(
      `listen 127.0.0.1:${tlsPort};`,
      `listen 127.0.0.1:${tlsPort} ssl;\n  ssl_certificate ${certificate};\n  ssl_certificate_key ${key};`,
    );
    overTls = await startNginx(nginx, tlsConf);
    overPlainHttp = await startNginx(nginx, confFor(await freePort()));
  });
  after(async () => {
    await overTls?.close();
    await overPlainHttp?.close();
    await service?.close();
    web?.remove();
    media?.remove();
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  });

  it('sends Strict-Transport-Security on every answer over HTTPS', async () => {
    assert.match(overTls.url, /^https:/);
    for (const [method, requestPath, status] of answers) {
      const res = await request(overTls.url, method, requestPath);
      assert.equal(res.status, status, `${method} ${requestPath}: ${res.body}`);
      assert.equal(res.headers['strict-transport-security'], HSTS, `${method} ${requestPath} carries HSTS`);
    }
  });

  it('sends none over plain HTTP, where a browser would ignore it', async () => {
    for (const [method, requestPath, status] of answers) {
      const res = await request(overPlainHttp.url, method, requestPath);
      assert.equal(res.status, status, `${method} ${requestPath}: ${res.body}`);
      assert.equal(res.headers['strict-transport-security'], undefined, `${method} ${requestPath}`);
    }
  });
});
