/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can break the way
 * networks and servers break: `freeze` stops every byte in both directions while connections
 * stay open (a hung server or a partition), `cut` ends every connection and refuses new ones (a
 * stopped server), `restore` heals both. Only the service under test goes through it, so other
 * tests sharing the server are unaffected. For tests only.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  /** `target` with its host and port replaced by the proxy's. */
  url: string;
  freeze(): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

type Mode = 'open' | 'frozen' | 'cut';

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const pairs = new Set<[net.Socket, net.Socket]>();
  let mode: Mode = 'open';

  const server = net.createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(targetUrl.port || 5432), targetUrl.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    if (mode === 'frozen') freezePair(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = new URL(target);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);

  // Unpiping as well as pausing: pipe() would resume a paused source on its next 'drain'.
  function freezePair([client, upstream]: [net.Socket, net.Socket]): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }

  return {
    url: proxied.toString(),
    freeze() {
      mode = 'frozen';
      for (const pair of pairs) freezePair(pair);
    },
    cut() {
      mode = 'cut';
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore() {
      if (mode === 'frozen') {
        for (const [client, upstream] of pairs) {
          client.pipe(upstream);
          upstream.pipe(client);
        }
      }
      mode = 'open';
    },
    close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
