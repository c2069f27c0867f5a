/**
 * The workflow bundle for `npm start`: built while the dev server starts, and kept in
 * node_modules/.cache keyed by the workflow sources and the lockfile, so a start with unchanged
 * workflow code skips webpack (about two seconds on a small machine).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');
/** What the bundle is made of: workflow code reaches only these folders and installed packages. */
const SOURCES = ['workflows', 'common'];
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'temporal-billing-engine');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
    })
    .sort();
}

/** A digest of everything the bundle depends on. */
export function bundleKey(): string {
  const hash = createHash('sha256');
  for (const file of [
    ...SOURCES.flatMap((dir) => sourceFiles(path.join(ROOT, dir))),
    path.join(ROOT, 'package-lock.json'),
  ]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

/** The bundle of `workflows/`, from the cache when the sources have not changed. */
export async function cachedWorkflowBundle(logger?: Logger): Promise<{ code: string }> {
  const file = path.join(CACHE_DIR, `workflows-${bundleKey()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger });
  mkdirSync(CACHE_DIR, { recursive: true });
  // Written whole, then renamed: two stacks starting at once never read half a bundle.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, code);
  renameSync(partial, file);
  // Only the newest bundle is kept: each edit of the workflow code would otherwise leave 2-3 MB behind.
  for (const old of readdirSync(CACHE_DIR)) {
    if (old.startsWith('workflows-') && old.endsWith('.js') && path.join(CACHE_DIR, old) !== file) {
      rmSync(path.join(CACHE_DIR, old), { force: true });
    }
  }
  return { code };
}
