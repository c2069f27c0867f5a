/**
 * One way to declare a provider route. Every route of the sandbox takes the same steps, in this
 * order, so a handler holds only what the provider does:
 *
 *   1. authorize   the provider's credentials check, answered in its own shape (401...): in the
 *                  route's onRequest hook (`authorizeOnRequest`: before the body is read and before
 *                  the rate limit, as limits are per API client) or first in the handler
 *   2. body        with `bodyFirst`, the body parsed now: a bad body (400) uses up no scripted outcome
 *   3. take        the scripted outcome for `operation` and `keys`, which marks the request in the log
 *   4. refuse      an answer that comes before any scripted outcome applies (a route switched off)
 *   5. 'before'    latency, 5xx, 429, 401, a timeout before anything happened
 *   6. find        what the path names, or the provider's not-found answer
 *   7. body        otherwise, the body parsed now (400)
 *   8. handler     answers an error itself, or returns `afterEffect(send)` once the operation took
 *                  effect: the scripted 'after' phase (an answer lost or garbled after the effect)
 *                  runs first, and `send` (webhooks, then the answer) only if it did not stop there.
 *
 * Path parameters are typed from the path (`/planos/:planoId` gives `params.planoId`) and converted
 * once per provider (Zspay's numeric ids); the query is a record of strings.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ProviderName } from '../providers/errors';
import type { SandboxContext } from './server';
import type { ScriptedOutcome } from './state';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Readonly<Record<string, string | undefined>>;
/** What a scripted rule's `match` is compared with (client id, card id, order number...). */
export type OutcomeKey = string | number | undefined;
type Answered = FastifyReply | Promise<FastifyReply>;

type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<Rest>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;
export type PathParams<Path extends string, Value> = { readonly [Name in ParamNames<Path>]: Value };

/** The request as the steps before the handler see it. */
export interface RouteRequest<Path extends string, Param, Auth, Body> {
  readonly request: FastifyRequest;
  readonly params: PathParams<Path, Param>;
  readonly query: Query;
  /** The raw body's fields, unchecked ({} when the body is not a JSON object). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** What `authorize` answered (the token's merchant...). */
  readonly auth: Auth;
  /** The parsed body with `bodyFirst`, undefined before the body is parsed. */
  readonly body: Body | undefined;
}

export interface RouteInput<Path extends string, Param, Auth, Body, Found> extends Omit<
  RouteRequest<Path, Param, Auth, Body>,
  'body'
> {
  readonly reply: FastifyReply;
  readonly outcome: ScriptedOutcome;
  /** The body parsed by the route's schema (the raw body when the route has none). */
  readonly body: Body;
  /** What `find` found. */
  readonly found: Found;
  /** Parses the body with another schema: undefined after answering 400 when it does not fit. */
  parse: <S extends z.ZodType>(schema: S) => Promise<z.output<S> | undefined>;
}

export interface RouteSpec<Path extends string, Param, Auth, Missing, Body, Found> {
  /** The sandbox's operation name, which scripted rules select (e.g. 'zspay.sale.capture'). */
  operation: string | ((request: RouteRequest<Path, Param, Auth, Body>) => string);
  /** The values a rule's `match` may name; none by default. */
  keys?: (request: RouteRequest<Path, Param, Auth, Body>) => OutcomeKey[];
  body?: z.ZodType<Body>;
  /** Parse the body before taking the outcome (step 2) instead of after `find` (step 7). */
  bodyFirst?: boolean;
  refuse?: (request: RouteRequest<Path, Param, Auth, Body>, reply: FastifyReply) => Answered | undefined;
  find?: { load: (request: RouteRequest<Path, Param, Auth, Body>) => Found | undefined; missing: Missing };
}

/** What a handler returns once the operation took effect (see step 8). */
export class AfterEffect {
  constructor(readonly send: () => Answered) {}
}
export const afterEffect = (send: () => Answered): AfterEffect => new AfterEffect(send);

export type RouteHandler<Path extends string, Param, Auth, Body, Found> = (
  input: RouteInput<Path, Param, Auth, Body, Found>,
) => Promise<FastifyReply | AfterEffect>;

/** What differs from one provider to another. */
export interface ProviderRouting<Param, Auth, Missing> {
  provider: ProviderName;
  /** A path parameter as the routes see it (Zspay: a numeric id, or undefined). */
  param: (raw: string | undefined) => Param;
  /** The caller's identity, or undefined after answering (401...). */
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<Auth | undefined>;
  /** Run `authorize` in the onRequest hook (before the body and the rate limit) rather than in the handler. */
  authorizeOnRequest?: boolean;
  /** The answer to a body that does not fit its schema (needed by routes that have one). */
  invalid?: (reply: FastifyReply, error: z.ZodError) => Answered;
  /** The answer when `find` finds nothing. */
  notFound?: (reply: FastifyReply, missing: Missing) => Answered;
  /** What an absent body is parsed as (Zspay: {}). */
  emptyBody?: unknown;
  /** Each route's `bodyFirst` unless it says otherwise. */
  bodyFirst?: boolean;
}

