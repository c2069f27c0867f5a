/**
 * The one human-facing format for money and dates (CLI output, API human strings, memos, views,
 * notifications, summaries): pt-BR through the platform's Intl, money as "R$ 1.234,56", calendar
 * dates as "01/12/2026", instants as "01/12/2026 06:14 BRT" in the merchant's time zone.
 *
 * Workflow code imports this module (no zod, no I/O): Intl is deterministic in the workflow
 * sandbox. formatBRL's output is stored in histories (memos, views, notification payloads), so it
 * is exactly what it was before it used Intl: an ordinary space after "R$" (Intl writes a
 * no-break space), "-R$ 1,00" for negatives. Machine fields (JSON) keep ISO dates.
 */

/** The merchant's zone when none is configured (MERCHANT_TIMEZONE). */
export const DEFAULT_MERCHANT_TIME_ZONE = 'America/Sao_Paulo';

const LOCALE = 'pt-BR';
const brl = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'BRL' });

/** Integer cents as Brazilian reais: 123456 → "R$ 1.234,56", -5 → "-R$ 0,05". */
export function formatBRL(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
  // As a decimal string, so no amount goes through floating point (Intl formats strings exactly).
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const decimal = `${cents < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return brl.format(decimal as unknown as number).replace(/\s/gu, ' ');
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, {
  timeZone: 'UTC',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** A calendar date (YYYY-MM-DD, a date with no zone) as "01/12/2026"; anything else as given. */
export function formatDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  return dateFormat.format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE, {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    dateTimeFormats.set(timeZone, format);
  }
  return format;
}

/**
 * An instant (ISO string, epoch milliseconds or Date) in the merchant's zone: "01/12/2026 06:14 BRT".
 * An unreadable value is returned as given (as text).
 */
export function formatDateTime(instant: string | number | Date, timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  const at = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(at.getTime())) return String(instant);
  const parts = Object.fromEntries(
    dateTimeFormat(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`.replace(
    /\s/gu,
    ' ',
  );
}
