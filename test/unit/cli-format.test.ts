/** The CLI's pure formatting: money, tables, views, and the exit codes scripts rely on. */
import { CommanderError, InvalidArgumentError } from 'commander';
import { ConflictError, NotFoundError, RejectedError, ValidationError } from '../../client/errors';
import type { SubscriptionView } from '../../common/subscription/model';
import {
  describeError,
  errorDocument,
  exitCodeFor,
  formatCents,
  formatForecast,
  formatInvoices,
  formatPayout,
  formatSubscription,
  formatTransfer,
  formatTransferList,
  merchantTimeZone,
  renderDetails,
  renderTable,
  TemporalUnavailableError,
  UsageError,
} from '../../cli/format';

describe('formatCents', () => {
  it.each([
    [5990, 'R$ 59,90'],
    [0, 'R$ 0,00'],
    [5, 'R$ 0,05'],
    [100, 'R$ 1,00'],
    [123456, 'R$ 1.234,56'],
    [100_000_000_00, 'R$ 100.000.000,00'],
    [-1, '-R$ 0,01'],
    [-123456789, '-R$ 1.234.567,89'],
    // Beyond float-friendly magnitudes: still exact (Intl formats the decimal string, not a float).
    [Number.MAX_SAFE_INTEGER, 'R$ 90.071.992.547.409,91'],
  ])('%d cents is %s', (cents, expected) => {
    expect(formatCents(cents)).toBe(expected);
  });

  it('refuses fractional cents instead of rounding them', () => {
    expect(() => formatCents(59.9)).toThrow(RangeError);
    expect(() => formatCents(Number.NaN)).toThrow(RangeError);
  });
});

describe('renderTable', () => {
  it('aligns columns by their widest cell, right-aligns money, shows "-" for missing values', () => {
    const rows = [
      { id: 'sub-1', customer: 'João', amount: 5990 },
      { id: 'subscription-22', customer: undefined, amount: 123456 },
    ];
    const table = renderTable<(typeof rows)[number]>(
      [
        { header: 'Id', value: (r) => r.id },
        { header: 'Customer', value: (r) => r.customer },
        { header: 'Amount', value: (r) => formatCents(r.amount), align: 'right' },
      ],
      rows,
    );
    expect(table.split('\n')).toEqual([
      'ID               CUSTOMER       AMOUNT',
      'sub-1            João         R$ 59,90',
      'subscription-22  -         R$ 1.234,56',
    ]);
  });

  it('keeps one row a line even when a value has line breaks', () => {
    expect(renderTable([{ header: 'Note', value: (r: string) => r }], ['a\nb'])).toBe('NOTE\na b');
  });

  it('renders a header alone for no rows', () => {
    expect(renderTable([{ header: 'Id', value: (r: string) => r }], [])).toBe('ID');
  });
});

