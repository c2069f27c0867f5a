import failure from '../fixtures/providers/adiq/notification-payment-failure.json';
import { adiqBillingUpdateOf } from '../../client/webhooks';
import { ValidationError } from '../../common/validation';

describe('Adiq notifications at the webhook ingress', () => {
  it("reads the document's failure notification as a failed attempt of its billing", () => {
    expect(adiqBillingUpdateOf(failure)).toEqual({
      adiqSubscriptionId: 'ba2dad08-7047-467d-8555-a947621d6554',
      update: {
        billingId: '33d49aaa-2aa7-402c-98d7-bc6d46af3aee',
        outcome: 'failed',
        decline: 'soft',
        code: 'Falha ao enviar notificação',
        message: 'Não foi possível se conectar.',
        source: 'notification',
      },
    });
  });

  it('reads a payment status notification: statusCode "200" is paid, anything else a failure', () => {
    const base = {
      paymentId: 'p1',
      orderNumber: '1234567890',
      subscriptionId: 'adiq-sub',
      billingId: 'bill-1',
      date: '2024-10-08T21:00:00',
      paymentMethod: null,
    };
    expect(adiqBillingUpdateOf({ ...base, statusCode: '200', statusDescription: '' }).update).toEqual({
      billingId: 'bill-1',
      outcome: 'paid',
      source: 'notification',
    });
    expect(
      adiqBillingUpdateOf({ ...base, statusCode: '51', statusDescription: 'Saldo insuficiente' }).update,
    ).toMatchObject({ outcome: 'failed', decline: 'soft', code: '51' });
    expect(adiqBillingUpdateOf({ ...base, statusCode: '', statusDescription: '' }).update).toBeUndefined();
  });

  it('refuses a notification without a subscription, naming the field', () => {
    expect(() => adiqBillingUpdateOf({ statusCode: '200', billingId: 'b' })).toThrow(ValidationError);
    expect(() => adiqBillingUpdateOf({ ErrorCode: '51' })).toThrow(/SubscriptionId/);
  });
});
