/**
 * The answers the gateway gives itself, in the services' error shape
 * (`{"error":{"code","message"}}`). nginx.conf answers with the same bodies, and the tests hold
 * both to these.
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface GatewayError {
  status: number;
  code: string;
  message: string;
}

export const NOT_ROUTED: GatewayError = { status: 404, code: 'NOT_FOUND', message: 'nothing is served at this path' };
export const METHOD_NOT_ALLOWED: GatewayError = { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'the web client only answers GET and HEAD' };
export const MEDIA_METHOD_NOT_ALLOWED: GatewayError = { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'pictures only answer GET and HEAD' };
export const INTERNAL: GatewayError = { status: 500, code: 'INTERNAL', message: 'the gateway failed to answer' };
export const BAD_GATEWAY: GatewayError = { status: 502, code: 'BAD_GATEWAY', message: 'the service is not answering; try again shortly' };
export const GATEWAY_TIMEOUT: GatewayError = { status: 504, code: 'GATEWAY_TIMEOUT', message: 'the service took too long to answer' };

export function errorJson(error: GatewayError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message } });
}

export function sendError(res: ServerResponse, error: GatewayError, headers: Record<string, string> = {}): void {
  const body = errorJson(error);
  res.writeHead(error.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers an upgrade request that will not be upgraded, then closes its connection. */
export function refuseUpgrade(socket: Duplex, error: GatewayError): void {
  const body = errorJson(error);
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
