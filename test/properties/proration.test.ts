/**
 * Properties of the proration and discount arithmetic: exact integer cents, shares of any split of
 * a cycle add up to the whole, the credit and the charge never exceed their prices and each differs
 * from the exact fraction by less than a cent, in the customer's favour.
 */
import fc from 'fast-check';
import { addDays, addMonths, daysBetween } from '../../common/billing/calendar';
import { discountCents, prorate, shareRoundedDown, shareRoundedUp } from '../../common/billing/proration';
import { nextStep } from '../../common/subscription/machine';
import { apply, decide, paid, subscription } from '../helpers/machine';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const amount = fc.integer({ min: 0, max: 100_000_000_00 });
/** A monthly cycle anchored on any day 1..31 of a month in 2020..2030 (short months and leap Februaries). */
const cycle = fc
  .record({
    year: fc.integer({ min: 2020, max: 2030 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => {
    const anchor = `${year}-${String(month).padStart(2, '0')}-01`;
    const start = addMonths(anchor, 0, day);
    return { start, end: addMonths(start, 1, day) };
  });

describe('proration properties', () => {
  it('credit <= old, charge <= new, each within a cent of the exact fraction, in the customer’s favour', () => {
    fc.assert(
      fc.property(amount, amount, cycle, fc.nat(), (oldAmountCents, newAmountCents, { start, end }, pick) => {
        const days = daysBetween(start, end);
        const changeDate = addDays(start, pick % days);
        const p = prorate({ oldAmountCents, newAmountCents, periodStart: start, periodEnd: end, changeDate });
        expect(p.periodDays).toBe(days);
        expect(p.usedDays + p.unusedDays).toBe(days);
        expect(p.creditCents).toBeGreaterThanOrEqual(0);
        expect(p.creditCents).toBeLessThanOrEqual(oldAmountCents);
        expect(p.chargeCents).toBeGreaterThanOrEqual(0);
        expect(p.chargeCents).toBeLessThanOrEqual(newAmountCents);
        // Exact comparisons in BigInt: credit ≥ exact > credit - 1; charge ≤ exact < charge + 1.
        const exactCredit = BigInt(oldAmountCents) * BigInt(p.unusedDays);
        const exactCharge = BigInt(newAmountCents) * BigInt(p.unusedDays);
        const t = BigInt(days);
        expect(BigInt(p.creditCents) * t >= exactCredit).toBe(true);
        expect(BigInt(p.creditCents - 1) * t < exactCredit).toBe(true);
        expect(BigInt(p.chargeCents) * t <= exactCharge).toBe(true);
        expect(BigInt(p.chargeCents + 1) * t > exactCharge).toBe(true);
        expect(p.netCents).toBe(p.chargeCents - p.creditCents);
      }),
      { numRuns: RUNS },
    );
  });

  it('the shares of any split of a cycle add up to the whole amount, to the cent', () => {
    fc.assert(
      fc.property(
        amount,
        fc.integer({ min: 1, max: 3660 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (total, days, cuts) => {
          const points = [...new Set([0, days, ...cuts.map((c) => c % (days + 1))])].sort((a, b) => a - b);
          let up = 0;
          let down = 0;
          for (let i = 1; i < points.length; i += 1) {
            const from = points[i - 1]!;
            const to = points[i]!;
            const a = shareRoundedUp(total, from, to, days);
            const b = shareRoundedDown(total, from, to, days);
            expect(a).toBeGreaterThanOrEqual(0);
            expect(b).toBeGreaterThanOrEqual(0);
            up += a;
            down += b;
          }
          expect(up).toBe(total);
          expect(down).toBe(total);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the used and unused parts of a change add up to each price', () => {
    fc.assert(
      fc.property(amount, amount, cycle, fc.nat(), (oldAmountCents, newAmountCents, { start, end }, pick) => {
        const days = daysBetween(start, end);
        const used = pick % days;
        const p = prorate({
          oldAmountCents,
          newAmountCents,
          periodStart: start,
          periodEnd: end,
          changeDate: addDays(start, used),
        });
        expect(shareRoundedUp(oldAmountCents, 0, used, days) + p.creditCents).toBe(oldAmountCents);
        expect(shareRoundedDown(newAmountCents, 0, used, days) + p.chargeCents).toBe(newAmountCents);
      }),
      { numRuns: RUNS },
    );
  });

  it('a discount is never negative and never more than the base', () => {
    fc.assert(
      fc.property(
        amount,
        fc.oneof(
          fc.integer({ min: 1, max: 100 }).map((percentOff) => ({ percentOff })),
          fc.integer({ min: 1, max: 100_000_000_00 }).map((amountOffCents) => ({ amountOffCents })),
        ),
        (base, coupon) => {
          const d = discountCents(coupon, base);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(base);
          if ('percentOff' in coupon) {
            // rounded up: d ≥ exact > d - 1
            expect(BigInt(d) * 100n >= BigInt(base) * BigInt(coupon.percentOff)).toBe(true);
            expect(BigInt(d - 1) * 100n < BigInt(base) * BigInt(coupon.percentOff)).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('pricing through the machine', () => {
  /**
   * Random subscriptions (card or boleto, any amount, with or without a coupon) billed for a few
   * cycles, with prorated plan changes on random days (`next_invoice`, or `now` for a card: its
   * proration invoice charged at once): no invoice is ever charged below zero, no boleto is issued
   * under R$ 5,00, and every cent is accounted for — what was charged plus what is still carried
   * equals the bases less the discounts plus the proration lines.
   */
  it('never charges below zero or a boleto under the minimum, and loses no cent', () => {
    fc.assert(
      fc.property(
        fc.record({
          amountCents: fc.integer({ min: 500, max: 50_000 }),
          boleto: fc.boolean(),
          coupon: fc.option(
            fc.record({
              code: fc.constant('C'),
              percentOff: fc.integer({ min: 1, max: 100 }),
              cycles: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
            }),
            { nil: undefined },
          ),
          anchorDay: fc.integer({ min: 1, max: 31 }),
          changes: fc.array(
            fc.option(
              fc.record({
                day: fc.nat(),
                amountCents: fc.integer({ min: 500, max: 50_000 }),
                now: fc.boolean(),
              }),
              {
                nil: undefined,
              },
            ),
            { minLength: 1, maxLength: 6 },
          ),
        }),
        ({ amountCents, boleto, coupon, anchorDay, changes }) => {
          const startDate = addMonths('2027-01-01', 0, anchorDay);
          let state = subscription(
            { amountCents, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
            {
              startDate,
              ...(coupon ? { coupon } : {}),
              ...(boleto ? { paymentMethod: { type: 'zspay_boleto', zspayClientId: 'c' } } : {}),
            },
            startDate,
          );
          let prorationCents = 0;
          for (const change of changes) {
            const step = nextStep(state);
            if (step.kind !== 'charge') throw new Error(step.kind);
            state = apply(state, { type: 'chargeStarted', cycle: step.cycle }, step.date).state;
            if (state.charge) {
              const reference = state.charge.reference;
              state = apply(
                state,
                { type: 'chargeSettled', cycle: step.cycle, outcome: paid(reference) },
                step.date,
              ).state;
            }
            if (!change) continue;
            // A prorated change on a random day of the cycle just paid.
            const end = nextStep(state);
            if (end.kind !== 'charge') continue;
            const day = addDays(step.date, change.day % daysBetween(step.date, end.date));
            const event = {
              type: 'changePlan' as const,
              plan: { ...state.plan, planId: `p${change.amountCents}`, amountCents: change.amountCents },
              proration: change.now && !boleto ? ('now' as const) : ('next_invoice' as const),
            };
            const decision = decide(state, event, day);
            expect(decision.answer).toBe('applied');
            if (decision.answer !== 'applied') continue;
            const before = (state.adjustments ?? []).length;
            state = decision.state;
            prorationCents += (state.adjustments ?? []).slice(before).reduce((sum, line) => sum + line.amountCents, 0);
            // `now`: a positive difference is its own invoice (the same lines), charged at once.
            const due = state.invoices.find((i) => i.kind === 'proration' && i.status === 'open');
            if (!due) continue;
            expect(due.amountCents).toBeGreaterThan(0);
            prorationCents += (due.lines ?? []).reduce((sum, line) => sum + line.amountCents, 0);
            expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: due.cycle, date: day });
            state = apply(state, { type: 'chargeStarted', cycle: due.cycle }, day).state;
            expect(state.charge?.amountCents).toBe(due.amountCents);
            state = apply(
              state,
              { type: 'chargeSettled', cycle: due.cycle, outcome: paid(state.charge!.reference) },
              day,
            ).state;
          }
          const recurring = state.invoices.filter((i) => i.kind === 'recurring' || i.kind === 'proration');
          for (const invoice of recurring) {
            expect(invoice.amountCents).toBeGreaterThanOrEqual(0);
            if (boleto && invoice.amountCents > 0) expect(invoice.amountCents).toBeGreaterThanOrEqual(500);
            expect(invoice.status).toBe('paid');
          }
          const charged = recurring.reduce((sum, i) => sum + i.amountCents, 0);
          const owed = recurring.reduce(
            (sum, i) => sum + (i.baseAmountCents ?? i.amountCents) - (i.discount?.amountCents ?? 0),
            0,
          );
          const carried = (state.adjustments ?? [])
            .filter((line) => line.kind === 'carried_in')
            .reduce((sum, line) => sum + line.amountCents, 0);
          const pendingProration = (state.adjustments ?? [])
            .filter((line) => line.kind !== 'carried_in')
            .reduce((sum, line) => sum + line.amountCents, 0);
          // Every proration cent was either charged/credited on an invoice or still waits for one.
          expect(charged + carried + pendingProration).toBe(owed + prorationCents);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
