// Narrowing for tests under noUncheckedIndexedAccess: a missing element fails the test with a
// message that names what was expected, instead of a TypeError on `undefined` further down.

/** The value, or a thrown Error naming `what` when it is undefined. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/** The element at `index` (negative counts from the end), or a thrown Error naming the array and index. */
export function at<T>(array: readonly T[], index: number, what = 'array'): T {
  const value = array.at(index);
  if (value === undefined) throw new Error(`expected ${what}[${index}] (length ${array.length})`);
  return value;
}

/** Capture group `index` of a regular-expression match, or a thrown Error when that group did not take part. */
export function group(match: RegExpMatchArray, index: number): string {
  const value = match[index];
  if (value === undefined) throw new Error(`expected group ${index} in the match "${match[0]}"`);
  return value;
}
