/**
 * Errors as RFC 9457 problem documents, with per-field errors for validation the way the payment
 * status API answers its 400s (`errors: { field: [messages] }`).
 */
import type { FastifyReply } from 'fastify';
import { ConflictError, NotFoundError, RejectedError, ValidationError } from '../client/errors';
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

export function problemFor(error: unknown): Problem {
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
  return { type: `${PROBLEM_BASE}/internal`, title: 'Internal error', status: 500 };
}

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