describe('renderDetails and views', () => {
  it('pads labels and leaves out undefined values', () => {
    expect(
      renderDetails([
        ['Status', 'active'],
        ['Next charge', undefined],
        ['Amount', 'R$ 1,00'],
      ]),
    ).toBe('Status  active\nAmount  R$ 1,00');
  });

  it('shows a subscription with money, provider statuses and the payment method', () => {
    const view: SubscriptionView = {
      subscriptionId: 'sub-1',
      customerId: 'acme',
      planId: 'gold',
      amountCents: 5990,
      status: 'past_due',
      providerStatus: { zspay: 4, adiq: 'Active' },
      paymentMethod: { type: 'zspay_card', zspayClientId: '42', cardId: 'card-7' },
      nextChargeDate: '2025-07-01',
      cancelAtPeriodEnd: false,
      dunning: { cycle: 2, failures: 1, nextRetryDate: '2025-07-03' },
      delivery: {
        pending: 2,
        failing: 1,
        lastError: 'sub-1-3: ConfigurationError: No merchant webhook secret configured for acme',
        givenUp: 0,
      },
      ignoredPaymentNotices: 0,
      summary: 'Retrying',
    };
    const text = formatSubscription(view);
    expect(text).toContain('Amount          R$ 59,90');
    expect(text).toContain('Status          past_due (Zspay 4, Adiq Active)');
    expect(text).toContain('Payment method  Zspay card card-7 (client 42)');
    expect(text).toContain('Next charge     01/07/2025');
    expect(text).toContain('Dunning         cycle 2, 1 failed, next retry 03/07/2025');
    expect(text).not.toContain('Cancels');
    expect(text).not.toContain('Charge held');
    const held = formatSubscription({
      ...view,
      chargeHold: {
        cycle: 2,
        reason: 'ProviderAuth: 401',
        since: '2025-07-01T12:00:00.000Z',
        holds: 1,
        retryAt: '2025-07-01T13:00:00.000Z',
      },
    });
    // Instants in the merchant's zone (São Paulo by default), never UTC.
    expect(held).toContain(
      'Charge held     charge held since 01/07/2025 09:00 BRT (ProviderAuth: 401), next try 01/07/2025 10:00 BRT',
    );
    expect(
      formatSubscription(
        { ...view, chargeInFlight: { cycle: 2, reference: 'sub-1-2-1', since: '2025-07-01T12:00:00.000Z' } },
        'America/Manaus',
      ),
    ).toContain('Charging        cycle 2 since 01/07/2025 08:00 AMT (sub-1-2-1)');
  });

  it('shows invoices with totals', () => {
    const text = formatInvoices({
      invoices: [
        {
          cycle: 1,
          kind: 'recurring',
          amountCents: 5990,
          dueDate: '2025-06-01',
          status: 'paid',
          attempts: [],
          paidAt: '2025-06-01T12:00:00Z',
        },
      ],
      summary: { archivedCount: 0, archivedPaidCents: 0, paidCount: 1, paidCents: 5990, failedAttempts: 0 },
    });
    expect(text).toMatch(/^CYCLE +KIND +AMOUNT +DUE/);
    expect(text).toContain('Paid: 1 (R$ 59,90); failed attempts: 0');
    expect(text.split('\n')[1]).toMatch(/ 01\/06\/2025 +paid +0 +- +01\/06\/2025 09:00 BRT$/);
  });

  it('shows the amount before discount, the discount and the adjustments once an invoice has them', () => {
    const text = formatInvoices({
      invoices: [
        { cycle: 1, kind: 'recurring', amountCents: 5990, dueDate: '2025-06-01', status: 'paid', attempts: [] },
        {
          cycle: 2,
          kind: 'recurring',
          amountCents: 7391,
          baseAmountCents: 5990,
          discount: { code: 'WELCOME10', amountCents: 599 },
          lines: [
            { kind: 'proration_credit', amountCents: -1000, description: 'credit' },
            { kind: 'proration_charge', amountCents: 3000, description: 'charge' },
          ],
          dueDate: '2025-07-01',
          status: 'open',
          attempts: [],
        },
      ],
      summary: { archivedCount: 0, archivedPaidCents: 0, paidCount: 1, paidCents: 5990, failedAttempts: 0 },
    });
    expect(text).toMatch(/^CYCLE +KIND +BASE +DISCOUNT +ADJUSTMENTS +AMOUNT +DUE/);
    expect(text.split('\n')[1]).toMatch(/^ +1 +recurring +R\$ 59,90 +R\$ 59,90 /);
    expect(text.split('\n')[2]).toMatch(/^ +2 +recurring +R\$ 59,90 +-R\$ 5,99 +R\$ 20,00 +R\$ 73,91 /);
  });

  it('shows a coupon and the adjustments waiting for the next invoice', () => {
    const view = {
      subscriptionId: 's',
      customerId: 'c',
      planId: 'gold',
      amountCents: 5990,
      status: 'active',
      providerStatus: { zspay: 3, adiq: 'Active' },
      paymentMethod: { type: 'zspay_card', zspayClientId: '1', cardId: '2' },
      cancelAtPeriodEnd: false,
      coupon: { code: 'WELCOME10', terms: '10% off for 2 cycles', cyclesLeft: 1 },
      nextInvoiceAdjustmentCents: 2000,
      delivery: { pending: 0, failing: 0, givenUp: 0 },
      ignoredPaymentNotices: 0,
      summary: '',
    } satisfies SubscriptionView;
    const text = formatSubscription(view);
    expect(text).toContain('Coupon          WELCOME10: 10% off for 2 cycles, 1 cycle(s) left');
    expect(text).toContain('Next invoice    +R$ 20,00 of adjustments (proration, carried balance)');
  });
});

