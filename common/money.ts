/**
 * The one human-facing format for money and dates (CLI output, API human strings, memos, views,
 * notifications, summaries): pt-BR as the platform's Intl writes it, money as "R$ 1.234,56",
 * calendar dates as "01/12/2026", instants as "01/12/2026 06:14 BRT" in the merchant's time zone.
 *
 * Workflow code imports this module (no zod, no I/O). formatBRL's output is stored in histories
 * (memos, views, notification payloads), so it never changes: an ordinary space after "R$" (Intl
 * writes a no-break space), "-R$ 1,00" for negatives. Machine fields (JSON) keep ISO dates.
 */

/** The merchant's zone when none is configured (MERCHANT_TIMEZONE). */
export const DEFAULT_MERCHANT_TIME_ZONE = 'America/Sao_Paulo';

const LOCALE = 'pt-BR';

/**
 * Integer cents as Brazilian reais: 123456 → "R$ 1.234,56", -5 → "-R$ 0,05". Written with string
 * arithmetic rather than Intl: the text is exactly what pt-BR's Intl.NumberFormat writes (with an
 * ordinary space; test/unit/human-format.test.ts compares the two), but every workflow run
 * instantiates this module anew, and building an Intl formatter costs more than a run's formatting.
 */
export function formatBRL(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const reais = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, '.');
  return `${cents < 0 ? '-' : ''}R$ ${reais},${digits.slice(-2)}`;
}

/** A calendar date (YYYY-MM-DD, a date with no zone) as "01/12/2026" (pt-BR's order); anything else as given. */
export function formatDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  return `${match[3]}/${match[2]}/${match[1]}`;
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
