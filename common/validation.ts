/**
 * Input validation shared by the client, the HTTP API and the workflows: one zod schema per
 * input, and one error type that lists every field with its reason.
 */
import { z } from 'zod';
import { isCalendarDate, isTimeZone } from './billing/calendar';
import { FailureType } from './failure-types';

export { isCalendarDate, isTimeZone };

export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends Error {
  override readonly name = FailureType.ValidationError;
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

/** An IANA time zone, America/Sao_Paulo by default. */
export function timeZoneSchema(field = 'timeZone') {
  return z
    .string()
    .refine(isTimeZone, `${field} must be an IANA time zone, e.g. America/Sao_Paulo`)
    .default('America/Sao_Paulo');
}

/** A real calendar date as YYYY-MM-DD (2026-02-30 and 0000-00-00 are refused). */
export const calendarDateSchema = (field: string) =>
  z
    .string({ message: `${field} is required` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a date as YYYY-MM-DD`)
    .refine((value) => isCalendarDate(value), `${field} is not a real calendar date`);

/** How many items a list returns: 1 to 1000, refused outside (never silently clamped). */
export const listLimitSchema = z
  .number({ error: 'limit must be a number' })
  .int('limit must be a whole number')
  .min(1, 'limit must be between 1 and 1000')
  .max(1000, 'limit must be between 1 and 1000');
