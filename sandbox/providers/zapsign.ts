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
  app.get('/__control/clients/:clientApiToken', async (request, reply) => {
    const { clientApiToken } = request.params as { clientApiToken: string };
    const client = clients.get(clientApiToken);
    if (!client) return reply.code(404).send({ message: 'No such client' });
    return reply.send({ clientApiToken, paymentStatus: client.paymentStatus, updates: client.updates });
  });

  // ---- provider ---------------------------------------------------------------------------
  app.post('/api/v1/partner/update-payment-status/', async (request, reply) => {
    const authorization = request.headers.authorization;
    if (!authorization) return reply.code(401).send({ detail: 'Authentication credentials were not provided.' });
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const partnerToken = match?.[1];
    if (!partnerToken || !partners.has(partnerToken)) return reply.code(401).send({ detail: 'Invalid token.' });

    const body = (request.body ?? {}) as Record<string, unknown>;
    const clientToken = typeof body.client_api_token === 'string' ? body.client_api_token : undefined;
    const outcome = ctx.take(request, 'zapsign', 'zapsign.partner.update_payment_status', [clientToken]);
    if (await ctx.interrupt(reply, outcome, 'before')) return reply;

    const fieldErrors: Record<string, string[]> = {};
    if (!clientToken) fieldErrors.client_api_token = ['This field is required.'];
    const status = body.payment_status;
    if (status === undefined || status === null || status === '') fieldErrors.payment_status = ['This field is required.'];
    else if (!STATUSES.includes(status as Status)) fieldErrors.payment_status = [`"${String(status)}" is not a valid choice.`];
    if (Object.keys(fieldErrors).length > 0 || !clientToken) return reply.code(400).send(fieldErrors);

    const client = clients.get(clientToken);
    if (!client || client.parentToken !== partnerToken) {
      return reply.code(403).send({ detail: 'The authenticated account is not the parent account of the client account.' });
    }
    client.paymentStatus = status as Status;
    client.updates.push({ paymentStatus: client.paymentStatus, at: new Date().toISOString() });
    ctx.state.record({
      provider: 'zapsign',
      kind: 'status',
      amountCents: 0,
      // Never the token itself in the ledger: a short fingerprint identifies the client.
      providerId: `client-${clientToken.slice(0, 8)}`,
      description: `payment_status=${client.paymentStatus}`,
    });
    if (await ctx.interrupt(reply, outcome, 'after')) return reply;
    return reply.send({ message: 'Status updated successfully' });
  });
}
