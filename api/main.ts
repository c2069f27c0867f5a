/** `npm run api`: the HTTP API on its own, for production deployments. */
import { BillingClient } from '../client';
import { buildApi } from './server';

async function main(): Promise<void> {
  const apiKey = process.env.BILLING_API_KEY;
  if (!apiKey) throw new Error('BILLING_API_KEY is required: the key callers must present to the HTTP API.');
  const client = await BillingClient.connect();
  const api = await buildApi({ client, apiKey, logger: true });
  await api.listen({ port: Number(process.env.API_PORT ?? 3000), host: process.env.API_HOST ?? '127.0.0.1' });
  const stop = () => void api.close().then(() => client.close()).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
