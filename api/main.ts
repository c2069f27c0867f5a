/** `npm run api`: the HTTP API on its own, for production deployments. */
import { BillingClient } from '../client';
import { encryptionCodecFromEnv } from '../client/encryption';
import { loadTelemetryConfig } from '../worker/config';
import { apiLoggerOptions, logLevelFrom } from '../worker/logger';
import { buildApi } from './server';

async function main(): Promise<void> {
  const required = (name: string, purpose: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required: ${purpose}.`);
    return value;
  };
  const apiKey = required('BILLING_API_KEY', 'the key callers must present to the HTTP API');
  const webhookSecrets = {
    zspay: required('ZSPAY_WEBHOOK_SECRET', 'the secret in the webhook URL registered with Zspay'),
    adiq: required('ADIQ_WEBHOOK_SECRET', 'the secret in the notification URL registered with Adiq'),
  };
  // JSON lines by default (BILLING_LOG_FORMAT=pretty: readable), at BILLING_LOG_LEVEL (INFO: every request).
  const { logFormat } = loadTelemetryConfig(process.env);
  const client = await BillingClient.connect();
  const codec = encryptionCodecFromEnv();
  const api = await buildApi({
    client,
    apiKey,
    webhookSecrets,
    logger: apiLoggerOptions({ level: logLevelFrom(process.env.BILLING_LOG_LEVEL, 'INFO'), format: logFormat }),
    codec: codec ? { codec, uiOrigin: process.env.TEMPORAL_UI_ORIGIN } : undefined,
  });
  await api.listen({ port: Number(process.env.API_PORT ?? 3000), host: process.env.API_HOST ?? '127.0.0.1' });
  const stop = () =>
    void api
      .close()
      .then(() => client.close())
      .then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
