/**
 * What every command shares: the global options, one lazily opened BillingClient, output in the
 * chosen mode (a table for people, one JSON document for scripts), input files and progress.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { BillingClient } from '../../client';
import { loadTemporalTarget } from '../../client/connection';
import { clientPayloadCodec } from '../../client/encryption';
import { TemporalUnavailableError, UsageError } from '../format';

export interface GlobalOptions {
  json?: boolean;
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export class CliContext {
  private billing?: Promise<BillingClient>;
  /** Set by main once the program exists: options are read after parsing, when a command runs. */
  globalOptions: () => GlobalOptions = () => ({});

  constructor(readonly io: CliIo) {}

  get json(): boolean {
    return this.globalOptions().json === true;
  }

  /** The environment with the command line's overrides, in the variables envconfig reads. */
  temporalEnv(): NodeJS.ProcessEnv {
    const { address, namespace, taskQueue } = this.globalOptions();
    return {
      ...this.io.env,
      ...(address ? { TEMPORAL_ADDRESS: address } : {}),
      ...(namespace ? { TEMPORAL_NAMESPACE: namespace } : {}),
      ...(taskQueue ? { BILLING_TASK_QUEUE: taskQueue } : {}),
    };
  }

  client(): Promise<BillingClient> {
    this.billing ??= this.connect();
    return this.billing;
  }

  private async connect(): Promise<BillingClient> {
    const env = this.temporalEnv();
    // Keys are found the same way whatever the address (client/encryption.ts): without one, plaintext
    // workflows still read, but nothing is written in clear and encrypted payloads name the setting.
    // Read first, so that a malformed key setting is named as such, not as Temporal being unreachable.
    clientPayloadCodec(env);
    try {
      return await BillingClient.connect(env);
    } catch (error) {
      const target = loadTemporalTarget(env);
      const reason = error instanceof Error ? error.message : String(error);
      throw new TemporalUnavailableError(
        `Cannot connect to Temporal at ${target.address} (namespace ${target.namespace}): ${reason}. Set --address/--namespace or TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE.`,
      );
    }
  }

  async close(): Promise<void> {
    const billing = this.billing;
    this.billing = undefined;
    // A failed connect has nothing to close.
    await billing?.then((client) => client.close()).catch(() => undefined);
  }

  /** JSON mode: the value as the one document on stdout; otherwise the human rendering. */
  print<T>(value: T, human: (value: T) => string): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human(value)}\n`);
  }

  /** Parsed JSON from a file, or from stdin for "-". */
  async readJson(path: string): Promise<unknown> {
    const source = path === '-' ? 'stdin' : path;
    let text: string;
    try {
      text = path === '-' ? await readAll(this.io.stdin) : await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UsageError(`${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A spinner line on stderr while `work` runs; only on a terminal, so logs and pipes stay clean. */
  async withProgress<T>(label: string, work: () => Promise<T>): Promise<T> {
    const stderr = this.io.stderr;
    if (!stderr.isTTY) return work();
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    const started = Date.now();
    let frame = 0;
    const draw = () =>
      stderr.write(`\r${frames[frame++ % frames.length]} ${label} (${Math.floor((Date.now() - started) / 1000)}s)`);
    draw();
    const timer = setInterval(draw, 100);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    }
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** For counts the CLI itself uses (--limit, --count): a positive whole number or a usage error. */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive whole number.');
  return Number(value);
}

/**
 * For numbers the engine's schemas validate (ids, days): anything that does not look like a number
 * becomes NaN, so the schema reports it with its own field name and message.
 */
export function numberForSchema(value: string): number {
  return /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
}
