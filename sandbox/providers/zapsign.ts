/**
 * ZapSign partner API imitation (zapsign-partner-update-payment-status.txt): the Bearer partner
 * token must be the parent account of the client account whose api token is in the body; the
 * client's payment status is stored with every update, for "told inadimplente exactly once".
 *
 * Error bodies are not documented; they follow ZapSign's Django REST framework style: 401
 * {"detail"} for a missing/unknown token, 400 {field: [messages]}, 403 {"detail"} when the partner
 * is not the client's parent (an unknown client token fails that same check: existence is not
 * revealed). Success: 200 {"message": "Status updated successfully"} (the document's wording).
 *
 * Control routes (under /zapsign/__control): POST /partners {token}, POST /clients
 * {clientApiToken, parentToken?, paymentStatus?}, GET /clients/:clientApiToken.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../server';
import { collectionsSection } from '../persistence';
import { afterEffect, providerRoutes } from '../route';

const STATUSES = ['adimplente', 'inadimplente'] as const;
type Status = (typeof STATUSES)[number];

interface ClientAccount {
  parentToken: string;
  paymentStatus: Status;
  updates: Array<{ paymentStatus: Status; at: string }>;
}

const seedClientSchema = z.object({
  clientApiToken: z.string().min(1),
  parentToken: z.string().min(1).optional(),
  paymentStatus: z.enum(STATUSES).optional(),
});

export function registerZapSign(app: FastifyInstance, ctx: SandboxContext): void {
  const partners = new Set<string>();
  const clients = new Map<string, ClientAccount>();
  const initialise = () => {
    partners.clear();
    clients.clear();
    partners.add(ctx.options.credentials.zapsign.partnerToken);
  };
  initialise();
  ctx.onReset(initialise);
  ctx.persist('zapsign', collectionsSection({ partners, clients }));

  // ---- control ----------------------------------------------------------------------------
  app.post('/__control/partners', async (request, reply) => {
    const parsed = z.object({ token: z.string().min(1) }).safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Invalid partner', issues: parsed.error.issues });
    partners.add(parsed.data.token);
    return reply.code(201).send({ ok: true });
  });
  app.post('/__control/clients', async (request, reply) => {
    const parsed = seedClientSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Invalid client', issues: parsed.error.issues });
    const { clientApiToken, parentToken, paymentStatus } = parsed.data;
    const parent = parentToken ?? ctx.options.credentials.zapsign.partnerToken;
    partners.add(parent);
    clients.set(clientApiToken, { parentToken: parent, paymentStatus: paymentStatus ?? 'adimplente', updates: [] });
    return reply.code(201).send({ clientApiToken, paymentStatus: paymentStatus ?? 'adimplente' });
  });
  app.get<{ Params: { clientApiToken: string } }>('/__control/clients/:clientApiToken', async (request, reply) => {
    const { clientApiToken } = request.params;
    const client = clients.get(clientApiToken);
    if (!client) return reply.code(404).send({ message: 'No such client' });
    return reply.send({ clientApiToken, paymentStatus: client.paymentStatus, updates: client.updates });
  });

  // ---- provider ---------------------------------------------------------------------------
  const route = providerRoutes(app, ctx, {
    provider: 'zapsign',
    param: (raw) => raw ?? '',
    /** The partner token. */
    authorize: async (request, reply) => {
      const authorization = request.headers.authorization;
      if (!authorization) {
        await reply.code(401).send({ detail: 'Authentication credentials were not provided.' });
        return undefined;
      }
      const partnerToken = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (partnerToken && partners.has(partnerToken)) return partnerToken;
      await reply.code(401).send({ detail: 'Invalid token.' });
      return undefined;
    },
  });

  const clientTokenOf = (fields: Readonly<Record<string, unknown>>) =>
    typeof fields.client_api_token === 'string' ? fields.client_api_token : undefined;

  route(
    'POST',
    '/api/v1/partner/update-payment-status/',
    { operation: 'zapsign.partner.update_payment_status', keys: ({ fields }) => [clientTokenOf(fields)] },
    async ({ fields, auth: partnerToken, reply }) => {
      const clientToken = clientTokenOf(fields);
      const status = fields.payment_status;
      const fieldErrors: Record<string, string[]> = {};
      if (!clientToken) fieldErrors.client_api_token = ['This field is required.'];
      if (status === undefined || status === null || status === '')
        fieldErrors.payment_status = ['This field is required.'];
      else if (!isStatus(status))
        fieldErrors.payment_status = [
          `"${typeof status === 'string' ? status : JSON.stringify(status)}" is not a valid choice.`,
        ];
      if (Object.keys(fieldErrors).length > 0 || !clientToken || !isStatus(status))
        return reply.code(400).send(fieldErrors);

      const client = clients.get(clientToken);
      if (!client || client.parentToken !== partnerToken) {
        return reply
          .code(403)
          .send({ detail: 'The authenticated account is not the parent account of the client account.' });
      }
      client.paymentStatus = status;
      client.updates.push({ paymentStatus: client.paymentStatus, at: ctx.state.timestamp() });
      ctx.state.record({
        provider: 'zapsign',
        kind: 'status',
        amountCents: 0,
        // Never the token itself in the ledger: a short fingerprint identifies the client.
        providerId: `client-${clientToken.slice(0, 8)}`,
        description: `payment_status=${client.paymentStatus}`,
      });
      return afterEffect(() => reply.send({ message: 'Status updated successfully' }));
    },
  );
}

function isStatus(value: unknown): value is Status {
  return STATUSES.some((status) => status === value);
}
