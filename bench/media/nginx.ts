/**
 * nginx for the picture scenarios: the production gateway (gateway/nginx.conf, pointed at this
 * run's user-service and pictures' folder by the gateway test's own helpers, so the benchmark
 * serves pictures with exactly the configuration the test checks), a bare static server of one
 * folder as the baseline, and the processes of a running nginx, for their CPU.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '@murmur/shared/testing';
import { findNginx } from '../../scripts/nginx-probe.js';
import { REPO_ROOT } from '../../scripts/repo-paths.js';
import type * as GatewayNginx from '../../gateway/test/nginx.js';

export type { NginxUnderTest } from '../../gateway/test/nginx.js';

/** The gateway test's helpers, loaded from its build (the gateway package does not export them). */
const gatewayNginx = () => import(pathToFileURL(path.join(REPO_ROOT, 'gateway/dist/test/nginx.js')).href) as Promise<typeof GatewayNginx>;

/** The nginx binary: BENCH_NGINX if set (it must run), else one on PATH or in /usr/sbin; undefined when there is none. */
export const benchNginx = (): string | undefined => findNginx(process.env.BENCH_NGINX, process.env.PATH);

/** gateway/nginx.conf in front of user-service at `userServicePort`, sending public pictures from `mediaDir` itself. */
export async function startGatewayNginx(nginx: string, options: { userServicePort: number; mediaDir: string; webDist: string }): Promise<GatewayNginx.NginxUnderTest & { port: number }> {
  const helpers = await gatewayNginx();
  const port = await freePort();
  // Nothing here reaches auth-service or ws-service: their upstreams only need an address.
  const ports = { 'auth-service': await freePort(), 'user-service': options.userServicePort, 'ws-service': await freePort() };
  const conf = helpers.gatewayConfFor({ ports, port, webDist: options.webDist, mediaDir: options.mediaDir });
  return { ...(await helpers.startNginx(nginx, conf)), port };
}

/** The baseline: nginx serving `root` as plain static files, nothing else configured. */
export async function startStaticNginx(nginx: string, root: string): Promise<GatewayNginx.NginxUnderTest & { port: number }> {
  const helpers = await gatewayNginx();
  const port = await freePort();
  const conf = `server {
  listen 127.0.0.1:${port};
  location / {
    root ${root};
  }
}
`;
  return { ...(await helpers.startNginx(nginx, conf)), port };
}

/**
 * The master and workers of the nginx listening on `port`, as started above: the master's
 * command line names its configuration, whose server block names the port.
 */
export function nginxPids(port: number): number[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const master = pids.find((pid) => {
    const conf = /nginx: master process .*-c (\S+)/.exec(read(`/proc/${pid}/cmdline`).replace(/\0/g, ' '))?.[1];
    return conf !== undefined && read(path.join(path.dirname(conf), 'gateway.conf')).includes(`listen 127.0.0.1:${port};`);
  });
  if (master === undefined) throw new Error(`no nginx master process found for port ${port}`);
  // /proc/<pid>/stat: the parent is the second field after the command name (which may hold spaces).
  const parentOf = (pid: number) => {
    const stat = read(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  };
  return [master, ...pids.filter((pid) => parentOf(pid) === master)];
}
