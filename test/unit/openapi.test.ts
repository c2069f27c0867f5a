import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../../api/openapi';
import { defined } from '../helpers/defined';

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(openApiDocument());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('describes the inputs from the same schemas the engine validates with', () => {
    const document = openApiDocument() as {
      components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
      paths: Record<string, unknown>;
    };
    const create = defined(document.components.schemas.CreateSubscriptionInput, 'the CreateSubscriptionInput schema');
    expect(create.required).toEqual(expect.arrayContaining(['subscriptionId', 'customerId', 'plan', 'paymentMethod']));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/subscriptions/{id}/retry-now',
        '/v1/transfers/{id}/cancel',
        '/webhooks/zspay/{secret}',
      ]),
    );
  });
});
