/**
 * A lean keep-alive HTTP client for load generation: node:http with a pooled agent costs the
 * generator less CPU per request than fetch, so the server, not the generator, is measured.
 */
import http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

export function createAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

export function request(
  agent: http.Agent,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { ...headers, 'content-type': 'application/json' } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Like `request`, but rejects unless the status is `expected`. */
export async function expectStatus(expected: number, ...args: Parameters<typeof request>): Promise<HttpResult> {
  const result = await request(...args);
  if (result.status !== expected) throw new Error(`${args[1]} ${args[2]}: ${result.status} ${result.body.slice(0, 200)}`);
  return result;
}
