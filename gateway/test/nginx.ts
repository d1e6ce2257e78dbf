/**
 * Test support: real nginx with the repository's gateway/nginx.conf, changed only where the test
 * must differ (the services' addresses, the port, the web build's and the pictures' folders), in
 * a temporary folder of its own: a foreground process with its own pid file, error log and
 * temporary paths.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@murmur/shared/testing';
import { readResponse, type RawResponse } from './helpers.js';
import type { ServicePorts } from './platform.js';

const GATEWAY_CONF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../nginx.conf');
const READY_TIMEOUT_MS = 10_000;
/** Debian's and the official image's; without it files are served as application/octet-stream. */
const MIME_TYPES = '/etc/nginx/mime.types';

export interface NginxUnderTest {
  url: string;
  close(): Promise<void>;
}

/** Replaces `from` in `text`, which must hold it exactly once, so a changed nginx.conf fails loudly here. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`gateway/nginx.conf must contain "${from}" exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Replaces every `from` in `text`, which must hold it at least once. */
function replaceEvery(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`gateway/nginx.conf must contain "${from}"`);
  return text.split(from).join(to);
}

/** Where gateway/nginx.conf reads the pictures' folder (docker-compose.yml mounts it there). */
const MEDIA_DIR = '/var/lib/murmur/media/';
/** user-service's MEDIA_ACCEL_REDIRECT behind nginx: gateway/nginx.conf's internal location (docker-compose.yml sets the same). */
export const MEDIA_ACCEL_REDIRECT = '/_media_files/';

/**
 * The repository's server block, pointed at this test's services, port, web build and pictures'
 * folder (user-service's MEDIA_LOCAL_DIR).
 */
export function gatewayConfFor(options: { ports: ServicePorts; port: number; webDist: string; mediaDir: string }): string {
  let conf = readFileSync(GATEWAY_CONF, 'utf8');
  conf = replaceOnce(conf, 'server auth-service:8081;', `server 127.0.0.1:${options.ports['auth-service']};`);
  conf = replaceOnce(conf, 'server user-service:8082;', `server 127.0.0.1:${options.ports['user-service']};`);
  conf = replaceOnce(conf, 'server ws-service:8083;', `server 127.0.0.1:${options.ports['ws-service']};`);
  conf = replaceOnce(conf, 'listen 8080;', `listen 127.0.0.1:${options.port};`);
  conf = replaceEvery(conf, ` ${MEDIA_DIR}`, ` ${path.join(options.mediaDir, '/')}`);
  if (!conf.includes(`location ${MEDIA_ACCEL_REDIRECT}private/ {`)) throw new Error(`gateway/nginx.conf must have the internal location ${MEDIA_ACCEL_REDIRECT}`);
  return replaceOnce(conf, 'root /usr/share/nginx/html;', `root ${options.webDist};`);
}

/** What the official image's /etc/nginx/nginx.conf gives around conf.d/, with every path inside `dir`. */
function mainConf(dir: string): string {
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, `${name}-temp`)};`;
  return `worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  ${existsSync(MIME_TYPES) ? `include ${MIME_TYPES};` : 'types { text/html html; application/javascript js; text/css css; }'}
  default_type application/octet-stream;
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  include ${path.join(dir, 'gateway.conf')};
}
`;
}

/**
 * One request to nginx over HTTP or HTTPS; over HTTPS any certificate is accepted (the tests'
 * own is self-signed).
 */
export function request(baseUrl: string, method: string, requestPath: string): Promise<RawResponse> {
  const url = new URL(requestPath, baseUrl);
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, rejectUnauthorized: false }, (res) => resolve(readResponse(res)));
    req.on('error', reject);
    req.end();
  });
}

export async function startNginx(nginx: string, gatewayConf: string): Promise<NginxUnderTest> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'murmur-nginx-'));
  // Run as root, nginx's workers are another user, who must reach the temporary paths.
  chmodSync(dir, 0o755);
  const listen = /listen 127\.0\.0\.1:(\d+)( ssl)?;/.exec(gatewayConf);
  if (!listen) throw new Error('the gateway configuration names no port');
  const [, port, tls] = listen;
  writeFileSync(path.join(dir, 'gateway.conf'), gatewayConf);
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, mainConf(dir));
  const args = ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')];
  const check = spawnSync(nginx, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the configuration:\n${check.stderr}`);

  const child: ChildProcess = spawn(nginx, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await stopped;
    process.off('exit', kill);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
      await request(url, 'GET', '/healthz');
    }, READY_TIMEOUT_MS);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, close };
}
