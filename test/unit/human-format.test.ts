/**
 * One human format for money and dates (common/money.ts): pt-BR through Intl. formatBRL's text is
 * stored in workflow histories (memos, views, notifications), so it must stay byte for byte what
 * the string-math formatter it replaced wrote: a recorded history then replays unchanged.
 */
import { formatBRL, formatDate, formatDateTime } from '../../common/money';

/** The formatter formatBRL replaced, verbatim: the text recorded histories hold. */
function recordedFormatBRL(cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const reais = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, '.');
  return `${cents < 0 ? '-' : ''}R$ ${reais},${digits.slice(-2)}`;
}

describe('formatBRL', () => {
  it.each([
    [0, 'R$ 0,00'],
    [5, 'R$ 0,05'],
    [500, 'R$ 5,00'],
    [5990, 'R$ 59,90'],
    [123456, 'R$ 1.234,56'],
    [-1505, '-R$ 15,05'],
    [10_000_000_000, 'R$ 100.000.000,00'],
    [Number.MAX_SAFE_INTEGER, 'R$ 90.071.992.547.409,91'],
  ])('%p → %p (an ordinary space, as histories recorded it)', (cents, text) => {
    expect(formatBRL(cents)).toBe(text);
    expect(formatBRL(cents)).not.toContain('\u00a0');
  });

  it('writes exactly what recorded histories hold, for any amount', () => {
    const amounts = [-999_999, -1, 1, 99, 100, 101, 999_999, 1_000_000, 123_456_789, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 2000; i++) amounts.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))) * (i % 7 ? 1 : -1));
    for (const cents of amounts) expect(formatBRL(cents)).toBe(recordedFormatBRL(cents));
  });

  it('refuses a fraction of a cent', () => {
    expect(() => formatBRL(1.5)).toThrow(RangeError);
    expect(() => formatBRL(Number.NaN)).toThrow(RangeError);
  });
});

describe('dates', () => {
  it('writes calendar dates the Brazilian way, whatever the zone', () => {
    expect(formatDate('2026-12-01')).toBe('01/12/2026');
    expect(formatDate('2024-02-29')).toBe('29/02/2024');
    expect(formatDate('not a date')).toBe('not a date');
  });

  it("writes instants in the merchant's zone, São Paulo by default, with the zone's name", () => {
    expect(formatDateTime('2026-12-01T02:30:00Z')).toBe('30/11/2026 23:30 BRT');
    expect(formatDateTime(Date.parse('2026-12-01T12:00:00Z'), 'America/Manaus')).toBe('01/12/2026 08:00 AMT');
    expect(formatDateTime('2026-07-01T12:00:00Z', 'Europe/Lisbon')).toBe('01/07/2026 13:00 GMT+1');
    expect(formatDateTime(new Date('2026-12-01T12:00:00Z'), 'UTC')).toBe('01/12/2026 12:00 UTC');
    expect(formatDateTime('garbage')).toBe('garbage');
  });
});
