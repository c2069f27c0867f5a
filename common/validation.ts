/**
 * Input validation shared by the client, the HTTP API and the workflows: one zod schema per
 * input, and one error type that lists every field with its reason.
 */
import { z } from 'zod';

export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly issues: FieldIssue[],
    what = 'input',
  ) {
    super(`Invalid ${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** Parses or throws a ValidationError naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldIssues(result.error), what);
  return result.data;
}

/** A business id (subscription, customer, transfer...): it becomes part of workflow ids. */
export function businessIdSchema(field: string, max = 64) {
  return z
    .string({ message: `${field} is required` })
    .min(1, `${field} is required`)
    .max(max, `${field} must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9._:-]+$/, `${field} may contain only letters, digits and . _ : -`);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone, America/Sao_Paulo by default. */
export function timeZoneSchema(field = 'timeZone') {
  return z.string().refine(isTimeZone, `${field} must be an IANA time zone, e.g. America/Sao_Paulo`).default('America/Sao_Paulo');
}