/** A JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A raw body field as a scripted-outcome key: its text when it is a string or number, else ''. */
export const keyText = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/** A repeated query key (`?a=1&a=2`) reads as the values joined by commas. */
const queryOf = (query: unknown): Query =>
  isRecord(query)
    ? Object.fromEntries(
        Object.entries(query).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.map(String).join(',') : stringOrUndefined(value),
        ]),
      )
    : {};

/** Declares one route of a provider (see the steps above). */
export type Route<Param, Auth, Missing> = <Path extends string, Body = unknown, Found = undefined>(
  method: Method,
  path: Path,
  spec: RouteSpec<Path, Param, Auth, Missing, Body, Found>,
  handler: RouteHandler<Path, Param, Auth, Body, Found>,
) => void;

/** The `route` function of one provider's plugin. */
export function providerRoutes<Param, Auth, Missing = never>(
  app: FastifyInstance,
  ctx: SandboxContext,
  routing: ProviderRouting<Param, Auth, Missing>,
): Route<Param, Auth, Missing> {
  const authorized = new WeakMap<FastifyRequest, Auth>();

  return function route<Path extends string, Body = unknown, Found = undefined>(
    method: Method,
    path: Path,
    spec: RouteSpec<Path, Param, Auth, Missing, Body, Found>,
    handler: RouteHandler<Path, Param, Auth, Body, Found>,
  ): void {
    const names = [...path.matchAll(/:(\w+)/g)].flatMap((match) => match.slice(1));
    const bodyFirst = spec.bodyFirst ?? routing.bodyFirst ?? false;

    app.route({
      method,
      url: path,
      ...(routing.authorizeOnRequest
        ? {
            onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
              const auth = await routing.authorize(request, reply);
              if (auth === undefined) return reply;
              authorized.set(request, auth);
            },
          }
        : {}),
      handler: async (request, reply) => {
        const auth = routing.authorizeOnRequest ? authorized.get(request) : await routing.authorize(request, reply);
        if (auth === undefined) return reply;
        const raw = isRecord(request.params) ? request.params : {};
        // The one place the params' type is asserted: `names` are the path's own parameters.
        const params = Object.fromEntries(
          names.map((name) => [name, routing.param(stringOrUndefined(raw[name]))]),
        ) as PathParams<Path, Param>;
        const base = {
          request,
          params,
          query: queryOf(request.query),
          fields: isRecord(request.body) ? request.body : {},
          auth,
        };
        const parse = async <S extends z.ZodType>(schema: S): Promise<z.output<S> | undefined> => {
          const parsed = schema.safeParse(request.body ?? routing.emptyBody);
          if (parsed.success) return parsed.data;
          if (!routing.invalid)
            throw new Error(`sandbox: ${routing.provider} routes have no answer to an invalid body`);
          await routing.invalid(reply, parsed.error);
          return undefined;
        };

        let body: Body | undefined;
        if (spec.body && bodyFirst) {
          body = await parse(spec.body);
          if (body === undefined) return reply;
        }
        const early: RouteRequest<Path, Param, Auth, Body> = { ...base, body };
        const operation = typeof spec.operation === 'string' ? spec.operation : spec.operation(early);
        const outcome = ctx.take(request, routing.provider, operation, spec.keys?.(early) ?? []);
        const refused = spec.refuse?.(early, reply);
        if (refused) return refused;
        if (await ctx.interrupt(reply, outcome, 'before')) return reply;

        const found = spec.find?.load(early);
        if (spec.find && found === undefined) {
          if (!routing.notFound) throw new Error(`sandbox: ${routing.provider} routes have no not-found answer`);
          return routing.notFound(reply, spec.find.missing);
        }
        if (spec.body && !bodyFirst) {
          body = await parse(spec.body);
          if (body === undefined) return reply;
        }
        const result = await handler({
          ...base,
          reply,
          outcome,
          body: spec.body ? body : request.body,
          found,
          parse,
        } as RouteInput<Path, Param, Auth, Body, Found>);
        if (!(result instanceof AfterEffect)) return result;
        if (await ctx.interrupt(reply, outcome, 'after')) return reply;
        return result.send();
      },
    });
  };
}
