/**
 * Runs `temporal server start-dev` (the real Temporal server, SQLite-backed, with the Web UI)
 * and waits until it answers. Used by `npm start`, the end-to-end tests and the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../common/search-attributes';

/**
 * One partition per task queue, for the local stack and the benchmarks. The server spreads a task
 * queue's activity rate limit (the engine's provider pacing) over the queue's partitions, four by
 * default: at 5 requests/s the billing day's Zspay requests came out uneven and slower than the pace
 * (12 s for 10 s of work) and 8 left at once where the provider allows 5 (3 answered 429); with one
 * partition, exactly 5 a second. A production cluster does the same per queue (README: pacing).
 */
export const taskQueuePartitions = (partitions: number): Readonly<Record<string, number>> => ({
  'matching.numTaskqueueReadPartitions': partitions,
  'matching.numTaskqueueWritePartitions': partitions,
});
export const ONE_PARTITION_PER_TASK_QUEUE = taskQueuePartitions(1);

/**
 * The dev server's environment: only what a process needs to run. The engine's keys and provider
 * secrets live in the stack's environment and must never reach a child process.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];
  return Object.fromEntries(kept.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}

export interface DevServerOptions {
  cli: string;
  port: number;
  /** Undefined runs headless (no Web UI). */
  uiPort?: number;
  /** SQLite file; undefined keeps everything in memory. */
  dbFile?: string;
  namespace?: string;
  /** `--sqlite-pragma` values, e.g. { journal_mode: 'WAL', synchronous: 'OFF' }. */
  sqlitePragmas?: Record<string, string>;
  /** `--dynamic-config-value` values. */
  dynamicConfig?: Record<string, string | number | boolean>;
  uiCodecEndpoint?: string;
  readyTimeoutMs?: number;
  /** Where the server's own output goes (default: discarded). */
  onOutput?: (chunk: string) => void;
}

export class DevServer {
  private constructor(
    readonly process: ChildProcess,
    readonly address: string,
    readonly namespace: string,
    readonly uiUrl: string | undefined,
  ) {}

  static async start(options: DevServerOptions): Promise<DevServer> {
    const namespace = options.namespace ?? 'default';
    const args = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--namespace',
      namespace,
      '--log-level',
      'warn',
    ];
    if (options.uiPort === undefined) args.push('--headless');
    else args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
    if (options.dbFile) args.push('--db-filename', options.dbFile);
    for (const [key, value] of Object.entries(options.sqlitePragmas ?? {}))
      args.push('--sqlite-pragma', `${key}=${value}`);
    for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) {
      args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
    }
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
    args.push(...searchAttributeFlags());

    const child = spawn(options.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnvironment(process.env) });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      options.onOutput?.(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const address = `127.0.0.1:${options.port}`;
    const uiUrl = options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`;
    const server = new DevServer(child, address, namespace, uiUrl);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(`temporal server start-dev exited with code ${exitCode}:\n${output.trim()}`);
      }
      if (await server.isReady()) return server;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await server.stop();
    throw new Error(`temporal server start-dev did not become ready on ${address} in time:\n${output.trim()}`);
  }

  /** Ready means the namespace answers, not just that the port is open. */
  async isReady(): Promise<boolean> {
    let connection: Connection | undefined;
    try {
      // Loaded here, not at the top: `npm start` spawns the server before it loads the SDK's client.
      const { Connection } = await import('@temporalio/client');
      connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: this.namespace });
      return true;
    } catch {
      return false;
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would: nothing is flushed or closed cleanly. */
  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGKILL');
    await exited;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
