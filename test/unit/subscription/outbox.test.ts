import {
  deliverable,
  deliveryBackoffMs,
  deliveryFailed,
  DELIVERY_WINDOW_MS,
  enqueue,
  nextRetryAt,
} from '../../../common/subscription/outbox';
import { ctx, subscription } from '../../helpers/machine';

const at = (iso: string) => Date.parse(iso);

describe('the outbox of side effects', () => {
  const withEffects = () =>
    enqueue(
      subscription(),
      [
        { kind: 'partner', status: 'inadimplente' },
        { kind: 'notify', type: 'payment.failed', data: {} },
        { kind: 'partner', status: 'adimplente' },
        { kind: 'notify', type: 'payment.succeeded', data: {} },
      ],
      ctx('2026-01-01'),
    );

  it('numbers notifications in order and delivers partner statuses one at a time, in order', () => {
    const state = withEffects();
    expect(state.outbox.map((e) => e.notification?.sequence ?? e.effect.kind)).toEqual(['partner', 1, 'partner', 2]);
    const now = at('2026-01-01T12:00:00Z');
    expect(deliverable(state.outbox, now, new Set()).map((e) => e.id)).toEqual([
      'sub-1-partner-1',
      'sub-1-1',
      'sub-1-2',
    ]);
    // The second partner status waits for the first, even while the first is in flight.
    expect(deliverable(state.outbox, now, new Set(['sub-1-partner-1'])).map((e) => e.id)).toEqual([
      'sub-1-1',
      'sub-1-2',
    ]);
  });

  it('waits for a failed entry’s retry time, and never for an entry held behind one in flight (no busy wake-ups)', () => {
    let state = withEffects();
    const failedAt = ctx('2026-01-01', '12:00:00');
    state = deliveryFailed(state, 'sub-1-partner-1', 'HTTP 503', failedAt);
    state = deliveryFailed(state, 'sub-1-partner-2', 'HTTP 503', failedAt);
    const retryAt = failedAt.nowMs + deliveryBackoffMs(1);
    expect(nextRetryAt(state.outbox, failedAt.nowMs, new Set())).toBe(retryAt);
    // Past its retry time the first partner status is sent; the one behind it (its own retry time
    // already past) must not ask to be woken at a past instant while the first is in flight.
    const later = retryAt + 60_000;
    expect(deliverable(state.outbox, later, new Set()).map((e) => e.id)).toContain('sub-1-partner-1');
    expect(nextRetryAt(state.outbox, later, new Set(['sub-1-partner-1']))).toBeUndefined();
  });

  it('backs off from 10 s doubling to an hour, and gives a notification up after three days, counting it', () => {
    expect([1, 2, 3, 9, 10, 30].map(deliveryBackoffMs)).toEqual([
      10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000,
    ]);
    let state = withEffects();
    const start = ctx('2026-01-01');
    state = deliveryFailed(state, 'sub-1-1', 'HTTP 500', start);
    expect(state.outbox.find((e) => e.id === 'sub-1-1')).toMatchObject({ attempts: 1, lastError: 'HTTP 500' });
    const expired = {
      now: new Date(start.nowMs + DELIVERY_WINDOW_MS).toISOString(),
      nowMs: start.nowMs + DELIVERY_WINDOW_MS,
    };
    state = deliveryFailed(state, 'sub-1-1', 'HTTP 500', expired);
    expect(state.outbox.some((e) => e.id === 'sub-1-1')).toBe(false);
    expect(state.delivery).toMatchObject({
      givenUp: 1,
      lastGivenUp: { id: 'sub-1-1', kind: 'notify', error: 'HTTP 500' },
    });
  });
});
