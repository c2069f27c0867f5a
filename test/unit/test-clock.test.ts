import { clockTarget, parseClockSpec, startClockAt } from '../../scripts/test-clock';

const at = (iso: string) => Date.parse(iso);

describe('test clock (BILLING_TEST_CLOCK): where a time-skipping server starts', () => {
  it('parses a time of day, a month end and a local date-time, and names the format when wrong', () => {
    expect(parseClockSpec('23:30')).toEqual({ kind: 'time', hour: 23, minute: 30 });
    expect(parseClockSpec('month-end@00:30')).toEqual({ kind: 'month-end', hour: 0, minute: 30 });
    expect(parseClockSpec('2028-02-29T23:30')).toEqual({ kind: 'at', date: '2028-02-29', hour: 23, minute: 30 });
    for (const wrong of ['24:00', '9:30', 'noon', 'month-end@25:00', '2027-02-29T10:00', '2027-13-01T10:00']) {
      expect(() => parseClockSpec(wrong)).toThrow(
        /BILLING_TEST_CLOCK must be HH:MM, month-end@HH:MM or YYYY-MM-DDTHH:MM/,
      );
    }
  });

  it('moves to the next occurrence of a São Paulo wall time, today or tomorrow', () => {
    const now = at('2026-12-01T03:18:00Z'); // 00:18 in São Paulo
    expect(new Date(clockTarget(parseClockSpec('00:30'), now)).toISOString()).toBe('2026-12-01T03:30:00.000Z');
    expect(new Date(clockTarget(parseClockSpec('23:30'), now)).toISOString()).toBe('2026-12-02T02:30:00.000Z');
    expect(new Date(clockTarget(parseClockSpec('00:18'), now)).toISOString()).toBe('2026-12-02T03:18:00.000Z');
  });

  it("moves to the next month's last day, leap years included", () => {
    expect(new Date(clockTarget(parseClockSpec('month-end@23:30'), at('2026-12-01T03:18:00Z'))).toISOString()).toBe(
      '2027-01-01T02:30:00.000Z',
    );
    // Already past 23:30 on the 31st: the next month's end.
    expect(new Date(clockTarget(parseClockSpec('month-end@23:30'), at('2027-01-01T02:45:00Z'))).toISOString()).toBe(
      '2027-02-01T02:30:00.000Z',
    );
    expect(new Date(clockTarget(parseClockSpec('month-end@12:00'), at('2028-02-10T12:00:00Z'))).toISOString()).toBe(
      '2028-02-29T15:00:00.000Z',
    );
  });

  it('refuses a local date-time in the past: a clock only moves forward', () => {
    expect(() => clockTarget(parseClockSpec('2026-11-30T23:00'), at('2026-12-01T03:18:00Z'))).toThrow(
      'lies in the past',
    );
    expect(new Date(clockTarget(parseClockSpec('2027-02-28T23:30'), at('2026-12-01T03:18:00Z'))).toISOString()).toBe(
      '2027-03-01T02:30:00.000Z',
    );
  });

  it("skips an environment's clock forward to the target", async () => {
    let now = at('2026-12-01T03:18:00Z');
    const env = { currentTimeMs: async () => now, sleep: async (ms: number) => void (now += ms) };
    expect(new Date(await startClockAt(env, parseClockSpec('23:30'))).toISOString()).toBe('2026-12-02T02:30:00.000Z');
    const stuck = { currentTimeMs: async () => at('2026-12-01T03:18:00Z'), sleep: async () => undefined };
    await expect(startClockAt(stuck, parseClockSpec('23:30'))).rejects.toThrow('did not move');
  });
});
