/**
 * Holding an activity in flight: a gate the test opens when it is done interleaving. `reached`
 * resolves when the activity arrives at the gate, so an operation can be sent exactly while the
 * activity is running.
 */
export interface Gate {
  reached: Promise<void>;
  open(): void;
  /** Called by the activity: waits until the test opens the gate. */
  pass(): Promise<void>;
}

export function gate(): Gate {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return {
    reached,
    open: () => release(),
    pass: async () => {
      arrive();
      await opened;
    },
  };
}

/** Gates by key (e.g. a charge reference prefix and a step), created on first use. */
export function gates() {
  const all = new Map<string, Gate>();
  const get = (key: string) => {
    let found = all.get(key);
    if (!found) all.set(key, (found = gate()));
    return found;
  };
  return {
    /** The gate for `key`; the activity passes it only if the test asked for it. */
    hold: (key: string) => get(key),
    /** Called by activities: waits at `key` if the test holds it. */
    async pass(key: string): Promise<void> {
      if (all.has(key)) await all.get(key)!.pass();
    },
  };
}
