/** Comparing inputs as they mean, not as they are spelled: what idempotent creates compare. */
/**
 * JSON with every object's keys sorted (and undefined members left out): two inputs that mean the
 * same are the same text, whatever order their keys came in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(
          Object.entries(member as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : member,
  );
}

/** The paths (a.b.c) where two JSON values differ, at most `max` of them: what a 409 names. */
export function differingPaths(a: unknown, b: unknown, max = 5, path = ''): string[] {
  const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    const out: string[] = [];
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (out.length >= max) break;
      out.push(...differingPaths(a[key], b[key], max - out.length, path ? `${path}.${key}` : key));
    }
    return out;
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [path || '(root)'];
}
