/**
 * Runs the provider sandbox on its own: `npm run sandbox`. What the providers hold is kept in
 * `$BILLING_DATA_DIR/sandbox.json` (default .data/), as under `npm start`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSandbox } from './server';
import { DEFAULT_SANDBOX_PORT } from '../common/sandbox-credentials';

async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
  const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
  // A relative data directory is taken from the project root, as `npm start` does.
  const dataDir = path.resolve(__dirname, '..', process.env.BILLING_DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const stateFile = path.join(dataDir, 'sandbox.json');
  const { app } = await buildSandbox({ webhookBaseUrl: process.env.SANDBOX_WEBHOOK_BASE_URL, stateFile });
  await app.listen({ port, host });
  console.log(
    `Provider sandbox listening on http://${host}:${port} (control API: /__sandbox; state in ${path.relative(process.cwd(), stateFile)})`,
  );
  const stop = () => {
    // Closing writes the state file one last time.
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
