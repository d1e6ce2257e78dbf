/**
 * Test support for every package: the real ws-service on port 0 against the test database, alone
 * or with the auth-service that signs its tokens.
 * Not used by production code.
 */
import { createLogger } from '@murmur/shared/logger';
import { testEnv } from '@murmur/shared/testing';
import { startAuthService, type AuthUnderTest } from '@murmur/auth-service/testing';
import { loadConfig } from './config.js';
import { openDeps, type ServiceDeps } from './deps.js';
import { createWsServer, type WsServer, type WsServerOptions } from './ws-server.js';

export interface WsUnderTest {
  url: string;
  wsUrl: string;
  deps: ServiceDeps;
  service: WsServer;
  close(): Promise<void>;
}

export async function startWsService(env: Record<string, string> = {}, options: WsServerOptions = {}): Promise<WsUnderTest> {
  const config = loadConfig(testEnv(env));
  const deps = await openDeps(config, createLogger('ws-service', 'silent'));
  const service = createWsServer(deps, options);
  const port = await service.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    deps,
    service,
    async close() {
      await service.shutdown();
      await deps.close();
    },
  };
}

/** Rate limits raised for tests that send faster than a person types; the limits have their own tests. */
export const FAST_SENDING_ENV = {
  WS_MESSAGES_PER_SECOND: '1000',
  WS_MESSAGE_BURST: '1000',
  WS_USER_MESSAGES_PER_SECOND: '1000',
  WS_USER_MESSAGE_BURST: '1000',
};

export interface Stack {
  auth: AuthUnderTest;
  ws: WsUnderTest;
  close(): Promise<void>;
}

/** auth-service and ws-service on the same test database and keys. */
export async function startStack(env: Record<string, string> = {}, options: WsServerOptions = {}): Promise<Stack> {
  const auth = await startAuthService();
  const ws = await startWsService(env, options);
  return {
    auth,
    ws,
    async close() {
      await ws.close();
      await auth.close();
    },
  };
}
