import { signMerchantPayload, verifyMerchantSignature } from '../../common/merchant-signature';

describe('merchant notification signatures', () => {
  const secret = 'whsec_test';
  const rawBody = '{"id":"sub-1-3","sequence":3}';

  it('verifies a signature over the raw body within the tolerance', () => {
    const header = signMerchantPayload(secret, rawBody, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyMerchantSignature({ rawBody, header, secret, nowSeconds: 1_700_000_100 })).toEqual({
      valid: true,
      timestamp: 1_700_000_000,
    });
  });

  it('rejects a changed body, a wrong secret, a stale timestamp and a malformed header', () => {
    const header = signMerchantPayload(secret, rawBody, 1_700_000_000);
    const now = 1_700_000_000;
    expect(verifyMerchantSignature({ rawBody: rawBody.replace('3', '4'), header, secret, nowSeconds: now })).toEqual({
      valid: false,
      reason: 'signature mismatch',
    });
    expect(verifyMerchantSignature({ rawBody, header, secret: 'other', nowSeconds: now })).toEqual({
      valid: false,
      reason: 'signature mismatch',
    });
    expect(verifyMerchantSignature({ rawBody, header, secret, nowSeconds: now + 301 })).toEqual({
      valid: false,
      reason: 'timestamp outside the tolerance',
    });
    expect(verifyMerchantSignature({ rawBody, header: 'v1=abc', secret, nowSeconds: now })).toEqual({
      valid: false,
      reason: 'malformed signature header',
    });
    expect(verifyMerchantSignature({ rawBody, header: undefined, secret })).toMatchObject({ valid: false });
  });
});
