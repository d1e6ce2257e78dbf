/**
 * The platform as a browser meets it: the three services (their built main.js, against the test
 * database) behind the development gateway, which serves the real client build from web/dist.
 * There is no mail server: auth-service writes each mail as an `.eml` file into a folder of the
 * stack's own, with links into the gateway's origin.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, targetsOf } from '@murmur/gateway/testing/gateway';
import { freeServicePorts, startPlatform } from '@murmur/gateway/testing/platform';
import { startFaultProxy, type FaultProxy } from '@murmur/shared/testing';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist');

export interface Stack {
  /** The gateway's origin. */
  url: string;
  /**
   * The gateway again, through a TCP proxy: a person who uses this origin has a network the test
   * can cut, open WebSockets included (Chromium's offline mode leaves those up), and restore.
   */
  cuttable: FaultProxy & { origin: string };
  /** Where auth-service writes its mail, one `.eml` file each (SMTP_URL is unset). */
  mailDir: string;
  close(): Promise<void>;
}

/** `env` is added to every service's environment. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error(`no client build in ${WEB_DIST}: run npm run build -w web`);
  const ports = await freeServicePorts();
  const gateway = await startGateway({ ...targetsOf(ports), WEB_DIST_DIR: WEB_DIST });
  const proxy = await startFaultProxy(gateway.url);
  const proxyOrigin = new URL(proxy.url).origin;
  const mailDir = await mkdtemp(path.join(os.tmpdir(), 'murmur-e2e-mail-'));
  // Both are origins a page may call from: the services' allowlist takes each.
  const platform = await startPlatform(ports, `${gateway.origin},${proxyOrigin}`, { PUBLIC_URL: gateway.origin, MAIL_DEV_DIR: mailDir, ...env });
  return {
    url: gateway.url,
    cuttable: Object.assign(proxy, { origin: proxyOrigin }),
    mailDir,
    async close() {
      await proxy.close();
      await gateway.close();
      await platform.close();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}
