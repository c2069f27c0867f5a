/**
 * A Zspay client with the document's test card stored, as the browser flow would leave them: what
 * tests, the demo and the benchmarks charge. Takes any Zspay binding (the engine's client) by its
 * two calls, so the sandbox itself depends on nothing of the engine.
 */
import type { ZspayClient } from '../providers/zspay/client';

export const ZSPAY_TEST_CARD_NUMBER = '5234233381847212';

export async function customerWithCard(
  zspay: Pick<ZspayClient, 'createClient' | 'linkCard'>,
  holder = { name: 'João Paulo', email: 'teste2@zsystems.com.br' },
): Promise<{ clientId: string; cardId: string }> {
  const client = await zspay.createClient({
    nome: holder.name,
    documento: '00000000000',
    email: holder.email,
    endereco: { logradouro: 'Rua Pedro Souza', numero: '124', cep: '03380-200', cidade: 'São Paulo', estado: 'SP' },
  });
  const card = await zspay.linkCard(client.id, {
    numero: ZSPAY_TEST_CARD_NUMBER,
    titular: holder.name,
    codigoSeguranca: '069',
    validade: '02/2030',
  });
  return { clientId: String(client.id), cardId: card.cardId };
}
