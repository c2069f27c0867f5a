/**
 * One human format for money and dates (common/money.ts): pt-BR as the platform's Intl writes it.
 * formatBRL and formatDate are string arithmetic (workflow runs cannot afford an Intl formatter
 * each), checked here against Intl itself; formatBRL's text is stored in workflow histories
 * (memos, views, notifications), so it must also stay byte for byte what they recorded.
 */
import { formatBRL, formatDate, formatDateTime } from '../../common/money';

/** The platform's pt-BR currency format, with an ordinary space for its no-break one. */
const intlBRL = (cents: number) =>
  new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' })
    .format(
      `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}` as unknown as number,
    )
    .replace(/\s/gu, ' ');

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

  it('writes what the platform’s pt-BR Intl writes, for any amount', () => {
    const amounts = [-999_999, -1, 1, 99, 100, 101, 999_999, 1_000_000, 123_456_789, 10 ** 15 - 1];
    for (let i = 0; i < 2000; i++) amounts.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))) * (i % 7 ? 1 : -1));
    for (const cents of amounts) expect({ cents, text: formatBRL(cents) }).toEqual({ cents, text: intlBRL(cents) });
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
    const intl = new Intl.DateTimeFormat('pt-BR', {
      timeZone: 'UTC',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
    });
    for (let day = 0; day < 3000; day += 7) {
      const date = new Date(Date.UTC(2024, 0, 1 + day));
      expect(formatDate(date.toISOString().slice(0, 10))).toBe(intl.format(date));
    }
  });

  it("writes instants in the merchant's zone, São Paulo by default, with the zone's name", () => {
    expect(formatDateTime('2026-12-01T02:30:00Z')).toBe('30/11/2026 23:30 BRT');
    expect(formatDateTime(Date.parse('2026-12-01T12:00:00Z'), 'America/Manaus')).toBe('01/12/2026 08:00 AMT');
    expect(formatDateTime('2026-07-01T12:00:00Z', 'Europe/Lisbon')).toBe('01/07/2026 13:00 GMT+1');
    expect(formatDateTime(new Date('2026-12-01T12:00:00Z'), 'UTC')).toBe('01/12/2026 12:00 UTC');
    expect(formatDateTime('garbage')).toBe('garbage');
  });
});
