/**
 * Gateway configuration, read from the environment once at boot. Each variable says what it is
 * for in `.describe()`, which docs/configuration.md is generated from.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { httpServerEnv, parseEnv, portEnv, timeoutMsEnv } from '@murmur/shared/config';

/** The repository's web client build, seen from this file's compiled place (gateway/dist/src). */
const DEFAULT_WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const serviceUrl = (defaultUrl: string) => z.url({ protocol: /^http$/, error: 'must be an http:// URL' }).default(defaultUrl);

export const envSchema = z.object({
  ...httpServerEnv,
  PORT: portEnv(8080),
  AUTH_SERVICE_URL: serviceUrl('http://127.0.0.1:8081').describe('where the development gateway forwards `/api/auth` (`npm start` passes its ports)'),
  USER_SERVICE_URL: serviceUrl('http://127.0.0.1:8082').describe('where the development gateway forwards `/api/users` and the pictures under `/media`'),
  WS_SERVICE_URL: serviceUrl('http://127.0.0.1:8083').describe('where the development gateway forwards `/api/chat`'),
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .default(DEFAULT_WEB_DIST_DIR)
    .describe("the web client's build the gateway serves (Vite's output: index.html and assets/); looked for on every request"),
  GATEWAY_PROXY_TIMEOUT_MS: timeoutMsEnv(60_000).describe(
    "how long a service may go without sending anything while it answers before the gateway answers 504 (nginx's `proxy_read_timeout`, whose default it takes); WebSockets are not bounded by it: ws-service pings them itself",
  ),
  GATEWAY_UPSTREAM_IDLE_MS: timeoutMsEnv(60_000).describe(
    "how long an idle connection to a service is kept for the next request; below the services' `HTTP_KEEP_ALIVE_TIMEOUT_MS` (65 s), so the gateway closes first and never sends a request down a connection the service is closing, as nginx's upstream `keepalive_timeout`",
  ),
});

export type GatewayConfig = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return parseEnv(envSchema, env);
}
