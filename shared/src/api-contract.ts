/**
 * Test support that holds a service to its OpenAPI document: every route the app serves is in the
 * document, and an answer matches the schema the document gives for its route and status. The
 * answers are checked against the served document itself (with Ajv, JSON Schema 2020-12, as
 * OpenAPI 3.1 uses), not against the zod schemas it was generated from.
 */
import type { Express } from 'express';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openApiPath } from './http/openapi.js';

/** `GET /users/{id}`: a route as the document names it. */
export type RouteKey = string;

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

interface StackLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

/** Every route the Express app serves, as the document would name it. */
export function servedRoutes(app: Express): RouteKey[] {
  const routes: RouteKey[] = [];
  const walk = (stack: StackLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${openApiPath(layer.route.path)}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack);
  return routes;
}

export function documentedRoutes(document: OpenApiDocument): RouteKey[] {
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * The document with every object schema closed (`additionalProperties: false` where it says
 * nothing), so an answer carrying a field the document does not mention (a leaked column, say)
 * fails the check. The document itself leaves objects open, so clients tolerate new fields.
 */
function closeObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(closeObjects);
  if (typeof value !== 'object' || value === null) return value;
  const copy = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, closeObjects(inner)]));
  if (copy.type === 'object' && copy.properties !== undefined && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

/** Checks answers against one service's document. */
export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

  constructor(private readonly document: OpenApiDocument) {
    this.ajv.addSchema(closeObjects(document) as object, 'openapi');
  }

  /**
   * Throws unless `status` is documented for `route` and `body` matches its JSON schema.
   * @param route as the document names it: `GET /users/{id}`.
   */
  check(route: RouteKey, status: number, body: unknown, contentType = 'application/json'): void {
    const [method = '', path = ''] = route.split(' ');
    const response = this.document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    if (!response) throw new Error(`${route} answered ${status}, which its documentation does not list`);
    const media = Object.keys(response.content ?? {})[0];
    if (media === undefined) {
      if (body !== undefined && body !== '') throw new Error(`${route} ${status} has a body, and its documentation none`);
      return;
    }
    // A documented `image/*` takes any image type.
    const documentedType = media.endsWith('/*') ? media.slice(0, -1) : media;
    if (media !== '*/*' && !contentType.startsWith(documentedType)) throw new Error(`${route} ${status} answered ${contentType}, documented ${media}`);
    if (media !== 'application/json') return;
    const ref = `openapi#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', media, 'schema')}`;
    const validate = this.ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema at ${ref}`);
    if (!validate(body)) throw new Error(`${route} ${status} does not match its documentation: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}

/** An answer as a test saw it. */
export interface SeenAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** For each documented route, the requests that exercise it: at least its success, often an error too. */
export type RouteCalls = Record<RouteKey, () => Promise<SeenAnswer | SeenAnswer[]>>;

/**
 * The whole contract of one service: the routes it serves are exactly those it documents,
 * `calls` exercises every one of them, and each answer matches the document. Throws on the first
 * breach, naming the route.
 */
export async function checkContract(baseUrl: string, app: Express, calls: RouteCalls): Promise<void> {
  const served = await fetch(`${baseUrl}/openapi.json`);
  if (served.status !== 200) throw new Error(`GET /openapi.json answered ${served.status}: ${await served.text()}`);
  const document = (await served.json()) as OpenApiDocument;
  const documented = documentedRoutes(document).sort();
  const routes = [...new Set(servedRoutes(app))].sort();
  const missing = (from: string[], what: string[]) => from.filter((route) => !what.includes(route));
  if (missing(routes, documented).length > 0) throw new Error(`served but not documented: ${missing(routes, documented).join(', ')}`);
  if (missing(documented, routes).length > 0) throw new Error(`documented but not served: ${missing(documented, routes).join(', ')}`);
  const called = Object.keys(calls).sort();
  if (missing(documented, called).length > 0) throw new Error(`documented routes no call exercises: ${missing(documented, called).join(', ')}`);
  if (missing(called, documented).length > 0) throw new Error(`calls of routes not documented: ${missing(called, documented).join(', ')}`);

  const checker = new ContractChecker(document);
  for (const route of called) {
    const answers = await calls[route]!();
    for (const answer of Array.isArray(answers) ? answers : [answers]) {
      checker.check(route, answer.status, answer.body, answer.headers.get('content-type') ?? '');
    }
  }
}
