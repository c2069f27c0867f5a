/**
 * Zspay's two money units (zspay-api.pt-BR.txt):
 * - sales and transfers: `valor` in REAIS with a dot ("Nova venda": 500.00, 10.5; "Transferir": 0.10),
 *   sent as a JSON number in the document's examples and answered as a number or a string ("5.00");
 * - plans and subscriptions: `amount` / `setup_amount` in CENTS ("Criar um novo plano": 125 = R$ 1.25),
 *   sometimes written as 125.00 or "1".
 * Conversions go through decimal strings only (providers/money.ts), never float arithmetic.
 */
import { centsToReais, reaisToCents } from '../money';

export { BOLETO_MINIMUM_CENTS } from '../../common/billing/plan-rules';

/**
 * Integer cents -> the `valor` JSON number: 50000 -> 500 (the wire reads 500, the same JSON value as
 * 500.00), 1050 -> 10.5. The number is parsed from the exact decimal string, so it is the closest
 * double to that decimal and JSON.stringify writes that decimal back exactly.
 */
export function centsToValor(cents: number): number {
  const valor = Number(centsToReais(cents));
  // A decimal of more than 15 significant digits does not survive a double: refuse, never round.
  if (reaisToCents(valor) !== cents)
    throw new RangeError(`centsToValor: ${cents} cents cannot be written exactly as a Zspay valor`);
  return valor;
}

/** A `valor` from Zspay (500, 0.1, "5.00") -> integer cents, exactly. */
export function valorToCents(valor: number | string): number {
  return reaisToCents(valor, { allowTrailingZeros: true });
}

/**
 * A cents amount as Zspay writes it (125, 125.00 parsed as 125, "1") -> integer cents.
 * Throws on fractions: a fractional cents value means we misread the unit.
 */
export function zspayCentsToCents(amount: number | string): number {
  const text = String(amount).trim();
  if (!/^\d+(\.0+)?$/.test(text)) throw new RangeError(`Zspay cents amount is not a whole number of cents: "${text}"`);
  return Number(text.split('.')[0]);
}
