/**
 * `npm run docs:table`: writes the subscription transition tables (common/subscription/table.ts)
 * into the README between their markers; `--check` only says whether the README is up to date (the
 * unit tests check it too).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADIQ_BILLED, ENGINE_BILLED, renderTable, ZSPAY_BILLED } from '../common/subscription/table';

const README = path.join(__dirname, '..', 'README.md');
export const TABLES = {
  'engine-billed': ENGINE_BILLED,
  'adiq-billed': ADIQ_BILLED,
  'zspay-billed': ZSPAY_BILLED,
} as const;

/** The README with each table's block rewritten from the code. */
export function withTables(readme: string): string {
  let text = readme;
  for (const [name, machine] of Object.entries(TABLES)) {
    const begin = `<!-- table:${name} -->`;
    const end = `<!-- /table:${name} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${begin} ... ${end} block`);
    text = `${text.slice(0, from + begin.length)}\n${renderTable(machine)}\n${text.slice(to)}`;
  }
  return text;
}

if (require.main === module) {
  const readme = readFileSync(README, 'utf8');
  const updated = withTables(readme);
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md: the transition tables are out of date; run `npm run docs:table`');
      process.exit(1);
    }
    console.log('README.md: the transition tables match the code');
  } else {
    writeFileSync(README, updated);
    console.log(updated === readme ? 'README.md: tables already up to date' : 'README.md: tables rewritten');
  }
}
