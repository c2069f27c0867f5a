/**
 * Card data and credentials never enter workflow histories: every recorded history (test/histories,
 * recorded from the workflow and end-to-end tests) is scanned for card numbers and the tokens the
 * sandbox hands out or accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HISTORIES_DIR } from '../helpers/histories';
import { cardNumbersIn, decodedPayloads, secretsIn } from '../helpers/history-secrets';

describe('workflow histories hold no card data or credentials', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

  it('has histories to scan', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('%s', (file) => {
    const raw = readFileSync(path.join(HISTORIES_DIR, file), 'utf8');
    const text = `${raw}\n${decodedPayloads(raw)}`;
    expect(secretsIn(text)).toEqual([]);
  });

  it('would catch a card number', () => {
    expect(cardNumbersIn('{"numero":"4111111111111111"}')).toEqual(['4111111111111111']);
    expect(cardNumbersIn('order 1234567890123')).toEqual([]);
    expect(cardNumbersIn(Buffer.from('{"card":"4111111111111111"}').toString('base64'))).toEqual([]);
    expect(decodedPayloads(`"data": "${Buffer.from('{"card":"4111111111111111"}').toString('base64')}"`)).toContain(
      '4111111111111111',
    );
  });
});
