/**
 * Hostile input against every input schema: whatever arrives, a schema either accepts it or
 * rejects it with issues that each name a field; and corrupting one field of a valid input is
 * rejected naming that very field.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { completeResellerPaymentInputSchema } from '../../common/reseller-payment';
import { changePlanArgsSchema, createSubscriptionInputSchema } from '../../common/subscription/input';
import { cancelArgsSchema, changeNextChargeDateArgsSchema, extendGraceArgsSchema, linkExternalPaymentArgsSchema, paymentReceivedSchema } from '../../common/subscription/operations';
import { recurringPayoutInputSchema, scheduleTransferInputSchema } from '../../common/transfer';
import { fieldIssues } from '../../common/validation';

const validSubscription = {
  subscriptionId: 'acme-42',
  customerId: 'acme',
  plan: { planId: 'gold', amountCents: 5990, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
  paymentMethod: { type: 'zspay_card', zspayClientId: '1569', cardId: '12345' },
};
const validTransfer = {
  transferId: 't-1',
  sourceEstablishmentId: '131',
  destination: { type: 'bank_account', bankAccountId: '27' },
  amountCents: 1000,
  description: 'Payout',
  executeOn: '2026-12-01',
};
const validReseller = { resellerId: 1, paymentId: 6475, paymentMethodId: 2, confirmation: { mode: 'confirmed', providerReference: 'x' } };

const SCHEMAS: Array<[string, z.ZodType, Record<string, unknown>]> = [
  ['createSubscriptionInput', createSubscriptionInputSchema, validSubscription],
  ['scheduleTransferInput', scheduleTransferInputSchema, validTransfer],
  ['completeResellerPaymentInput', completeResellerPaymentInputSchema, validReseller],
  ['recurringPayoutInput', recurringPayoutInputSchema, { payoutId: 'p', sourceEstablishmentId: '131', destination: { type: 'digital_account', establishmentId: '9' }, weekday: 'FRIDAY' }],
  ['cancelArgs', cancelArgsSchema, { atPeriodEnd: true }],
  ['changeNextChargeDateArgs', changeNextChargeDateArgsSchema, { date: '2026-12-01' }],
  ['extendGraceArgs', extendGraceArgsSchema, { days: 3 }],
  ['linkExternalPaymentArgs', linkExternalPaymentArgsSchema, { cycle: 1, payment: { paymentId: 'p', trustSeed: 's', trustValue: 'v', altTrustValue: 'a' } }],
  ['changePlanArgs', changePlanArgsSchema, { plan: validSubscription.plan }],
  ['paymentReceived', paymentReceivedSchema, { saleId: '2401' }],
];

/** Values that are wrong for any field: wrong types, empty, absurd numbers, injection strings. */
const garbage = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant(-1),
  fc.constant(0.5),
  fc.constant(Number.MAX_SAFE_INTEGER * 4),
  fc.constant([]),
  fc.constant({}),
  fc.constant("' OR 1=1 --"),
  fc.constant('x'.repeat(5000)),
  fc.boolean(),
);

describe.each(SCHEMAS)('%s', (_name, schema, valid) => {
  it('accepts its valid example', () => {
    expect(schema.safeParse(valid).success).toBe(true);
  });

  it('rejects anything malformed with issues that each name a field', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = schema.safeParse(value);
        if (result.success) return;
        const issues = fieldIssues(result.error);
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) {
          expect(issue.field.length).toBeGreaterThan(0);
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names the corrupted field when one field of a valid input is corrupted', () => {
    const fields = Object.keys(valid);
    fc.assert(
      fc.property(fc.constantFrom(...fields), garbage, (field, value) => {
        const result = schema.safeParse({ ...valid, [field]: value });
        if (result.success) return; // e.g. an optional or open field that accepts it
        expect(fieldIssues(result.error).some((issue) => issue.field === field || issue.field.startsWith(`${field}.`))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
