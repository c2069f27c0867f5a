/**
 * The HTTP API for services not written in TypeScript: JSON over the typed client, API-key
 * authentication, problem documents for errors, health and readiness.
 */
import { secretsEqual } from './auth';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BillingClient } from '../client';
import type { PayloadCodec } from '@temporalio/common';
import { openApiDocument } from './openapi';
import { registerCodecRoutes } from './routes/codec';
import { problemFor, sendProblem } from './problems';
import { registerSubscriptionRoutes } from './routes/subscriptions';
import { registerBillingRunRoutes, registerTransferRoutes } from './routes/transfers';
import { registerWebhookRoutes, type WebhookSecrets } from './routes/webhooks';

export interface ApiOptions {
  client: BillingClient;
  /** Callers send it as `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
  apiKey: string;
  /** Secrets carried by the webhook URLs registered with each provider. */
  webhookSecrets: WebhookSecrets;
  /** When payloads are encrypted: the codec server for the Web UI and CLI. */
  codec?: { codec: PayloadCodec; uiOrigin?: string };
  logger?: boolean;
}

function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string') return header;
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) return authorization.slice(7);
  return undefined;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { client } = options;
  const app = Fastify({ logger: options.logger ?? false });

  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error);
    if (problem.status === 500) request.log.error(error);
    // Fastify's own errors (bad JSON, unsupported media type) keep their status.
    const status = (error as { statusCode?: number }).statusCode;
    if (problem.status === 500 && status && status < 500) {
      return sendProblem(reply, { type: 'about:blank', title: (error as Error).message, status });
    }
    return sendProblem(reply, problem);
  });

  const openApi = openApiDocument();
  app.get('/openapi.json', async () => openApi);
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const temporal = await client.isTemporalReachable();
    return reply.code(temporal ? 200 : 503).send({ status: temporal ? 'ready' : 'unavailable', temporal });
  });

  registerWebhookRoutes(app, client, options.webhookSecrets);
  if (options.codec) registerCodecRoutes(app, { ...options.codec, apiKey: options.apiKey });

  await app.register(async (v1) => {
    v1.addHook('onRequest', async (request, reply) => {
      const key = presentedKey(request.headers);
      if (!key || !secretsEqual(key, options.apiKey)) {
        return sendProblem(reply.header('WWW-Authenticate', 'Bearer'), {
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: 'Send the API key as "Authorization: Bearer <key>" or "X-Api-Key: <key>".',
        });
      }
    });

    registerSubscriptionRoutes(v1, client);
    registerTransferRoutes(v1, client);
    registerBillingRunRoutes(v1, client);

    v1.post('/reseller-payments', async (request, reply) => {
      const started = await client.resellerPayments.complete(request.body);
      return reply.code(started.attached ? 200 : 201).send(started);
    });
    v1.get<{ Params: { resellerId: string; paymentId: string } }>('/reseller-payments/:resellerId/:paymentId', async (request) => {
      return client.resellerPayments.get(Number(request.params.resellerId), Number(request.params.paymentId));
    });
  }, { prefix: '/v1' });

  return app;
}
