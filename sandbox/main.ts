/** Runs the provider sandbox on its own: `npm run sandbox`. */
import { buildSandbox } from './server';
import { DEFAULT_SANDBOX_PORT } from '../common/sandbox-credentials';

async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
  const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
  const { app } = await buildSandbox({ webhookBaseUrl: process.env.SANDBOX_WEBHOOK_BASE_URL });
  await app.listen({ port, host });
  console.log(`Provider sandbox listening on http://${host}:${port} (control API: /__sandbox)`);
  const stop = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
