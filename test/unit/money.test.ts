import { centsToDecimal, centsToReais, reaisToCents } from '../../providers/money';

describe('money', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [99, '0.99'],
    [125, '1.25'],
    [50000, '500.00'],
    [-1505, '-15.05'],
    [123456789012, '1234567890.12'],
  ])('centsToReais(%p) = %p', (cents, text) => {
    expect(centsToReais(cents)).toBe(text);
    expect(reaisToCents(text)).toBe(cents);
  });

  it('pads to any number of decimals (Adiq 6-decimal amounts)', () => {
    expect(centsToDecimal(50000, 6)).toBe('500.000000');
    expect(centsToDecimal(7, 6)).toBe('0.070000');
  });

  it.each([
    ['360.0', 36000],
    ['360', 36000],
    ['1.5', 150],
    ['0.1', 10],
    ['0.29', 29],
    [' 12.34 ', 1234],
    [12, 1200],
    [0.29, 29],
    [1.1, 110],
    [19.99, 1999],
  ])('reaisToCents(%p) = %p exactly (no floating point)', (value, cents) => {
    expect(reaisToCents(value)).toBe(cents);
  });

  it('rejects more than two decimals unless they are zeros and allowed', () => {
    expect(() => reaisToCents('1.005')).toThrow(/more than two decimals/);
    expect(() => reaisToCents('1.000')).toThrow(/more than two decimals/);
    expect(reaisToCents('1.000', { allowTrailingZeros: true })).toBe(100);
    expect(() => reaisToCents('1.001', { allowTrailingZeros: true })).toThrow(/more than two decimals/);
  });

  it.each(['', 'abc', '1,50', '1e3', '.5', '1.2.3', 'NaN'])('rejects %p', (value) => {
    expect(() => reaisToCents(value)).toThrow(RangeError);
  });

  it('rejects non-finite and non-integer cents', () => {
    expect(() => reaisToCents(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => centsToReais(1.5)).toThrow(RangeError);
    expect(() => centsToDecimal(1, 1)).toThrow(RangeError);
  });
});
