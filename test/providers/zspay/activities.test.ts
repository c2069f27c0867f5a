/** Zspay activities in a mock activity context, against the sandbox: exactly-once charging across retries. */
import { ApplicationFailure } from '@temporalio/common';
import { AUTHORIZATION_LOST } from '../../../common/payment-outcome';
import { createZspayPaymentActivities, type ZspayChargeCheckpoint } from '../../../activities/payments/zspay';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, quietActivityEnvironment, rejectionOf } from '../expect-error';
import { customerWithCard, runIn, zspayCharges, zspayClient } from './helpers';

let sandbox: RunningSandbox;
useSandbox((started) => (sandbox = started));

const charges = () => zspayCharges(sandbox);

describe('Zspay payment activities', () => {
  it('charges a stored card: succeeded outcome, one charge', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const outcome = await runIn(quietActivityEnvironment(), activities.chargeStoredCard, {
      reference: 'sub-1:c1:a1',
      amountCents: 4990,
      clientId,
      cardId,
      description: 'Mensalidade',
    });
    expect(outcome).toMatchObject({
      status: 'succeeded',
      amountCents: 4990,
      reference: 'sub-1:c1:a1',
      provider: 'zspay',
      providerStatus: '2',
    });
    expect(JSON.stringify(outcome)).not.toContain('5234');
    expect(await charges()).toHaveLength(1);
  });

  it('releases an authorization that will not be captured: the order is canceled, the card keeps no hold, nothing is charged; a second release is harmless', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const authorization = await runIn(quietActivityEnvironment(), activities.authorizeCard, {
      reference: 'sub-9-1-1',
      amountCents: 4990,
      clientId,
      cardId,
      description: 'x',
    });
    expect(authorization.kind).toBe('to_capture');
    const saleId = (authorization as { saleId: string }).saleId;
    expect(
      await runIn(quietActivityEnvironment(), activities.releaseCardAuthorization, {
        reference: 'sub-9-1-1',
        amountCents: 4990,
        saleId,
      }),
    ).toEqual({ released: true });
    expect(
      await runIn(quietActivityEnvironment(), activities.releaseCardAuthorization, {
        reference: 'sub-9-1-1',
        amountCents: 4990,
        saleId,
      }),
    ).toEqual({ released: true });
    expect((await zspay.getSale(saleId)).status).toBe('canceled');
    expect(await runIn(quietActivityEnvironment(), activities.saleSettlement, { saleId })).toMatchObject({
      settlement: 'not_charged',
    });
    expect(await charges()).toHaveLength(0);
  });

  it('reads what a sale says of its payment, the check a "paid" webhook must pass', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const boleto = await runIn(quietActivityEnvironment(), activities.issueBoleto, {
      reference: 'sub-8-1-1',
      amountCents: 5000,
      clientId,
      dueDate: '2027-01-15',
      description: 'x',
    });
    const saleId = boleto.providerIds.saleId!;
    expect(await runIn(quietActivityEnvironment(), activities.saleSettlement, { saleId })).toMatchObject({
      settlement: 'pending',
    });
    await fetch(`${sandbox.url}/zspay/__control/boletos/${saleId}/pay`, { method: 'POST' });
    expect(await runIn(quietActivityEnvironment(), activities.saleSettlement, { saleId })).toMatchObject({
      settlement: 'succeeded',
    });
  });

  it.each([
    ['soft_decline', '51', 'soft_declined'],
    ['hard_decline', '41', 'hard_declined'],
  ] as const)('returns %s as an outcome, not a failure', async (type, code, status) => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale',
      match: cardId,
      outcome: { type, code },
      times: 1,
    });
    const outcome = await runIn(quietActivityEnvironment(), createZspayPaymentActivities({ zspay }).chargeStoredCard, {
      reference: 'r',
      amountCents: 100,
      clientId,
      cardId,
      description: 'x',
    });
    expect(outcome).toMatchObject({ status, declineCode: code });
    expect(await charges()).toHaveLength(0);
  });

  it('a retry after a lost capture answer finds the captured sale and does not charge twice', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const input = { reference: 'sub-2:c3:a1', amountCents: 12_345, clientId, cardId, description: 'Mensalidade' };
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.capture',
      outcome: { type: 'timeout', phase: 'after' },
      times: 1,
    });

    const first = quietActivityEnvironment({ attempt: 1 });
    let checkpoint: ZspayChargeCheckpoint | undefined;
    first.on('heartbeat', (details: ZspayChargeCheckpoint) => {
      checkpoint = details;
    });
    const failure = await rejectionOf(first.run(activities.chargeStoredCard, input));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'UnknownOutcome', nonRetryable: false });
    expect(checkpoint?.reference).toBe(input.reference);
    expect(await charges()).toHaveLength(1);

    const retry = quietActivityEnvironment({ attempt: 2, heartbeatDetails: checkpoint });
    const outcome = await runIn(retry, activities.chargeStoredCard, input);
    expect(outcome).toMatchObject({ status: 'succeeded', providerIds: { saleId: checkpoint?.pedidoId } });
    expect(await charges()).toHaveLength(1);
    // The retry read the sale instead of capturing again (the first capture's log entry lands after the hang).
    expect(await sandbox.control.requests({ operation: 'zspay.sale.get' })).toHaveLength(1);
  });

  it('a retry after a lost pre-capture answer charges once (the first authorization is never captured)', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const input = { reference: 'sub-3:c1:a1', amountCents: 900, clientId, cardId, description: 'x' };
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      outcome: { type: 'timeout', phase: 'after' },
      times: 1,
    });
    expect(
      await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.chargeStoredCard, input)),
    ).toMatchObject({ type: 'UnknownOutcome' });
    const outcome = await runIn(quietActivityEnvironment({ attempt: 2 }), activities.chargeStoredCard, input);
    expect(outcome.status).toBe('succeeded');
    expect(await charges()).toHaveLength(1);
  });

  describe('two-step card charge (authorize, then capture)', () => {
    const setUp = async () => {
      const zspay = zspayClient(sandbox.url);
      const { clientId, cardId } = await customerWithCard(zspay);
      return {
        activities: createZspayPaymentActivities({ zspay }),
        card: { reference: 'sub-5:c1:a1', amountCents: 5990, clientId, cardId, description: 'Mensalidade' },
      };
    };
    const authorized = async (
      activities: ReturnType<typeof createZspayPaymentActivities>,
      card: Parameters<typeof activities.authorizeCard>[0],
    ) => {
      const authorization = await runIn(quietActivityEnvironment(), activities.authorizeCard, card);
      if (authorization.kind !== 'to_capture')
        throw new Error(`expected an order to capture, got ${JSON.stringify(authorization)}`);
      return authorization.saleId;
    };

    it('authorizing moves no money; capturing the order charges once', async () => {
      const { activities, card } = await setUp();
      const saleId = await authorized(activities, card);
      expect(await charges()).toHaveLength(0);
      const outcome = await runIn(quietActivityEnvironment(), activities.captureCard, {
        reference: card.reference,
        amountCents: card.amountCents,
        saleId,
      });
      expect(outcome).toMatchObject({ status: 'succeeded', amountCents: 5990, providerIds: { saleId } });
      expect(await charges()).toHaveLength(1);
    });

    it('a decline settles the charge at authorization', async () => {
      const { activities, card } = await setUp();
      await sandbox.control.script({
        provider: 'zspay',
        operation: 'zspay.sale.precapture',
        match: card.cardId,
        outcome: { type: 'soft_decline', code: '51' },
        times: 1,
      });
      expect(await runIn(quietActivityEnvironment(), activities.authorizeCard, card)).toMatchObject({
        kind: 'settled',
        outcome: { status: 'soft_declined', declineCode: '51' },
      });
    });

    it.each([
      ['Cartão cancelado', 'hard_declined'],
      ['Cartao vencido', 'hard_declined'],
      ['Stolen card', 'hard_declined'],
      ['Saldo insuficiente', 'soft_declined'],
    ] as const)(
      'a decline that says %j only in words (category card_declined, no code) is %s',
      async (message, status) => {
        const { activities, card } = await setUp();
        expect(
          (await control(sandbox.url, 'POST', '/zspay/__control/decline-messages', { code: 'card_declined', message }))
            .status,
        ).toBe(200);
        await sandbox.control.script({
          provider: 'zspay',
          operation: 'zspay.sale.precapture',
          match: card.cardId,
          outcome: { type: 'soft_decline', code: 'card_declined' },
          times: 1,
        });
        expect(await runIn(quietActivityEnvironment(), activities.authorizeCard, card)).toMatchObject({
          kind: 'settled',
          outcome: { status, declineCode: 'card_declined' },
        });
        expect(await charges()).toHaveLength(0);
      },
    );

    it('a retried capture after a lost answer reads the order and does not capture again', async () => {
      const { activities, card } = await setUp();
      const saleId = await authorized(activities, card);
      const capture = { reference: card.reference, amountCents: card.amountCents, saleId };
      await sandbox.control.script({
        provider: 'zspay',
        operation: 'zspay.sale.capture',
        outcome: { type: 'timeout', phase: 'after' },
        times: 1,
      });
      expect(
        await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.captureCard, capture)),
      ).toMatchObject({ type: 'UnknownOutcome', nonRetryable: false });
      expect(await runIn(quietActivityEnvironment({ attempt: 2 }), activities.captureCard, capture)).toMatchObject({
        status: 'succeeded',
        providerIds: { saleId },
      });
      expect(await charges()).toHaveLength(1);
      expect(await sandbox.control.arrivals('zspay.sale.capture')).toHaveLength(1);
    });

    it('a retried capture whose first attempt failed before the provider captured captures it', async () => {
      const { activities, card } = await setUp();
      const saleId = await authorized(activities, card);
      const capture = { reference: card.reference, amountCents: card.amountCents, saleId };
      await sandbox.control.script({
        provider: 'zspay',
        operation: 'zspay.sale.capture',
        outcome: { type: 'server_error', status: 503 },
        times: 1,
      });
      expect(
        await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.captureCard, capture)),
      ).toMatchObject({ type: 'Transient' });
      expect(await runIn(quietActivityEnvironment({ attempt: 2 }), activities.captureCard, capture)).toMatchObject({
        status: 'succeeded',
      });
      expect(await charges()).toHaveLength(1);
    });

    it('a capture answered 429 tells the next attempt, which captures without reading the order first; an older refusal does not count', async () => {
      const { activities, card } = await setUp();
      const saleId = await authorized(activities, card);
      const capture = { reference: card.reference, amountCents: card.amountCents, saleId };
      await sandbox.control.script({
        provider: 'zspay',
        operation: 'zspay.sale.capture',
        outcome: { type: 'rate_limit', retryAfterSeconds: 1 },
        times: 2,
      });
      const first = quietActivityEnvironment({ attempt: 1 });
      let details: unknown;
      first.on('heartbeat', (d: unknown) => {
        details = d;
      });
      expect(await rejectionOf(first.run(activities.captureCard, capture))).toMatchObject({ type: 'RateLimited' });
      expect(details).toEqual({ saleId, refusedAtAttempt: 1 });
      // Attempt 3 with attempt 1's note (attempt 2's was lost): it reads first.
      expect(
        await rejectionOf(
          quietActivityEnvironment({ attempt: 3, heartbeatDetails: details }).run(activities.captureCard, capture),
        ),
      ).toMatchObject({ type: 'RateLimited' });
      expect(await sandbox.control.requests({ operation: 'zspay.sale.get' })).toHaveLength(1);
      // Attempt 2 with attempt 1's note: straight to the capture.
      expect(
        await runIn(
          quietActivityEnvironment({ attempt: 2, heartbeatDetails: details }),
          activities.captureCard,
          capture,
        ),
      ).toMatchObject({ status: 'succeeded' });
      expect(await sandbox.control.requests({ operation: 'zspay.sale.get' })).toHaveLength(1);
      expect(await charges()).toHaveLength(1);
    });

    it('a capture retried after the authorization lapsed fails as AuthorizationLost (non-retryable) and charges nothing', async () => {
      const { activities, card } = await setUp();
      const saleId = await authorized(activities, card);
      expect((await control(sandbox.url, 'POST', `/zspay/__control/sales/${saleId}/expire`)).status).toBe(200);
      const failure = await rejectionOf(
        quietActivityEnvironment({ attempt: 2 }).run(activities.captureCard, {
          reference: card.reference,
          amountCents: card.amountCents,
          saleId,
        }),
      );
      expect(failure).toMatchObject({ type: AUTHORIZATION_LOST, nonRetryable: true });
      expect(await charges()).toHaveLength(0);
    });
  });

  it('a 5xx is retryable (Transient), a bad boleto is not', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      outcome: { type: 'server_error' },
      times: 1,
    });
    expect(
      await rejectionOf(
        quietActivityEnvironment().run(activities.chargeStoredCard, {
          reference: 'r',
          amountCents: 100,
          clientId,
          cardId,
          description: 'x',
        }),
      ),
    ).toMatchObject({ type: 'Transient', nonRetryable: false });
    expect(
      await rejectionOf(
        quietActivityEnvironment().run(activities.issueBoleto, {
          reference: 'r',
          amountCents: 499,
          clientId,
          dueDate: '2030-01-10',
          description: 'x',
        }),
      ),
    ).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
  });

  it('issues a boleto carrying the reference; paying it records the charge under that reference', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const outcome = await runIn(quietActivityEnvironment(), activities.issueBoleto, {
      reference: 'sub-4:c2:a1',
      amountCents: 5000,
      clientId,
      dueDate: '2030-01-10',
      description: 'Mensalidade',
    });
    expect(outcome).toMatchObject({ status: 'pending', boleto: { dueDate: '2030-01-10' } });
    await control(sandbox.url, 'POST', `/zspay/__control/boletos/${outcome.providerIds.saleId}/pay`);
    expect(await sandbox.control.ledger({ provider: 'zspay', reference: 'sub-4:c2:a1' })).toHaveLength(1);
    const paid = await runIn(quietActivityEnvironment(), activities.saleSettlement, {
      saleId: outcome.providerIds.saleId,
    });
    expect(paid).toEqual({ saleId: outcome.providerIds.saleId, status: 'approved', settlement: 'succeeded' });
  });
});
