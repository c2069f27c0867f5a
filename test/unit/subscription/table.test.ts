import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SubscriptionEventType } from '../../../common/subscription/events';
import { ADIQ_TABLE, STATUSES, SUBSCRIPTION_TABLE, ZSPAY_TABLE } from '../../../common/subscription/table';
import { withTables } from '../../../scripts/state-table';

describe('the transition tables', () => {
  it('give every event in every status one answer, for every kind of subscription', () => {
    const events = Object.keys(SUBSCRIPTION_TABLE).sort();
    expect(Object.keys(ADIQ_TABLE).sort()).toEqual(events);
    expect(Object.keys(ZSPAY_TABLE).sort()).toEqual(events);
    for (const table of [SUBSCRIPTION_TABLE, ADIQ_TABLE, ZSPAY_TABLE]) {
      for (const event of events as SubscriptionEventType[]) {
        expect(Object.keys(table[event]).sort()).toEqual([...STATUSES].sort());
        for (const status of STATUSES) expect(table[event][status]).toBeDefined();
      }
    }
  });

  it('are what the README shows (`npm run docs:table` rewrites them)', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(withTables(readme)).toBe(readme);
  });
});
