/**
 * Routes declared once, with their zod schemas: the same declaration mounts the Express handler
 * (which parses its input with those schemas) and describes the route in the service's OpenAPI
 * document. Documentation and validation cannot drift apart, because they are one object.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AuthMiddleware } from './auth-middleware.js';
import { parseInput } from './validation.js';

/** Who may call a route: anyone, anyone (a token, when sent, must be valid), or a logged-in user. */
export type RouteAuth = 'none' | 'optional' | 'required';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Schema = z.ZodType | undefined;
/** Parameters (path, query, headers) are objects of named values. */
type Fields = z.ZodObject | undefined;
type Infer<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/** The success answer of a route. */
export interface RouteResponse {
  /** 200 when omitted. */
  status?: number;
  description: string;
  /** The body's schema; none for a bodiless answer (204, 101). */
  body?: z.ZodType;
  /** application/json when omitted. */
  contentType?: string;
  /** Other statuses answered with the same body, such as /readyz's 503. */
  alsoStatuses?: number[];
  /** Headers the answer carries, by name, with what they mean. */
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends Fields = Fields, Q extends Fields = Fields, B extends Schema = Schema, H extends Fields = Fields> {
  method: HttpMethod;
  /** Express form: `/users/:id`. */
  path: string;
  /** The group the route is listed under in the reference. */
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * A `multipart/form-data` body instead of JSON (an upload): its fields, for the document only,
   * since the handler reads the stream itself. Such a route is exempt from the JSON-only rule.
   */
  form?: z.ZodObject;
  /** Request headers, keyed by the name the API gives them (`Idempotency-Key`); matched case-insensitively. */
  headers?: H;
  response: RouteResponse;
  /**
   * The errors this route answers on purpose, as status → codes, besides those every route of
   * its kind answers (bad input, no token, an outage: see `commonErrors`).
   */
  errors?: Record<number, string[]>;
}

export interface RouteInput<P extends Fields, Q extends Fields, B extends Schema, H extends Fields> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  headers: Infer<H>;
}

/**
 * Answers the route: the value returned is sent as JSON with the spec's status. A route whose
 * answer has no body returns nothing; a handler that answers itself (a page, a file) returns
 * nothing too, and the route leaves the response to it.
 */
export type RouteHandler<P extends Fields, Q extends Fields, B extends Schema, H extends Fields> = (
  input: RouteInput<P, Q, B, H>,
  req: Request,
  res: Response,
) => unknown;

/** Parses one part of the request with its schema; a part without one is undefined. */
const parsed = <S extends Schema>(schema: S, value: unknown, what: string) =>
  (schema === undefined ? undefined : parseInput(schema, value, what)) as Infer<S>;

/** The request's values of the headers `names`, under those names. */
const headerValues = (req: Request, names: string[]) => Object.fromEntries(names.map((name) => [name, req.get(name)]));

/** The declared routes of one part of a service: an Express router and the specs behind it. */
export class ApiRoutes {
  readonly router = Router();
  readonly specs: RouteSpec[] = [];

  /** @param auth needed as soon as one route is not `auth: 'none'`. */
  constructor(private readonly auth?: AuthMiddleware) {}

  add<P extends Fields, Q extends Fields, B extends Schema, H extends Fields>(
    spec: RouteSpec<P, Q, B, H>,
    handler: RouteHandler<P, Q, B, H>,
  ): this {
    this.specs.push(spec);
    const status = spec.response.status ?? 200;
    const answer: RequestHandler = async (req, res) => {
      const input: RouteInput<P, Q, B, H> = {
        params: parsed(spec.params as P, req.params, 'params'),
        query: parsed(spec.query as Q, req.query, 'query'),
        body: parsed(spec.body as B, req.body, 'body'),
        headers: parsed(spec.headers as H, spec.headers && headerValues(req, Object.keys(spec.headers.shape)), 'headers'),
      };
      const body = await handler(input, req, res);
      if (body !== undefined) res.status(status).json(body);
      else if (!spec.response.body) res.status(status).end();
    };
    this.router[spec.method](spec.path, ...this.authFor(spec), answer);
    return this;
  }

  private authFor(spec: RouteSpec): RequestHandler[] {
    if (spec.auth === 'none') return [];
    if (!this.auth) throw new Error(`${spec.method.toUpperCase()} ${spec.path} needs auth, and no AuthMiddleware was given`);
    return [spec.auth === 'required' ? this.auth.requireAuth : this.auth.optionalAuth];
  }
}
