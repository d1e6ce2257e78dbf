/**
 * A service's OpenAPI 3.1 document, generated from its declared routes (api-routes.ts): the zod
 * schemas that validate each request describe its parameters and body, and the route's response
 * and error lists describe its answers. Served at GET /openapi.json, rendered at GET /docs.
 */
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { authCookieName } from '../auth/request-token.js';
import type { RouteSpec } from './api-routes.js';

// Registering a named schema that no route uses (the WebSocket frames) needs zod's `.openapi()`.
extendZodWithOpenApi(z);

/** Every error answer: `{"error":{"code","message"}}`, with `field` when one input field is at fault. */
export const errorBodySchema = (codes: string[]) =>
  z.object({
    error: z.object({
      code: z.enum(codes as [string, ...string[]]).describe('stable and machine-readable'),
      message: z.string().describe('for people; may change'),
      field: z.string().optional().describe('the input at fault, for VALIDATION_FAILED'),
    }),
  });

const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the token that POST /login or POST /register answered' },
  cookieAuth: {
    type: 'apiKey',
    in: 'cookie',
    name: authCookieName(false),
    description: `the HttpOnly cookie that POST /login sets; named \`${authCookieName(true)}\` (Secure) instead when the deployment runs with COOKIE_SECURE=true, and then only that name is read`,
  },
} as const;

const isSafe = (spec: RouteSpec) => spec.method === 'get';

/** The errors a route answers because of what kind of route it is, not what it does. */
export function commonErrors(spec: RouteSpec): Record<number, string[]> {
  const errors: Record<number, string[]> = {};
  const add = (status: number, ...codes: string[]) => (errors[status] = [...(errors[status] ?? []), ...codes]);
  if (spec.params || spec.query || spec.body || spec.headers) add(400, 'VALIDATION_FAILED');
  if (spec.body) {
    add(400, 'MALFORMED_JSON', 'REQUEST_ABORTED');
    add(413, 'BODY_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_ENCODING');
  }
  if (spec.auth === 'required') add(401, 'AUTH_REQUIRED');
  if (spec.auth !== 'none') {
    add(401, 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'SESSION_REVOKED');
    add(503, 'AUTH_UNAVAILABLE');
    if (!isSafe(spec)) add(403, 'CROSS_SITE_REQUEST');
  }
  add(500, 'INTERNAL');
  add(503, 'SERVICE_UNAVAILABLE');
  return errors;
}

/** The route's errors: its own and the common ones, merged by status, each code once. */
export function routeErrors(spec: RouteSpec): Record<number, string[]> {
  const merged = commonErrors(spec);
  for (const [status, codes] of Object.entries(spec.errors ?? {})) merged[Number(status)] = [...(merged[Number(status)] ?? []), ...codes];
  return Object.fromEntries(Object.entries(merged).map(([status, codes]) => [status, [...new Set(codes)]]));
}

/** `/users/:id` → `/users/{id}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

const STATUS_TEXT: Record<number, string> = {
  400: 'bad input',
  401: 'no valid token',
  403: 'not allowed',
  404: 'not found',
  409: 'conflict',
  413: 'body too large',
  415: 'not JSON',
  426: 'not a WebSocket upgrade',
  429: 'over a rate limit; Retry-After says when to try again',
  500: 'a bug; the message carries the request id',
  503: 'a dependency is not answering; try again',
};

function toRouteConfig(spec: RouteSpec): RouteConfig {
  const { response } = spec;
  const responses: RouteConfig['responses'] = {};
  for (const [status, codes] of Object.entries(routeErrors(spec))) {
    responses[status] = {
      description: `${STATUS_TEXT[Number(status)] ?? 'error'}: ${codes.join(', ')}`,
      content: { 'application/json': { schema: errorBodySchema(codes) } },
    };
  }
  for (const status of [response.status ?? 200, ...(response.alsoStatuses ?? [])]) {
    responses[status] = {
      description: response.description,
      ...(response.body && { content: { [response.contentType ?? 'application/json']: { schema: response.body } } }),
      ...(response.headers && {
        headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])),
      }),
    };
  }
  const loggedIn: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cookieAuth: [] }];
  // `{}` in the list: calling without credentials is allowed too.
  const security = { required: loggedIn, optional: [...loggedIn, {}], none: undefined }[spec.auth];
  return {
    method: spec.method,
    path: openApiPath(spec.path),
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    ...(security && { security }),
    request: {
      params: spec.params,
      query: spec.query,
      headers: spec.headers,
      // A body whose every field may be left out may itself be left out (express reads none as `{}`).
      ...(spec.body && { body: { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: spec.body } } } }),
      ...(spec.form && { body: { required: true, content: { 'multipart/form-data': { schema: spec.form } } } }),
    },
    responses,
  };
}

export interface OpenApiOptions {
  title: string;
  description: string;
  version: string;
  specs: readonly RouteSpec[];
  /** Schemas named in the document beyond those of the routes, such as the WebSocket frames. */
  components?: Record<string, z.ZodType>;
}

export function openApiDocument(options: OpenApiOptions): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) registry.registerComponent('securitySchemes', name, scheme);
  for (const [name, schema] of Object.entries(options.components ?? {})) registry.register(name, schema);
  for (const spec of options.specs) registry.registerPath(toRouteConfig(spec));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
  });
}
