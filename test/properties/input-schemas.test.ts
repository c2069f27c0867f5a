/**
 * Hostile input against every input schema: whatever arrives, a schema either accepts it or
 * rejects it with issues that each name a field; and corrupting one field of a valid input is
 * rejected naming that very field.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { completeResellerPaymentInputSchema } from '../../common/reseller-payment';
import { changePlanArgsSchema, createSubscriptionInputSchema } from '../../common/subscription/input';
import {
  applyCouponArgsSchema,
  cancelArgsSchema,
  changeNextChargeDateArgsSchema,
  extendGraceArgsSchema,
  linkExternalPaymentArgsSchema,
  paymentReceivedSchema,
} from '../../common/subscription/operations';
import { recurringPayoutInputSchema, scheduleTransferInputSchema } from '../../common/transfer';
import { fieldIssues } from '../../common/validation';
import { checkSubscriptionInput } from '../../common/subscription/checks';
import { checkPayoutInput, checkTransferInput } from '../../common/transfer-rules';
import { checkResellerPaymentInput } from '../../common/reseller-payment-rules';

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
const validReseller = {
  resellerId: 1,
  paymentId: 6475,
  paymentMethodId: 2,
  confirmation: { mode: 'confirmed', providerReference: 'x' },
};

const SCHEMAS: Array<[string, z.ZodType, Record<string, unknown>]> = [
  ['createSubscriptionInput', createSubscriptionInputSchema, validSubscription],
  ['scheduleTransferInput', scheduleTransferInputSchema, validTransfer],
  ['completeResellerPaymentInput', completeResellerPaymentInputSchema, validReseller],
  [
    'recurringPayoutInput',
    recurringPayoutInputSchema,
    {
      payoutId: 'p',
      sourceEstablishmentId: '131',
      destination: { type: 'digital_account', establishmentId: '9' },
      weekday: 'FRIDAY',
    },
  ],
  ['cancelArgs', cancelArgsSchema, { atPeriodEnd: true }],
  ['changeNextChargeDateArgs', changeNextChargeDateArgsSchema, { date: '2026-12-01' }],
  ['extendGraceArgs', extendGraceArgsSchema, { days: 3 }],
  [
    'linkExternalPaymentArgs',
    linkExternalPaymentArgsSchema,
    { cycle: 1, payment: { paymentId: 'p', trustSeed: 's', trustValue: 'v', altTrustValue: 'a' } },
  ],
  ['changePlanArgs', changePlanArgsSchema, { plan: validSubscription.plan }],
  ['changePlanArgs (prorated)', changePlanArgsSchema, { plan: validSubscription.plan, proration: 'next_invoice' }],
  ['changePlanArgs (prorated now)', changePlanArgsSchema, { plan: validSubscription.plan, proration: 'now' }],
  ['applyCouponArgs', applyCouponArgsSchema, { coupon: { code: 'WELCOME10', percentOff: 10, cycles: 2 } }],
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
        expect(
          fieldIssues(result.error).some((issue) => issue.field === field || issue.field.startsWith(`${field}.`)),
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the limits that would have stopped the incidents', () => {
  const withPlan = (plan: Record<string, unknown>) => ({
    ...validSubscription,
    plan: { ...validSubscription.plan, ...plan },
  });
  const fields = (input: unknown) => {
    const result = createSubscriptionInputSchema.safeParse(input);
    return result.success ? [] : fieldIssues(result.error).map((i) => i.field);
  };

  it('bounds the setup fee like the amount, and the duration', () => {
    expect(fields(withPlan({ setupAmountCents: 9007199254740991 }))).toEqual(['plan.setupAmountCents']);
    expect(fields(withPlan({ setupAmountCents: 100_000_000_00 }))).toEqual([]);
    expect(fields(withPlan({ durationMonths: 1201 }))).toEqual(['plan.durationMonths']);
  });

  it('takes only real calendar dates', () => {
    for (const date of ['2026-02-30', '0000-00-00', '2026-13-01', '1899-12-31']) {
      expect(fields(withPlan({ expiresAt: date }))).toEqual(['plan.expiresAt']);
      expect(fields({ ...validSubscription, startDate: date })).toEqual(['startDate']);
    }
    expect(fields(withPlan({ expiresAt: '2028-02-29' }))).toEqual([]);
  });

  it('takes only http(s) merchant callbacks', () => {
    for (const callbackUrl of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'gopher://x.example/',
      'ftp://x.example/',
    ]) {
      expect(fields({ ...validSubscription, merchant: { callbackUrl, secretRef: 'acme' } })).toEqual([
        'merchant.callbackUrl',
      ]);
    }
    expect(
      fields({ ...validSubscription, merchant: { callbackUrl: 'https://acme.example/hooks', secretRef: 'acme' } }),
    ).toEqual([]);
  });

  it('bounds back-billing', () => {
    expect(fields({ ...validSubscription, startDate: '2020-01-01', backBillCycles: 13 })).toEqual(['backBillCycles']);
    expect(fields({ ...validSubscription, startDate: '2020-01-01', backBillCycles: 12 })).toEqual([]);
  });
});

describe("the workflows' cheap checks (no zod in workflow code) agree with the schemas", () => {
  const anyValue = fc.oneof(fc.anything(), fc.constantFrom(undefined, null, '', 0, -1, 1.5, 'x'));
  const nearlyValid = fc.record(
    {
      subscriptionId: fc.oneof(fc.constant('acme-42'), anyValue),
      customerId: fc.oneof(fc.constant('acme'), anyValue),
      plan: fc.oneof(
        fc.record({
          planId: fc.oneof(fc.constant('gold'), anyValue),
          amountCents: fc.oneof(fc.integer({ min: -5, max: 100_000_000_05 }), anyValue),
          recurrence: fc.oneof(
            fc.constant({ kind: 'calendar', frequency: 'monthly', interval: 1 }),
            fc.constant({ kind: 'adiq', planType: 'Custom', interval: 15, installments: 3 }),
            anyValue,
          ),
          attempts: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant(undefined)),
          chargeHourLocal: fc.oneof(fc.integer({ min: -1, max: 24 }), fc.constant(undefined)),
          timeZone: fc.oneof(fc.constantFrom(undefined, 'America/Sao_Paulo', 'Mars/Olympus'), anyValue),
          expiresAt: fc.oneof(fc.constantFrom(undefined, '2027-02-28', '2027-02-30'), anyValue),
        }),
        anyValue,
      ),
      paymentMethod: fc.oneof(
        fc.constant(validSubscription.paymentMethod),
        fc.constant({ type: 'zspay_boleto', zspayClientId: '9' }),
        anyValue,
      ),
      startDate: fc.oneof(fc.constantFrom(undefined, '2026-12-01', '2026-02-30'), anyValue),
    },
    { requiredKeys: ['subscriptionId', 'customerId', 'plan', 'paymentMethod'] },
  );

  it('accepts what the schema accepts, with the same defaults, and never crashes on anything else', () => {
    fc.assert(
      fc.property(nearlyValid, (input) => {
        const zod = createSubscriptionInputSchema.safeParse(input);
        const cheap = checkSubscriptionInput(input);
        if (zod.success) expect(cheap.input?.plan).toEqual(zod.data.plan);
        if (!cheap.input) expect(cheap.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what the schema refuses in the fields that reach a workflow by hand', () => {
    fc.assert(
      fc.property(nearlyValid, (input) => {
        const zod = createSubscriptionInputSchema.safeParse(input);
        const cheap = checkSubscriptionInput(input);
        if (!zod.success && cheap.input) {
          // Only what the full schema checks beyond structure (e.g. string lengths in nested ids) may pass the cheap check.
          const zodFields = fieldIssues(zod.error).map((i) => i.field);
          expect(
            zodFields.every(
              (f) =>
                ![
                  'subscriptionId',
                  'customerId',
                  'plan.amountCents',
                  'plan.attempts',
                  'plan.chargeHourLocal',
                  'plan.timeZone',
                  'plan.expiresAt',
                  'startDate',
                ].includes(f),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("every workflow's cheap check accepts what its schema accepts, with the same defaults", () => {
  const CHECKED: Array<
    [string, z.ZodType, (value: unknown) => { input?: unknown; problems: string[] }, Record<string, unknown>]
  > = [
    ['subscription', createSubscriptionInputSchema, checkSubscriptionInput, validSubscription],
    [
      'subscription with a coupon',
      createSubscriptionInputSchema,
      checkSubscriptionInput,
      { ...validSubscription, coupon: { code: 'WELCOME10', amountOffCents: 500, expiresAt: '2026-12-31' } },
    ],
    ['transfer', scheduleTransferInputSchema, checkTransferInput, validTransfer],
    [
      'payout',
      recurringPayoutInputSchema,
      checkPayoutInput,
      {
        payoutId: 'p',
        sourceEstablishmentId: '131',
        destination: { type: 'digital_account', establishmentId: '9' },
        weekday: 'FRIDAY',
      },
    ],
    ['reseller payment', completeResellerPaymentInputSchema, checkResellerPaymentInput, validReseller],
  ];
  it.each(CHECKED)('%s', (_name, schema, check, valid) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(valid), 'timeZone', 'executeAt', 'insufficientBalance'),
        fc.oneof(garbage, fc.anything()),
        (field, value) => {
          const input = { ...valid, [field]: value };
          const zod = schema.safeParse(input);
          const cheap = check(input);
          if (zod.success) expect(cheap.input).toEqual(zod.data);
          else if (!cheap.input) expect(cheap.problems.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
    expect(check(valid).input).toEqual(schema.parse(valid));
  });
});
