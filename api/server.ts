/**
 * The HTTP API for services not written in TypeScript: JSON over the typed client, API-key
 * authentication, problem documents for errors, health and readiness.
 */
import { presentedKey, secretsEqual } from './auth';
import Fastify, { type FastifyInstance, type FastifyLoggerOptions, type FastifyRequest } from 'fastify';
import type { PinoLoggerOptions } from 'fastify/types/logger';
import type { BillingClient } from '../client';
import type { PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { parseInput } from '../common/validation';
import { openApiDocument } from './openapi';
import { registerCodecRoutes } from './routes/codec';
import { problemFor, sendProblem } from './problems';
import { decodedUrl, secretRedactor } from './redaction';
import { registerSubscriptionRoutes } from './routes/subscriptions';
import { registerTransferRoutes } from './routes/transfers';
import { registerCouponRoutes } from './routes/coupons';
import { registerBillingRunRoutes } from './routes/billing-runs';
import { registerWebhookRoutes, type WebhookSecrets } from './routes/webhooks';

export interface ApiOptions {
  client: BillingClient;
  /** Callers send it as `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
  apiKey: string;
  /** Secrets carried by the webhook URLs registered with each provider. */
  webhookSecrets: WebhookSecrets;
  /** When payloads are encrypted: the codec server for the Web UI and CLI. */
  codec?: { codec: PayloadCodec; uiOrigin?: string };
  /** Request logging (JSON lines, pino): off by default; `true` logs at info to stdout. */
  logger?: boolean | ApiLoggerOptions;
}

export interface ApiLoggerOptions {
  level?: string;
  /** Where the log lines go (default stdout). */
  stream?: { write(line: string): unknown };
}

/**
 * The API's logger. The webhook URLs carry their secret, so the request's URL is logged redacted
 * (the req serializer), and so is every whole line on its way out, whatever wrote it (Fastify's own
 * messages, an error's stack): no secret reaches the log.
 */
function apiLogger(
  options: ApiLoggerOptions,
  redact: (text: string) => string,
): FastifyLoggerOptions & PinoLoggerOptions {
  const destination = options.stream ?? process.stdout;
  return {
    level: options.level ?? 'info',
    // The engine's log shape (README: Metrics and logs): an ISO time and a named level, one line.
    base: undefined,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label.toUpperCase() }) },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redact(decodedUrl(request.url)),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
    stream: { write: (line: string) => destination.write(redact(line)) },
  };
}

const pathInteger = (field: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${field} must be a positive whole number`)
    .transform(Number)
    .refine((value) => value > 0, `${field} must be a positive whole number`);
const resellerPaymentParamsSchema = z.object({
  resellerId: pathInteger('resellerId'),
  paymentId: pathInteger('paymentId'),
});

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { client } = options;
  const redact = secretRedactor(options.webhookSecrets);
  const app = Fastify({
    logger: options.logger ? apiLogger(options.logger === true ? {} : options.logger, redact) : false,
    // A URL Fastify cannot route (bad percent-encoding, a segment over 100 characters) is answered
    // here rather than by Fastify's default, whose message echoes the URL.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ code: error.code }, 'unroutable request');
      return sendProblem(reply, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'The request URL is malformed.',
      });
    },
  });

  // Every error is a problem document: typed client errors and zod issues (4xx, field by field),
  // Fastify's own client errors (a body that is not JSON: 400) with their status, the rest 500.
  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error);
    if (problem.status >= 500) request.log.error(error);
    return sendProblem(reply, problem);
  });

  // Fastify's own 404 echoes the method and URL (in the body and the log): a mistyped or wrong-method
  // webhook URL would carry its secret there.
  app.setNotFoundHandler((request, reply) => {
    const path = redact(decodedUrl(request.url.replace(/\?.*$/s, '')));
    request.log.info({ path }, 'route not found');
    return sendProblem(reply, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `No route for ${request.method} ${path}`,
      instance: path,
    });
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

  await app.register(
    async (v1) => {
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
      registerCouponRoutes(v1, client);

      v1.post('/reseller-payments', async (request, reply) => {
        const started = await client.resellerPayments.complete(request.body);
        return reply.code(started.attached ? 200 : 201).send(started);
      });
      v1.get('/reseller-payments/:resellerId/:paymentId', async (request) => {
        const { resellerId, paymentId } = parseInput(resellerPaymentParamsSchema, request.params, 'path');
        return client.resellerPayments.get(resellerId, paymentId);
      });
    },
    { prefix: '/v1' },
  );

  return app;
}
