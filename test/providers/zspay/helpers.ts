/** Shared setup for the Zspay tests (not a test file): a client on the sandbox, a client with a stored card. */
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { ZspayClient } from '../../../providers/zspay/client';

export const zspayClient = (url: string, token: string = SANDBOX_CREDENTIALS.zspay.token) =>
  new ZspayClient({ baseUrl: `${url}/zspay`, token, timeoutMs: 500 });

/** A stored client with a stored card (the doc's test card), as the browser flow would leave them. */
export async function customerWithCard(zspay: ZspayClient): Promise<{ clientId: string; cardId: string }> {
  const client = await zspay.createClient({
    nome: 'João Paulo',
    documento: '00000000000',
    email: 'teste2@zsystems.com.br',
    endereco: { logradouro: 'Rua Pedro Souza', numero: '124', cep: '03380-200', cidade: 'São Paulo', estado: 'SP' },
  });
  const card = await zspay.linkCard(client.id, {
    numero: '5234233381847212',
    titular: 'Joao Paulo',
    codigoSeguranca: '069',
    validade: '02/2030',
  });
  return { clientId: String(client.id), cardId: card.cardId };
}

/** The charges the sandbox's Zspay ledger records: what customers actually paid. */
export const zspayCharges = async (sandbox: {
  control: { ledger(filter: { provider: string }): Promise<Array<{ kind: string }>> };
}) => (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');

/** MockActivityEnvironment.run with the activity's own return type. */
export function runIn<P extends unknown[], R>(
  env: { run: (fn: (...args: P) => Promise<R>, ...args: P) => Promise<unknown> },
  fn: (...args: P) => Promise<R>,
  ...args: P
): Promise<R> {
  return env.run(fn, ...args) as Promise<R>;
}
