/**
 * Cheap structural checks for workflow inputs, without zod: every module of the workflow bundle is
 * instantiated again for each cached workflow, and zod with the engine's schemas costs over a MiB
 * each. The client, the HTTP API and activities validate in full with the zod schemas; workflows
 * check what a caller bypassing them could send (`temporal workflow start` by hand) and fill in the
 * schemas' defaults. Property tests keep each check in step with its schema.
 */
import { isCalendarDate, isTimeZone } from './billing/calendar';

export type Problems = string[];
export type Fields = Record<string, unknown>;

export const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const BUSINESS_ID = /^[A-Za-z0-9._:-]+$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Collects field problems, each as "field: message". */
export class Check {
  readonly problems: Problems = [];

  constructor(private readonly prefix = '') {}

  private add(field: string, message: string): void {
    const name = `${this.prefix}${field}`;
    this.problems.push(`${name}: ${name} ${message}`);
  }

  id(field: string, value: unknown, max = 64): this {
    if (typeof value !== 'string' || value.length === 0) this.add(field, 'is required');
    else if (value.length > max || !BUSINESS_ID.test(value))
      this.add(field, `may contain only letters, digits and . _ : - (at most ${max})`);
    return this;
  }

  whole(field: string, value: unknown, min: number, max: number, optional = false): this {
    if (value === undefined && optional) return this;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      this.add(field, `must be a whole number from ${min} to ${max}`);
    return this;
  }

  date(field: string, value: unknown, optional = false): this {
    if (value === undefined && optional) return this;
    if (typeof value !== 'string' || !isCalendarDate(value)) this.add(field, 'must be a real date as YYYY-MM-DD');
    return this;
  }

  time(field: string, value: unknown, optional = false): this {
    if (value === undefined && optional) return this;
    if (typeof value !== 'string' || !LOCAL_TIME.test(value)) this.add(field, 'must be a local time as HH:MM');
    return this;
  }

  timeZone(field: string, value: unknown, optional = true): this {
    if (value === undefined && optional) return this;
    if (typeof value !== 'string' || !isTimeZone(value))
      this.add(field, 'must be an IANA time zone, e.g. America/Sao_Paulo');
    return this;
  }

  text(field: string, value: unknown, max: number, optional = false): this {
    if (value === undefined && optional) return this;
    if (typeof value !== 'string' || value.length === 0 || value.length > max)
      this.add(field, `must be text of 1 to ${max} characters`);
    return this;
  }

  oneOf(field: string, value: unknown, allowed: readonly unknown[]): this {
    if (!allowed.includes(value)) this.add(field, `must be one of ${allowed.join(', ')}`);
    return this;
  }

  that(field: string, ok: boolean, message: string): this {
    if (!ok) this.add(field, message);
    return this;
  }

  merge(problems: Problems): this {
    this.problems.push(...problems);
    return this;
  }
}

/** The value's own fields over the defaults, skipping fields left undefined. */
export function withDefaults<T extends Fields>(defaults: T, value: Fields): T {
  return { ...defaults, ...Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) };
}

/** Only the fields a schema knows, as zod keeps them (unknown fields are dropped, not carried). */
export function known(value: Fields, keys: readonly string[]): Fields {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]));
}
