/**
 * Card data and credentials never enter workflow histories: every recorded history (test/histories,
 * recorded from the workflow and end-to-end tests) is scanned for card numbers and the tokens the
 * sandbox hands out or accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { HISTORIES_DIR } from '../helpers/histories';

/** Luhn-valid runs of 13 to 19 digits: what a card number looks like. */
function cardNumbersIn(text: string): string[] {
  return (text.match(/(?<!\d)\d{13,19}(?!\d)/g) ?? []).filter((digits) => {
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    return sum % 10 === 0;
  });
}

/** Payload data is base64 JSON: decode every payload so nothing hides in it. */
function decodedPayloads(history: string): string {
  return [...history.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
}

const secrets = [
  SANDBOX_CREDENTIALS.zspay.token,
  SANDBOX_CREDENTIALS.adiq.clientSecret,
  SANDBOX_CREDENTIALS.activeplatform.apiToken,
  SANDBOX_CREDENTIALS.zapsign.partnerToken,
  SANDBOX_CREDENTIALS.paymentStatus.apiKey,
  'whsec_test_secret',
  // The document's test card, used by the tests to create stored cards at the sandbox.
  '5234233381847212',
];

describe('workflow histories hold no card data or credentials', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

  it('has histories to scan', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('%s', (file) => {
    const raw = readFileSync(path.join(HISTORIES_DIR, file), 'utf8');
    const text = `${raw}\n${decodedPayloads(raw)}`;
    expect(cardNumbersIn(text)).toEqual([]);
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  });

  it('would catch a card number', () => {
    expect(cardNumbersIn('{"numero":"4111111111111111"}')).toEqual(['4111111111111111']);
    expect(cardNumbersIn('order 1234567890123')).toEqual([]);
    expect(cardNumbersIn(Buffer.from('{"card":"4111111111111111"}').toString('base64'))).toEqual([]);
    expect(decodedPayloads(`"data": "${Buffer.from('{"card":"4111111111111111"}').toString('base64')}"`)).toContain('4111111111111111');
  });
});
