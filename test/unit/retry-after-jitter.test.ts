import { retryAfterWithJitter } from '../../activities/provider-failure';

describe("the provider's Retry-After, with jitter", () => {
  it('never comes back earlier than the provider asked, nor later than half again', () => {
    expect(retryAfterWithJitter(2000, () => 0)).toBe(2000);
    expect(retryAfterWithJitter(2000, () => 0.999999)).toBe(3000);
    expect(retryAfterWithJitter(2000, () => 0.5)).toBe(2500);
  });

  it('spreads callers refused together', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => retryAfterWithJitter(1000, () => i / 50)));
    expect(delays.size).toBe(50);
  });
});
