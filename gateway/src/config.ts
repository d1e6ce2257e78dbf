/** Gateway configuration, read from the environment once at boot. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { httpServerEnv, parseEnv, portEnv, timeoutMsEnv } from '@murmur/shared/config';

/** The repository's web client build, seen from this file's compiled place (gateway/dist/src). */
const DEFAULT_WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const serviceUrl = (defaultUrl: string) => z.url({ protocol: /^http$/, error: 'must be an http:// URL' }).default(defaultUrl);

const schema = z.object({
  ...httpServerEnv,
  PORT: portEnv(8080),
  /** Where each service listens; the gateway forwards its prefix there. */
  AUTH_SERVICE_URL: serviceUrl('http://127.0.0.1:8081'),
  USER_SERVICE_URL: serviceUrl('http://127.0.0.1:8082'),
  WS_SERVICE_URL: serviceUrl('http://127.0.0.1:8083'),
  /** The built web client (Vite's output: index.html and assets/). */
  WEB_DIST_DIR: z.string().min(1).default(DEFAULT_WEB_DIST_DIR),
  /**
   * How long a service may go without sending anything while it answers a request before the
   * gateway answers 504; nginx's proxy_read_timeout, whose default (60 s) it takes. WebSockets
   * are not bounded by it: ws-service pings them itself.
   */
  GATEWAY_PROXY_TIMEOUT_MS: timeoutMsEnv(60_000),
  /**
   * How long a connection to a service is kept idle for the next request; below the services'
   * HTTP_KEEP_ALIVE_TIMEOUT_MS (65 s), so the gateway closes first and never sends a request
   * down a connection the service is closing. nginx's upstream keepalive_timeout is the same.
   */
  GATEWAY_UPSTREAM_IDLE_MS: timeoutMsEnv(60_000),
});

export type GatewayConfig = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return parseEnv(schema, env);
}
