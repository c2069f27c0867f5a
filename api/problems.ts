/**
 * Errors as RFC 9457 problem documents, with per-field errors for validation the way the payment
 * status API answers its 400s (`errors: { field: [messages] }`).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ConflictError, NotFoundError, RejectedError, ValidationError } from '../client/errors';
import { fieldIssues } from '../common/validation';
import { redactWebhookPath } from './redaction';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The request path it is about (never with a webhook secret in it). */
  instance?: string;
  errors?: Record<string, string[]>;
}

const PROBLEM_BASE = 'https://billing-engine.dev/problems';

/** The standard reason phrases of the 4xx statuses the API answers with. */
const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
};

export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? (status < 500 ? 'Client Error' : 'Internal error');
}

export function problemFor(error: unknown): Problem {
  if (error instanceof z.ZodError) return problemFor(new ValidationError(fieldIssues(error), 'request'));
  if (error instanceof ValidationError) {
    const errors: Record<string, string[]> = {};
    for (const issue of error.issues) (errors[issue.field] ??= []).push(issue.message);
    return {
      type: `${PROBLEM_BASE}/validation`,
      title: 'One or more validation errors occurred.',
      status: 400,
      detail: error.message,
      errors,
    };
  }
  if (error instanceof NotFoundError)
    return { type: `${PROBLEM_BASE}/not-found`, title: 'Not found', status: 404, detail: error.message };
  if (error instanceof ConflictError)
    return { type: `${PROBLEM_BASE}/conflict`, title: 'Conflict', status: 409, detail: error.message };
  if (error instanceof RejectedError) {
    return {
      type: `${PROBLEM_BASE}/rejected`,
      title: 'Rejected in the current state',
      status: 422,
      detail: error.message,
    };
  }
  // Fastify's own client errors (a body that is not JSON, an unsupported media type, too large)
  // keep their status, with a message that never echoes the request.
  const fastify = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const status = fastify.statusCode;
    return { type: 'about:blank', title: statusTitle(status), status, detail: fastifyDetail(fastify) };
  }
  return { type: `${PROBLEM_BASE}/internal`, title: 'Internal error', status: 500 };
}

function fastifyDetail(error: { code?: unknown; message?: unknown }): string {
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The body is empty but Content-Type is application/json: send a JSON document or no Content-Type.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Send the body as application/json.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The body is too large.';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The Content-Length header does not match the body.';
    default:
      // JSON.parse's own message ("Unexpected token } in JSON at position 12") names no request data.
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
        return `The body is not valid JSON: ${String(error.message)}`;
      return typeof error.message === 'string' ? error.message : 'The request is malformed.';
  }
}

/**
 * A query string checked with a zod schema: a malformed value is a ValidationError naming the
 * parameter (a 400 problem document with field-level messages), never a 500.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: `${key} is not a query parameter of this route` }))
      : [{ field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)', message: issue.message }],
  );
  throw new ValidationError(issues, 'query');
}

/** One query parameter given once, as text (a repeated parameter is refused by name). */
export const queryText = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be given once`) });

/** A whole number in [min, max] given as a query parameter. */
export function queryInteger(field: string, min: number, max: number) {
  return queryText(field)
    .regex(/^\d+$/, `${field} must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `${field} must be between ${min} and ${max}`)
        .max(max, `${field} must be between ${min} and ${max}`),
    );
}

/** One of a fixed set of values given as a query parameter. */
export function queryEnum<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return queryText(field).pipe(z.enum(values, { error: `${field} must be one of ${values.join(', ')}` }));
}

/** A strict query object: an unknown parameter is named and refused (a typo never widens a list). */
export const querySchema = <Shape extends z.ZodRawShape>(shape: Shape) => z.strictObject(shape);

/** Sends a problem document. A webhook path in its texts loses its secret segment, whoever built them. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  const safe: Problem = {
    ...problem,
    title: redactWebhookPath(problem.title),
    ...(problem.detail === undefined ? {} : { detail: redactWebhookPath(problem.detail) }),
    ...(problem.instance === undefined ? {} : { instance: redactWebhookPath(problem.instance) }),
  };
  return reply.code(safe.status).header('Content-Type', 'application/problem+json').send(safe);
}
