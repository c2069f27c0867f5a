/**
 * The words providers use for a hard decline when they give no precise code: Zspay's documented
 * card error has only type, category (usually the generic `card_declined`) and a message, and
 * Adiq's codes may be words (its failure notification example: ErrorCode "Falha ao enviar
 * notificação") with the reason in the description. Portuguese and English, in the
 * wordings Brazilian acquirers commonly give the ABECS codes the code table calls hard (14, 41,
 * 43, 46, 54, 56, 57, 59, 62, 78...).
 *
 * Only whole phrases count, matched on word boundaries after removing accents, case and
 * punctuation: "cartão cancelado" is hard, while a message that merely contains "cartão" or
 * "limite" is not ("saldo insuficiente", "limite excedido" stay soft). The few single words below
 * ("roubado", "furtado", "stolen") cannot mean anything else in a decline.
 *
 * Deliberately absent: "do not honor" / "não autorizada" / "transação negada" (ABECS 05, the
 * issuer's generic refusal, soft: it often passes on a later day) and every lack-of-funds or limit
 * wording; a message with no phrase here is soft, like an unknown code.
 */

/** Reason -> the phrases that say it (written naturally here; normalised once, below). */
const HARD_DECLINE_PHRASES: Readonly<Record<string, readonly string[]>> = {
  'Canceled card': [
    'cartão cancelado',
    'cartão de crédito cancelado',
    'cartão foi cancelado',
    'cartão está cancelado',
    'cartão encontra-se cancelado',
    'card canceled',
    'card cancelled',
    'canceled card',
    'cancelled card',
    'card has been canceled',
    'card has been cancelled',
    'card was canceled',
    'card was cancelled',
    'card is canceled',
    'card is cancelled',
  ],
  'Lost card': [
    'cartão perdido',
    'perda do cartão',
    'bloqueado por perda',
    'bloqueio por perda',
    'cancelado por perda',
    'lost card',
    'card lost',
    'card reported lost',
    'card reported as lost',
  ],
  'Stolen card': ['roubado', 'roubada', 'furtado', 'furtada', 'por roubo', 'por furto', 'roubo ou furto', 'stolen'],
  'Expired card': [
    'cartão vencido',
    'cartão expirado',
    'cartão com validade vencida',
    'cartão com validade expirada',
    'validade vencida',
    'validade expirada',
    'validade do cartão expirada',
    'validade do cartão vencida',
    'expired card',
    'card expired',
    'card has expired',
    'card is expired',
  ],
  'Blocked card': [
    'cartão bloqueado',
    'cartão de crédito bloqueado',
    'cartão está bloqueado',
    'cartão encontra-se bloqueado',
    'card blocked',
    'blocked card',
    'card is blocked',
    'card has been blocked',
    'cartão novo sem desbloqueio',
  ],
  'Invalid card number': [
    'número do cartão inválido',
    'número de cartão inválido',
    'número do cartão incorreto',
    'número de cartão incorreto',
    'cartão inválido',
    'cartão inexistente',
    'invalid card number',
    'incorrect card number',
    'card number is invalid',
    'card number invalid',
    'invalid card',
    'no such card',
  ],
  'Closed account': ['conta encerrada', 'conta cancelada', 'account closed', 'closed account'],
  'Restricted card': ['cartão com restrição', 'restricted card'],
  'Pick up card': ['reter cartão', 'reter o cartão', 'pick up card', 'pickup card'],
  'Suspected fraud': ['suspeita de fraude', 'suspected fraud', 'fraude confirmada'],
  'Transaction not permitted': ['transação não permitida', 'transaction not permitted', 'transaction not allowed'],
};

/** Lower case, no accents (ç -> c, º -> o), punctuation as spaces, single spaces. */
export function normaliseDeclineText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const PHRASES: ReadonlyArray<{ phrase: string; reason: string }> = Object.entries(HARD_DECLINE_PHRASES).flatMap(
  ([reason, phrases]) => phrases.map((phrase) => ({ phrase: ` ${normaliseDeclineText(phrase)} `, reason })),
);

/** The hard-decline reason a provider's message states in words, or undefined when it states none. */
export function hardDeclineReasonIn(message: string | null | undefined): string | undefined {
  if (!message) return undefined;
  // Padded with spaces so every phrase matches whole words only.
  const words = ` ${normaliseDeclineText(message)} `;
  return PHRASES.find(({ phrase }) => words.includes(phrase))?.reason;
}
