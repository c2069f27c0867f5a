/**
 * Every request body is checked by its zod schema before it leaves: a bad request is our bug or bad
 * input, reported as InvalidRequestError with one field error per problem, and never sent.
 */
import type { z } from 'zod';
import { InvalidRequestError, type FieldError, type ProviderName } from './errors';

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

export function validateRequest<S extends z.ZodType>(provider: ProviderName, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fieldErrors = zodFieldErrors(parsed.error);
  throw new InvalidRequestError(
    `${provider} request not sent, it is invalid: ${fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    { provider, fieldErrors },
  );
}
