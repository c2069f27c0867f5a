/**
 * The sandbox with a state file (as `npm start` and `npm run sandbox` run it): what the providers
 * hold survives a restart, so a retry after Ctrl-C and `npm start` finds its client and card again.
 * Without a state file (every other test) it stays in memory.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { SoftDeclineError } from '../../providers/errors';
import { SandboxStore, collectionsSection } from '../../sandbox/persistence';
import { SandboxState } from '../../sandbox/state';
import { eventually } from '../helpers/eventually';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { adiqClient, adiqControl, monthlyPlan, VAULT_ID } from '../providers/adiq/helpers';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { defined } from '../helpers/defined';

const json = async (url: string, method = 'GET', body?: unknown) => {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> };
};

describe('sandbox state across restarts', () => {
  let dir: string;
  let stateFile: string;
  const running: RunningSandbox[] = [];
  const start = async (options: { stateSaveDelayMs?: number } = {}) => {
    const sandbox = await startSandbox({ stateFile, ...options });
    running.push(sandbox);
    return sandbox;
  };
  const stop = async (sandbox: RunningSandbox) => {
    await sandbox.close();
    running.splice(running.indexOf(sandbox), 1);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    stateFile = path.join(dir, 'sandbox.json');
  });
  afterEach(async () => {
    for (const sandbox of running.splice(0)) await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps clients, cards, boletos, balances, transfers, Adiq plans and subscriptions, ActivePlatform payments and ZapSign clients', async () => {
    const first = await start({ stateSaveDelayMs: 20 });
    const zspay = zspayClient(first.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const boleto = await zspay.createBoletoSale({
      clienteId: clientId,
      amountCents: 2500,
      dueDate: '2030-01-10',
      descricao: 'Mensalidade [ref:persist-1]',
    });
    expect((await json(`${first.url}/zspay/__control/balances/131`, 'POST', { currentCents: 50_000 })).status).toBe(
      200,
    );
    const transfer = await zspay.transfer({
      tipoTransferencia: 1,
      toEstabelecimentoId: '9',
      amountCents: 10_000,
      descricao: 'Payout [ref:transfer-persist]',
      agendadoPara: '2030-01-15T13:00:00.000Z',
    });
    const adiq = adiqClient(first);
    const planId = await adiq.createPlan(monthlyPlan);
    const adiqSubscriptionId = await adiq.createSubscription({ planId, vaultId: VAULT_ID, orderNumber: 'persist1' });
    expect(
      (
        await json(`${first.url}/activeplatform/__control/payments`, 'POST', {
          resellerId: 1,
          paymentId: 6475,
          status: 'waiting_for_payment',
          total: '129.90',
        })
      ).status,
    ).toBe(201);
    expect(
      (await json(`${first.url}/zapsign/__control/clients`, 'POST', { clientApiToken: 'acme-zapsign' })).status,
    ).toBe(201);
    await first.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      match: clientId,
      outcome: { type: 'soft_decline', code: '51' },
      times: 1,
    });

    // Written a moment after the changes, while the sandbox still runs (a SIGKILL loses only that moment).
    const written = await eventually(
      async () => (existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : ''),
      (text) => text.includes('acme-zapsign') && text.includes('persist1') && text.includes('soft_decline'),
      5_000,
    );
    // Display data only: the card number never reaches the file.
    expect(written).not.toContain('5234233381847212');
    await stop(first);

    const second = await start();
    const zspayAgain = zspayClient(second.url);
    // The scripted decline was kept too: the first charge is declined, the next one approved and captured.
    await expect(
      zspayAgain.preCapture({ clienteId: clientId, cartaoId: cardId, amountCents: 4990 }),
    ).rejects.toBeInstanceOf(SoftDeclineError);
    const authorized = await zspayAgain.preCapture({ clienteId: clientId, cartaoId: cardId, amountCents: 4990 });
    await zspayAgain.capture(authorized.id);
    expect((await zspayAgain.getSale(authorized.id)).statusCode).toBe(2);

    expect((await zspayAgain.getSale(boleto.id)).statusCode).toBe(1);
    expect((await json(`${second.url}/zspay/__control/boletos/${boleto.id}/pay`, 'POST')).status).toBe(200);
    expect(await zspayAgain.getBalance('131')).toEqual({ currentCents: 50_000, futureCents: 4990 + 2500 });
    expect((await zspayAgain.listScheduledTransfers(1)).map((t) => t.id)).toEqual([transfer.id]);

    // A token issued before the restart is still good (a worker keeps its cached token across it).
    const storedToken = (
      JSON.parse(written) as { sections: { adiq: { collections: { tokens: Array<[string, unknown]> } } } }
    ).sections.adiq.collections.tokens[0];
    const oldToken = defined(storedToken, 'a stored Adiq token')[0];
    const withOldToken = await fetch(`${second.url}/adiq/recurrence/v1/subscriptions/${adiqSubscriptionId}`, {
      headers: { Authorization: `Bearer ${oldToken}` },
    });
    expect(withOldToken.status).toBe(200);

    const adiqAgain = adiqClient(second);
    expect(await adiqAgain.getSubscription(adiqSubscriptionId)).toMatchObject({
      id: adiqSubscriptionId,
      orderNumber: 'persist1',
      plan: { id: planId },
    });
    expect((await adiqControl<unknown[]>(second, 'GET', '/plans')).body).toHaveLength(1);
    expect((await json(`${second.url}/activeplatform/__control/payments/1/6475`)).body).toMatchObject({
      status: 'waiting_for_payment',
      total: '129.90',
    });
    expect((await json(`${second.url}/zapsign/__control/clients/acme-zapsign`)).body).toMatchObject({
      paymentStatus: 'adimplente',
    });

    // Ids go on from where they were (a new client is not a second 18638), and the ledger kept its money.
    const next = await zspayAgain.createClient({
      nome: 'Maria',
      documento: '00000000191',
      email: 'maria@example.com',
      endereco: { logradouro: 'Rua A', numero: '1', cep: '01000-000', cidade: 'São Paulo', estado: 'SP' },
    });
    expect(next.id).toBe(Number(clientId) + 1);
    const charges = (await second.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');
    expect(charges.map((c) => c.amountCents).sort()).toEqual([2500, 4990]);
    // Logs are not state: the restarted sandbox's log starts empty.
    expect((await second.control.requests({ operation: 'zspay.card.link' })).length).toBe(0);
  });

  it('writes the last changes on close, even inside the quiet time', async () => {
    const first = await start({ stateSaveDelayMs: 60_000 });
    const { clientId, cardId } = await customerWithCard(zspayClient(first.url));
    await stop(first);
    const second = await start();
    const charged = await zspayClient(second.url).preCapture({
      clienteId: clientId,
      cartaoId: cardId,
      amountCents: 1000,
    });
    expect(charged.statusCode).toBe(8);
  });

  it('forgets everything on reset, in the file too', async () => {
    const first = await start({ stateSaveDelayMs: 10 });
    const { clientId } = await customerWithCard(zspayClient(first.url));
    await first.control.reset();
    await stop(first);
    const second = await start();
    const answer = await fetch(`${second.url}/zspay/clientes/${clientId}/cartoes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ numero: '4111111111111111', titular: 'Ana', codigoSeguranca: '123', validade: '12/2030' }),
    });
    expect(answer.status).toBe(404);
  });

  it('sets an unreadable file aside, says so, and starts empty', async () => {
    writeFileSync(stateFile, '{"version": 1, "sections": ');
    const warnings: string[] = [];
    const store = new SandboxStore({ file: stateFile, warn: (message) => warnings.push(message) });
    const clients = new Map<number, unknown>([[1, { nome: 'kept in memory' }]]);
    store.register('zspay', collectionsSection({ clients }));
    expect(store.load()).toBe('set-aside');
    expect(clients.size).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('moved it to')]);
    expect(readdirSync(dir).filter((name) => name.startsWith('sandbox.json.unreadable-'))).toHaveLength(1);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('starts empty when a section of the file does not fit, keeping the file aside', async () => {
    const first = await start({ stateSaveDelayMs: 10 });
    await customerWithCard(zspayClient(first.url));
    await stop(first);
    const snapshot = JSON.parse(readFileSync(stateFile, 'utf8')) as { sections: Record<string, unknown> };
    snapshot.sections.zapsign = { collections: { clients: 'not a list' } };
    writeFileSync(stateFile, JSON.stringify(snapshot));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const second = await start();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('moved it to'));
      // Zspay's section was read before ZapSign's failed: it was emptied again.
      const card = await fetch(`${second.url}/zspay/clientes/18638/cartoes`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          numero: '4111111111111111',
          titular: 'Ana',
          codigoSeguranca: '123',
          validade: '12/2030',
        }),
      });
      expect(card.status).toBe(404);
    } finally {
      warn.mockRestore();
    }
    expect(readdirSync(dir).filter((name) => name.startsWith('sandbox.json.unreadable-'))).toHaveLength(1);
  });

  it('stays in memory without a state file', async () => {
    const sandbox = await startSandbox();
    running.push(sandbox);
    await customerWithCard(zspayClient(sandbox.url));
    // Closing is when a sandbox with a state file writes it at the latest.
    await stop(sandbox);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('sandbox logs', () => {
  it('keep the most recent entries up to their limit', () => {
    const state = new SandboxState(3);
    for (let i = 1; i <= 5; i++) {
      state.logRequest({
        direction: 'incoming',
        provider: 'zspay',
        method: 'GET',
        path: `/zspay/vendas/${i}`,
        headers: {},
      });
      state.logArrival('zspay', `op-${i}`);
    }
    expect(state.requests.map((r) => r.path)).toEqual(['/zspay/vendas/3', '/zspay/vendas/4', '/zspay/vendas/5']);
    expect(state.arrivals.map((a) => a.operation)).toEqual(['op-3', 'op-4', 'op-5']);
  });
});
