/**
 * The codec server the Temporal Web UI (`--ui-codec-endpoint`) and CLI (`--codec-endpoint`) use to
 * show decrypted payloads: POST /codec/encode and /codec/decode with `{ payloads: [...] }`
 * (base64 fields). Authenticated: the API key as a Bearer token, or, for the local stack's Web UI
 * which cannot send one, a request from the configured UI origin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { secretsEqual } from '../auth';
import { sendProblem } from '../problems';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

export function registerCodecRoutes(
  app: FastifyInstance,
  options: { codec: PayloadCodec; apiKey: string; uiOrigin?: string },
): void {
  const allowed = (request: FastifyRequest) => {
    const authorization = request.headers.authorization;
    if (
      typeof authorization === 'string' &&
      authorization.startsWith('Bearer ') &&
      secretsEqual(authorization.slice(7), options.apiKey)
    )
      return true;
    return options.uiOrigin !== undefined && request.headers.origin === options.uiOrigin;
  };
  const cors = (request: FastifyRequest, reply: FastifyReply) => {
    if (options.uiOrigin && request.headers.origin === options.uiOrigin) {
      void reply
        .header('Access-Control-Allow-Origin', options.uiOrigin)
        .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization')
        .header('Access-Control-Allow-Credentials', 'true');
    }
  };
  for (const direction of ['encode', 'decode'] as const) {
    app.options(`/codec/${direction}`, async (request, reply) => {
      cors(request, reply);
      return reply.code(204).send();
    });
    app.post<{ Body: { payloads?: JsonPayload[] } }>(`/codec/${direction}`, async (request, reply) => {
      cors(request, reply);
      if (!allowed(request))
        return sendProblem(reply, {
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: 'Send the API key as a Bearer token.',
        });
      const payloads = Array.isArray(request.body?.payloads) ? request.body.payloads.map(fromJson) : [];
      const result =
        direction === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      return { payloads: result.map(toJson) };
    });
  }
}
