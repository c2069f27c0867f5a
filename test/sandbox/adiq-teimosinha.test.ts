/**
 * The sandbox's Adiq retries ("Rule teimosinha", adiq-recurrence-api.txt) against the document's
 * own words and dated example, not against the engine's rule (common/billing/teimosinha.ts): the
 * engine is tested against the sandbox, so the sandbox must not share its rules.
 *
 *   "In case a payment has a payment date of 01/01, the first stubborn attempt will be made on
 *    01/03, the second on 01/05, the third on 01/09, and the fourth and final attempt will be on 01/17."
 */
import { SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../../common/sandbox-credentials';
import { ADIQ_AUTH_PATHS, ADIQ_RECURRENCE_PATHS } from '../../providers/adiq/paths';
import { ADIQ_SANDBOX_MERCHANT_ID } from '../../sandbox/providers/adiq';
import { teimosinhaRetryOn } from '../../sandbox/providers/adiq-rules';
import { useSandbox, type RunningSandbox } from '../helpers/sandbox';

/** The document's example, month/day, in a year of our choice. */
const PAYMENT_DATE = '2025-01-01';
const DOCUMENT_RETRIES = ['2025-01-03', '2025-01-05', '2025-01-09', '2025-01-17'];

/** Every retry when each attempt fails on its own date. */
function retriesOf(paymentDate: string, attempts: number): string[] {
  const retries: string[] = [];
  let failedOn = paymentDate;
  for (let failures = 1; ; failures += 1) {
    const next = teimosinhaRetryOn(failedOn, failures, attempts);
    if (!next) return retries;
    retries.push(next);
    failedOn = next;
  }
}

describe('Adiq teimosinha in the sandbox, from the document', () => {
  it('a payment of 01/01 is retried on 01/03, 01/05, 01/09 and finally 01/17', () => {
    expect(retriesOf(PAYMENT_DATE, 4)).toEqual(DOCUMENT_RETRIES);
  });

  it.each([
    ['attempts 1, the first attempt unsuccessful: a new attempt 2 days after the failure', 1, 1, '2025-03-12'],
    ['attempts 4, 3 unsuccessful attempts: a new attempt 4 days after the last failure', 4, 3, '2025-03-14'],
    ['attempts 4, 4 unsuccessful attempts: a new attempt 8 days after the last failure', 4, 4, '2025-03-18'],
  ])('%s', (_case, attempts, failures, expected) => {
    expect(teimosinhaRetryOn('2025-03-10', failures, attempts)).toBe(expected);
  });

  it.each([
    ['attempts 0: no second attempt', 0, 1],
    ['attempts 1: no third attempt', 1, 2],
    ['attempts 4, after the final attempt: "will not try again"', 4, 5],
  ])('%s', (_case, attempts, failures) => {
    expect(teimosinhaRetryOn('2025-03-10', failures, attempts)).toBeUndefined();
  });

  it('counts calendar days across a month and a year', () => {
    expect(retriesOf('2024-12-27', 4)).toEqual(['2024-12-29', '2024-12-31', '2025-01-04', '2025-01-12']);
    expect(teimosinhaRetryOn('2024-02-28', 1, 1)).toBe('2024-03-01');
  });

  describe('collections at the sandbox', () => {
    let sandbox: RunningSandbox;
    useSandbox((started) => (sandbox = started));

    const call = async <T>(method: string, path: string, body: unknown, authorization: string): Promise<T> => {
      const response = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.ok).toBe(true);
      return (await response.json()) as T;
    };
    const subscribe = async (attempts: number): Promise<string> => {
      const { clientId, clientSecret } = SANDBOX_CREDENTIALS.adiq;
      const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      const { access_token } = await call<{ access_token: string }>(
        'POST',
        `${SANDBOX_PREFIX.adiqAuth}${ADIQ_AUTH_PATHS.token}`,
        { grantType: 'client_credentials' },
        basic,
      );
      const bearer = `Bearer ${access_token}`;
      const recurrence = (path: string) => `${SANDBOX_PREFIX.adiqRecurrence}${path}`;
      const plan = {
        name: 'Newspaper',
        description: 'Monthly newspaper',
        amount: 5.99,
        planType: 'Monthly',
        paymentMethod: 'CreditCard',
        attempts,
      };
      const planId = await call<string>('POST', recurrence(ADIQ_RECURRENCE_PATHS.plans), plan, bearer);
      const notification = {
        merchantId: ADIQ_SANDBOX_MERCHANT_ID,
        name: 'Merchant',
        description: 'Failures',
        callbackUrl: `${sandbox.url}/merchant/adiq`,
      };
      await call('POST', recurrence(ADIQ_RECURRENCE_PATHS.notifications), notification, bearer);
      return call<string>(
        'POST',
        recurrence(ADIQ_RECURRENCE_PATHS.subscriptions),
        { vaultId: 'e7fa5a01-90a9-4abc-9bac-d9dbfa7db587', orderNumber: '1234567890', planId },
        bearer,
      );
    };
    type Collection = {
      outcome: string;
      retryOn: string | null;
      billing: { status: string };
      subscription: { status: string };
    };
    const collect = async (subscriptionId: string, date: string) => {
      const response = await fetch(`${sandbox.url}/adiq/__control/subscriptions/${subscriptionId}/bill`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ date }),
      });
      return (await response.json()) as Collection;
    };

    it("lack of balance at every attempt: the document's dates, then the subscription is blocked; a notification after each attempt", async () => {
      const subscriptionId = await subscribe(4);
      await sandbox.control.script({ operation: 'adiq.billing.charge', outcome: { type: 'soft_decline', code: '51' } });
      const retries: Array<string | null> = [];
      let last = await collect(subscriptionId, PAYMENT_DATE);
      for (;;) {
        retries.push(last.retryOn);
        if (!last.retryOn) break;
        last = await collect(subscriptionId, last.retryOn);
      }
      expect(retries).toEqual([...DOCUMENT_RETRIES, null]);
      expect(last).toMatchObject({
        outcome: 'blocked',
        billing: { status: 'Denied' },
        subscription: { status: 'Blocked' },
      });
      const failures = (await sandbox.control.merchantCallbacks()).filter((c) => c.rawBody.includes('"ErrorCode"'));
      expect(failures).toHaveLength(1 + DOCUMENT_RETRIES.length);
    });

    it('attempts 0: the first failure blocks, no second attempt', async () => {
      const subscriptionId = await subscribe(0);
      await sandbox.control.script({
        operation: 'adiq.billing.charge',
        outcome: { type: 'soft_decline', code: '51' },
        times: 1,
      });
      expect(await collect(subscriptionId, PAYMENT_DATE)).toMatchObject({
        outcome: 'blocked',
        retryOn: null,
        subscription: { status: 'Blocked' },
      });
    });

    it('a canceled card is not retried: the subscription is left blocked', async () => {
      const subscriptionId = await subscribe(4);
      await sandbox.control.script({
        operation: 'adiq.billing.charge',
        outcome: { type: 'hard_decline', code: '46' },
        times: 1,
      });
      expect(await collect(subscriptionId, PAYMENT_DATE)).toMatchObject({
        outcome: 'blocked',
        retryOn: null,
        billing: { status: 'PaymentInvalid' },
        subscription: { status: 'Blocked' },
      });
    });
  });
});
