/**
 * Open enums for provider answers: providers add statuses without notice, and a new value must not
 * make a whole answer unreadable. The schema accepts the known values plus any other string
 * (branded, so code can still narrow on the known ones); `knownOrUnknown` folds the rest to 'unknown'.
 */
import { z } from 'zod';

export function openEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.union([z.enum(values), z.string().brand<'UnknownEnumValue'>()]);
}

/** The value when it is one of `values`, otherwise 'unknown' (keep the raw value alongside for logs). */
export function knownOrUnknown<const T extends readonly string[]>(values: T, value: string): T[number] | 'unknown' {
  return (values as readonly string[]).includes(value) ? value : 'unknown';
}