describe('exit codes and error documents', () => {
  const validation = new ValidationError(
    [
      { field: 'customerId', message: 'customerId is required' },
      { field: 'plan.amountCents', message: 'amountCents must be greater than zero' },
    ],
    'subscription',
  );

  it.each([
    ['ValidationError', 2, 'validation', validation],
    ['UsageError', 2, 'usage', new UsageError('bad flags')],
    ['a commander usage error', 2, 'usage', new InvalidArgumentError('must be a number')],
    ['NotFoundError', 3, 'not_found', new NotFoundError('No subscription x')],
    ['ConflictError', 4, 'conflict', new ConflictError('exists')],
    ['RejectedError', 5, 'rejected', new RejectedError('no failed invoice')],
    ['TemporalUnavailableError', 1, 'unavailable', new TemporalUnavailableError('no server')],
    ['any other error', 1, 'error', new Error('boom')],
    ['a thrown non-error', 1, 'error', 'boom'],
  ])('%s exits %d as type %s', (_name, code, type, error) => {
    expect(exitCodeFor(error)).toBe(code);
    expect(errorDocument(error).error.type).toBe(type);
  });

  it('treats --help and --version (commander exits with 0) as success', () => {
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
  });

  it('lists each field and its reason, for people and in the JSON document', () => {
    expect(describeError(validation)).toBe(
      [
        'error: Invalid subscription',
        '  customerId: customerId is required',
        '  plan.amountCents: amountCents must be greater than zero',
      ].join('\n'),
    );
    expect(errorDocument(validation)).toEqual({
      error: { type: 'validation', message: validation.message, issues: validation.issues },
    });
    expect(errorDocument(new NotFoundError('No subscription x'))).toEqual({
      error: { type: 'not_found', message: 'No subscription x' },
    });
  });

  it("drops commander's terminal prefix from the JSON message", () => {
    const error = new CommanderError(1, 'commander.missingArgument', "error: missing required argument 'id'");
    expect(errorDocument(error).error.message).toBe("missing required argument 'id'");
  });
});

describe('transfers, payouts and dates in human output', () => {
  it('reads the merchant zone from MERCHANT_TIMEZONE, São Paulo when unset or not a zone', () => {
    expect(merchantTimeZone({ MERCHANT_TIMEZONE: 'America/Manaus' })).toBe('America/Manaus');
    expect(merchantTimeZone({})).toBe('America/Sao_Paulo');
    expect(merchantTimeZone({ MERCHANT_TIMEZONE: 'Mars/Olympus' })).toBe('America/Sao_Paulo');
  });

  it('shows forecast dates the Brazilian way', () => {
    const text = formatForecast({
      charges: [{ cycle: 3, date: '2026-01-05', amountCents: 5990 }],
      retries: ['2026-01-07'],
    });
    expect(text).toMatch(/^ +3 +05\/01\/2026 +R\$ 59,90$/m);
    expect(text).toContain('Retries: 07/01/2026');
  });

  it('shows a transfer with money, dates in the merchant zone and its history', () => {
    const text = formatTransfer({
      transferId: 't-1',
      state: 'waiting_for_balance',
      amountCents: 123456,
      destination: { type: 'bank_account', bankAccountId: '27' },
      executeOn: '2026-12-01',
      executeAt: '09:00',
      scheduledAt: '2026-12-01T12:00:00.000Z',
      reason: 'R$ 10,00 short',
      history: [{ at: '2026-12-01T12:00:05.000Z', state: 'waiting_for_balance', note: 'R$ 10,00 short' }],
    });
    expect(text).toMatch(/^State +waiting for balance$/m);
    expect(text).toMatch(/^Amount +R\$ 1\.234,56$/m);
    expect(text).toMatch(/^To +bank account 27$/m);
    expect(text).toMatch(/^Executes +01\/12\/2026 09:00$/m);
    expect(text).toMatch(/^Scheduled at +01\/12\/2026 09:00 BRT$/m);
    expect(text).toMatch(/^01\/12\/2026 09:00 BRT +waiting for balance +R\$ 10,00 short$/m);
    expect(formatTransferList([])).toBe('No transfers found.');
    expect(
      formatTransferList([{ transferId: 't-1', state: 'scheduled', scheduledAt: '2026-12-01T12:00:00.000Z' }]),
    ).toMatch(/^t-1 +scheduled +- +01\/12\/2026 09:00 BRT$/m);
  });

  it('shows a payout with its input and next runs', () => {
    const text = formatPayout({
      payoutId: 'store-9',
      scheduleId: 'payout-store-9',
      paused: false,
      nextRuns: ['2026-12-04T21:00:00.000Z'],
      recentRuns: [],
      input: {
        payoutId: 'store-9',
        sourceEstablishmentId: '131',
        destination: { type: 'digital_account', establishmentId: '9' },
        weekday: 'FRIDAY',
        at: '18:00',
        timeZone: 'America/Sao_Paulo',
        keepCents: 10000,
        minimumCents: 100,
      },
    });
    expect(text).toMatch(/^When +every friday at 18:00 \(America\/Sao_Paulo\)$/m);
    expect(text).toMatch(/^Keeps +R\$ 100,00$/m);
    expect(text).toMatch(/^Next runs +04\/12\/2026 18:00 BRT$/m);
  });
});
