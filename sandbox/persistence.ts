/**
 * The sandbox's memory across restarts: a JSON snapshot of what the providers hold (clients,
 * cards, sales, balances, transfers, plans, subscriptions, payments...) and of the control state
 * (ledger, scripted outcomes, rate limits), written a moment after each change and on close, read
 * at start. Request logs are never written: they are a window on recent traffic, not state.
 *
 * Each part of the sandbox registers a section (save / load); a section missing from the file keeps
 * its initial state, so a snapshot from before a section existed still loads.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/** Bumped when a section's stored shape changes incompatibly; an older file is set aside, not read. */
export const SNAPSHOT_VERSION = 1;

export interface PersistedSection {
  /** Plain JSON: what this part needs to be itself again after a restart. */
  save(): unknown;
  /** Replaces this part's state with what `save` returned before. */
  load(data: unknown): void;
}

const snapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  savedAt: z.string(),
  sections: z.record(z.string(), z.unknown()),
});

type Collection = Map<string | number, unknown> | Set<string | number>;

/** A section for a provider's maps and sets (stored as entry lists) and counters (stored as is). */
export function collectionsSection(
  collections: Record<string, Collection>,
  counters?: Record<string, number>,
): PersistedSection {
  return {
    save: () => ({
      collections: Object.fromEntries(
        Object.entries(collections).map(([name, c]) => [name, [...(c instanceof Map ? c.entries() : c.values())]]),
      ),
      ...(counters ? { counters: { ...counters } } : {}),
    }),
    load: (data) => {
      const parsed = z
        .object({
          collections: z.record(z.string(), z.array(z.unknown())),
          counters: z.record(z.string(), z.number()).optional(),
        })
        .parse(data);
      for (const [name, collection] of Object.entries(collections)) {
        const stored = parsed.collections[name];
        if (!stored) continue;
        collection.clear();
        if (collection instanceof Map) {
          for (const entry of stored) {
            const [key, value] = z.tuple([z.union([z.string(), z.number()]), z.unknown()]).parse(entry);
            collection.set(key, value);
          }
        } else {
          for (const value of stored) collection.add(z.union([z.string(), z.number()]).parse(value));
        }
      }
      if (counters && parsed.counters) Object.assign(counters, parsed.counters);
    },
  };
}

export interface SandboxStoreOptions {
  /** The JSON file (e.g. .data/sandbox.json). */
  file: string;
  /** Quiet time after a change before writing (default 200 ms)... */
  delayMs?: number;
  /** ...but never longer than this after the first unsaved change, under constant traffic (default 2 s). */
  maxDelayMs?: number;
  /** Where problems are reported (a file set aside, a failed write); the sandbox keeps running. */
  warn?: (message: string) => void;
}

/** Writes the registered sections to one file, debounced; reads them back at start. */
export class SandboxStore {
  private readonly sections = new Map<string, PersistedSection>();
  private timer: NodeJS.Timeout | undefined;
  private firstUnsavedAt: number | undefined;
  private writes: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly delayMs: number;
  private readonly maxDelayMs: number;
  private readonly warn: (message: string) => void;

  constructor(private readonly options: SandboxStoreOptions) {
    this.delayMs = options.delayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.warn = options.warn ?? ((message) => console.warn(`sandbox: ${message}`));
  }

  get file(): string {
    return this.options.file;
  }

  register(name: string, section: PersistedSection): void {
    if (this.sections.has(name)) throw new Error(`sandbox: state section ${name} registered twice`);
    this.sections.set(name, section);
  }

  /**
   * Loads the file into the registered sections. A file that cannot be read back (not JSON, another
   * version, a section that does not fit) is renamed aside and named in a warning: it is never
   * silently overwritten. 'set-aside' tells the caller to reset every part (some may have loaded).
   */
  load(): 'loaded' | 'none' | 'set-aside' {
    const { file } = this.options;
    if (!existsSync(file)) return 'none';
    try {
      const snapshot = snapshotSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      for (const [name, section] of this.sections) {
        if (name in snapshot.sections) section.load(snapshot.sections[name]);
      }
      return 'loaded';
    } catch (error) {
      const aside = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      this.warn(
        `could not read ${file} (${(error as Error).message.split('\n')[0]}); moved it to ${aside} and started empty`,
      );
      return 'set-aside';
    }
  }

  /** Something changed: write soon (after `delayMs` of quiet, at most `maxDelayMs` after the first change). */
  changed(): void {
    if (this.closed) return;
    const now = Date.now();
    this.firstUnsavedAt ??= now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstUnsavedAt + this.maxDelayMs - now));
    this.timer = setTimeout(() => void this.save(), wait);
    this.timer.unref();
  }

  /** Writes now (after any write in progress); resolves when written. Failures are warned, not thrown. */
  save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstUnsavedAt = undefined;
    this.writes = this.writes.then(async () => {
      const temporary = `${this.options.file}.tmp-${process.pid}`;
      try {
        // The snapshot is taken when this write runs, so queued saves write the latest state.
        await writeFile(temporary, this.serialize(), { mode: 0o600 });
        await rename(temporary, this.options.file);
      } catch (error) {
        this.warn(`could not write ${this.options.file}: ${(error as Error).message}`);
      }
    });
    return this.writes;
  }

  /** The last write, on shutdown: waits for a write in progress, then writes synchronously. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.writes;
    const temporary = `${this.options.file}.tmp-${process.pid}`;
    try {
      writeFileSync(temporary, this.serialize(), { mode: 0o600 });
      renameSync(temporary, this.options.file);
    } catch (error) {
      this.warn(`could not write ${this.options.file}: ${(error as Error).message}`);
    }
  }

  private serialize(): string {
    const sections = Object.fromEntries([...this.sections].map(([name, section]) => [name, section.save()]));
    return `${JSON.stringify({ version: SNAPSHOT_VERSION, savedAt: new Date().toISOString(), sections })}\n`;
  }
}
