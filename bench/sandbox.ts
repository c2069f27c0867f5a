/**
 * The provider sandbox as the bench uses it: started in this process on a free loopback port (so
 * its ledger and request log are read directly), Zspay customers with a stored card, incremental
 * counters over the ledger and the request log, and a read of every sale's final status.
 */
import { SANDBOX_CREDENTIALS } from '../common/sandbox-credentials';
import { ZspayClient } from '../providers/zspay/client';
import type { RunningSandbox } from '../sandbox/in-process';
import type { LedgerEntry, LoggedRequest, SandboxState } from '../sandbox/state';

export { startSandbox, type RunningSandbox } from '../sandbox/in-process';
export { customerWithCard } from '../sandbox/test-customer';

export const zspayClient = (url: string, token: string = SANDBOX_CREDENTIALS.zspay.token) =>
  new ZspayClient({ baseUrl: `${url}/zspay`, token, timeoutMs: 5_000 });

export const chargeCount = (sandbox: RunningSandbox, customer?: string) =>
  sandbox.state.ledger.reduce(
    (n, e) => n + (e.kind === 'charge' && (customer === undefined || e.customer === customer) ? 1 : 0),
    0,
  );

/** Forgets the sandbox's logs and ledger (not its stored customers and cards). */
export const clearSandboxLogs = (sandbox: RunningSandbox) => {
  sandbox.state.requests.length = 0;
  sandbox.state.ledger.length = 0;
  sandbox.state.arrivals.length = 0;
  sandbox.state.clearRules();
};

/**
 * Charges per customer, read incrementally from the ledger (append-only): polling a 10,000-entry
 * ledger per customer would cost more than the engine it measures.
 */
export class LedgerCounter {
  private seen = 0;
  readonly charges = new Map<string, number>();
  readonly cents = new Map<string, number>();
  total = 0;
  constructor(private readonly ledger: LedgerEntry[]) {}
  update(): this {
    for (; this.seen < this.ledger.length; this.seen++) {
      const entry = this.ledger[this.seen]!;
      if (entry.kind !== 'charge' || entry.customer === undefined) continue;
      this.charges.set(entry.customer, (this.charges.get(entry.customer) ?? 0) + 1);
      this.cents.set(entry.customer, (this.cents.get(entry.customer) ?? 0) + entry.amountCents);
      this.total += 1;
    }
    return this;
  }
  of(customer: string): number {
    return this.charges.get(customer) ?? 0;
  }
}

/**
 * The incoming requests of one provider logged after `fromSeq`, read incrementally (the log keeps
 * its last `logLimit` entries: the bench raises it so nothing it counts is dropped).
 */
export class RequestCounter {
  private lastSeq: number;
  readonly requests: LoggedRequest[] = [];
  constructor(
    private readonly state: SandboxState,
    private readonly provider: string,
    fromSeq = lastRequestSeq(state),
  ) {
    this.lastSeq = fromSeq;
  }
  update(): this {
    const log = this.state.requests;
    let i = log.length;
    while (i > 0 && log[i - 1]!.seq > this.lastSeq) i--;
    for (; i < log.length; i++) {
      const r = log[i]!;
      this.lastSeq = r.seq;
      if (r.direction === 'incoming' && r.provider === this.provider) this.requests.push(r);
    }
    return this;
  }
  count(predicate: (r: LoggedRequest) => boolean): number {
    return this.requests.reduce((n, r) => n + (predicate(r) ? 1 : 0), 0);
  }
}
export const lastRequestSeq = (state: SandboxState): number => state.requests.at(-1)?.seq ?? 0;

const ZSPAY_AUTH = { authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` };

/** Zspay order statuses (the sandbox's `status_pedido`). */
export const ORDER_STATUS = { pending: 1, approved: 2, failed: 3, canceled: 4, refunded: 6, preAuthorized: 8 } as const;

export interface SaleStatus {
  id: number;
  /** 1 boleto, 3 credit card. */
  type: number;
  status: number;
}

/**
 * A new sale id at the sandbox right now: a boleto nobody pays, issued for `clientId` through the
 * control-free API in process. Sale ids are sequential, so two marks bound the sales of a run.
 */
export async function saleIdMark(sandbox: RunningSandbox, clientId: string): Promise<number> {
  const response = await sandbox.app.inject({
    method: 'POST',
    url: '/zspay/vendas',
    headers: { ...ZSPAY_AUTH, 'content-type': 'application/json' },
    payload: {
      tipoPagamentoId: 1,
      valor: '5.00',
      clienteId: clientId,
      dataVencimento: '2099-12-31',
      descricao: 'bench id mark',
    },
  });
  const id = response.json<{ pedido?: { id?: number } }>().pedido?.id;
  if (response.statusCode !== 200 || typeof id !== 'number')
    throw new Error(`sale id mark: HTTP ${response.statusCode} ${response.body.slice(0, 200)}`);
  return id;
}

/**
 * Every sale with an id strictly between two marks, read with Zspay's "Detalhes da venda" in process
 * (app.inject: no socket). Call it after the measurement and with no rate limit set: the reads are
 * logged like any request.
 */
export async function salesBetween(sandbox: RunningSandbox, afterId: number, beforeId: number): Promise<SaleStatus[]> {
  const sales: SaleStatus[] = [];
  for (let id = afterId + 1; id < beforeId; id++) {
    const response = await sandbox.app.inject({ method: 'GET', url: `/zspay/vendas/${id}`, headers: ZSPAY_AUTH });
    if (response.statusCode === 404) continue;
    const venda = response.json<{ venda?: { tipoPagamento: { id: number }; status: { id: number } } }>().venda;
    if (!venda) throw new Error(`sale ${id}: HTTP ${response.statusCode}`);
    sales.push({ id, type: venda.tipoPagamento.id, status: venda.status.id });
  }
  return sales;
}

/** The customer pays a boleto (the sandbox's control route; with webhooks off nobody is told). */
export async function payBoleto(sandbox: RunningSandbox, saleId: number): Promise<void> {
  const response = await sandbox.app.inject({ method: 'POST', url: `/zspay/__control/boletos/${saleId}/pay` });
  if (response.statusCode >= 300)
    throw new Error(`paying boleto ${saleId}: HTTP ${response.statusCode} ${response.body.slice(0, 200)}`);
}
