/**
 * Input validation shared by the client, the HTTP API and the workflows: one zod schema per
 * input, and one error type that lists every field with its reason.
 */
import type { z } from 'zod';

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
