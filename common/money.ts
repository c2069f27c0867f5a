/**
 * Money as people read it: integer cents as Brazilian reais, "R$ 1.234,56" — one format for the
 * CLI, memos, views, notifications and summaries. String math only (no zod, no floats): workflow
 * code imports this module.
 */
export function formatBRL(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const reais = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, '.');
  return `${cents < 0 ? '-' : ''}R$ ${reais},${digits.slice(-2)}`;
}
