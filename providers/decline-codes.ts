/**
 * The one table of card decline / return codes, shared by every card provider (Zspay, Adiq...).
 *
 * 'soft' = the issuer may approve later: retry on the dunning schedule (never immediately).
 * 'hard' = retrying cannot succeed (card lost, stolen, expired, closed, blocked...) or is forbidden
 *          by the card brands' retry rules: never retry, ask the customer for a new card.
 *
 * Numeric codes follow the ABECS standard list of response codes ("códigos de resposta", which the
 * Brazilian acquirers — Cielo, Rede, Getnet, Stone, Adiq — return as `return_code`). ABECS marks
 * some codes "retentável" (retry allowed) that we classify hard (59 fraud, 62 restricted, 78
 * blocked new card): the brands' retry programmes (Visa/Mastercard "do not retry" categories) are
 * stricter, and a hard decline retried costs fees and can get the merchant flagged.
 *
 * Textual codes are the categories providers return instead of (or besides) the ABECS number.
 * `classifyDecline` adds the provider's message (decline-phrases.ts) for declines whose code says
 * nothing about the reason.
 */
import { hardDeclineReasonIn } from './decline-phrases';

export type DeclineClass = 'soft' | 'hard';

interface DeclineEntry {
  readonly kind: DeclineClass;
  readonly description: string;
  /** Says only that the card was declined, not why: the message may still tell (see classifyDecline). */
  readonly generic?: boolean;
}

const soft = (description: string): DeclineEntry => ({ kind: 'soft', description });
const hard = (description: string): DeclineEntry => ({ kind: 'hard', description });
const generic = (description: string): DeclineEntry => ({ kind: 'soft', description, generic: true });

/** ABECS numeric return codes (two characters; lookups also accept '5' for '05'). */
const ABECS_CODES: Readonly<Record<string, DeclineEntry>> = {
  '01': soft('Refer to card issuer (contact the issuer)'),
  '02': soft('Refer to card issuer, special condition'),
  '03': hard('Invalid merchant'),
  '04': hard('Pick up card (card withheld)'),
  '05': soft('Do not honor (generic issuer decline)'),
  '06': soft('Error / retry'),
  '07': hard('Pick up card, special condition (fraud suspected)'),
  '12': hard('Invalid transaction'),
  '13': hard('Invalid amount'),
  '14': hard('Invalid card number'),
  '15': hard('No such issuer'),
  '19': soft('Re-enter transaction'),
  '23': hard('Invalid installment / unacceptable transaction fee'),
  '30': hard('Format error'),
  '38': hard('PIN tries exceeded, card blocked'),
  '39': hard('No credit account'),
  '41': hard('Lost card'),
  '43': hard('Stolen card'),
  '46': hard('Closed account'),
  '51': soft('Insufficient funds / over credit limit'),
  '52': hard('No checking account'),
  '53': hard('No savings account'),
  '54': hard('Expired card'),
  '55': hard('Incorrect PIN'),
  '56': hard('No card record'),
  '57': hard('Transaction not permitted to cardholder'),
  '58': hard('Transaction not permitted to terminal / merchant'),
  '59': hard('Suspected fraud'),
  '61': soft('Exceeds withdrawal / purchase amount limit'),
  '62': hard('Restricted card (domestic use only or blocked for this use)'),
  '63': hard('Security violation (invalid CVV)'),
  '64': hard('Original amount incorrect'),
  '65': soft('Exceeds withdrawal / purchase frequency limit'),
  '70': soft('Contact card issuer'),
  '74': hard('Invalid card data (e.g. expiry date)'),
  '75': hard('PIN tries exceeded'),
  '76': hard('Invalid / nonexistent destination account'),
  '77': hard('Invalid / nonexistent origin account'),
  '78': hard('Blocked card: new card not yet unlocked by the cardholder'),
  '79': soft('Lifecycle decline (Mastercard): retry later or with updated data'),
  '80': hard('Invalid date / card data'),
  '81': hard('Cryptographic error'),
  '82': hard('Invalid CVV / card verification'),
  '83': soft('Unable to verify PIN'),
  '85': soft('No reason to decline (verification only)'),
  '86': soft('Unable to verify PIN (issuer)'),
  '89': soft('Issuer temporarily unavailable'),
  '91': soft('Issuer or switch inoperative / unavailable'),
  '93': hard('Transaction cannot be completed, violation of law'),
  '94': soft('Duplicate transmission'),
  '96': soft('System malfunction'),
  '99': soft('Other (generic)'),
  AB: hard('Use debit function (credit not allowed for this card)'),
  AC: hard('Use credit function (debit not allowed for this card)'),
  A5: hard('Transaction not permitted (brand rule)'),
  N7: hard('Invalid CVV2'),
  R0: hard('Recurring payment stopped by the cardholder'),
  R1: hard('Recurring payments revoked by the cardholder'),
  R3: hard('All recurring payments revoked by the cardholder'),
};

/** Textual categories/codes used by providers' APIs (lower-case; lookups are case-insensitive). */
const TEXT_CODES: Readonly<Record<string, DeclineEntry>> = {
  insufficient_funds: soft('Insufficient funds'),
  // 'card_declined' without a more precise reason is usually the issuer's generic "do not honor" (05):
  // soft, unless the message names a hard reason (Zspay: category card_declined, "Cartão cancelado").
  card_declined: generic('Card declined (generic)'),
  generic_decline: generic('Card declined (generic)'),
  do_not_honor: soft('Do not honor'),
  try_again_later: soft('Try again later'),
  issuer_not_available: soft('Issuer unavailable'),
  processing_error: soft('Processing error'),
  card_velocity_exceeded: soft('Card velocity / limit exceeded'),
  withdrawal_count_limit_exceeded: soft('Frequency limit exceeded'),
  limit_exceeded: soft('Limit exceeded'),
  expired_card: hard('Expired card'),
  lost_card: hard('Lost card'),
  stolen_card: hard('Stolen card'),
  canceled_card: hard('Canceled card'),
  cancelled_card: hard('Canceled card'),
  blocked_card: hard('Blocked card'),
  restricted_card: hard('Restricted card'),
  invalid_card: hard('Invalid card'),
  invalid_number: hard('Invalid card number'),
  incorrect_number: hard('Invalid card number'),
  invalid_expiry_date: hard('Invalid expiry date'),
  invalid_cvc: hard('Invalid security code'),
  incorrect_cvc: hard('Invalid security code'),
  pickup_card: hard('Pick up card'),
  fraudulent: hard('Suspected fraud'),
  suspected_fraud: hard('Suspected fraud'),
  closed_account: hard('Closed account'),
  transaction_not_allowed: hard('Transaction not permitted'),
  not_permitted: hard('Transaction not permitted'),
  revocation_of_authorization: hard('Recurring authorization revoked by the cardholder'),
  stop_payment_order: hard('Stop payment order'),
};

function lookup(code: string): DeclineEntry | undefined {
  const trimmed = code.trim();
  if (trimmed === '') return undefined;
  // Numeric codes may come as '5', '05' or 5 stringified: normalise to the two-digit ABECS form.
  if (/^\d{1,2}$/.test(trimmed)) return ABECS_CODES[trimmed.padStart(2, '0')];
  return ABECS_CODES[trimmed.toUpperCase()] ?? TEXT_CODES[trimmed.toLowerCase()];
}

/**
 * 'soft' | 'hard' for a known code, undefined for an unknown one.
 * Callers should treat undefined as soft: an unknown code retried on the (slow, bounded) dunning
 * schedule costs a few declined attempts, whereas wrongly treating it as hard stops a subscription
 * that would have been paid. Log unknown codes so the table can be extended.
 */
export function classifyDeclineCode(code: string): 'soft' | 'hard' | undefined {
  return lookup(code)?.kind;
}

/** A short English description of the code, or undefined when unknown. */
export function describeDeclineCode(code: string): string | undefined {
  return lookup(code)?.description;
}

/** What a provider tells about one decline; any part may be missing. */
export interface DeclineEvidence {
  /** The acquirer's return code: ABECS number ('05', 54) or a textual code ('expired_card'). */
  code?: string | number | null;
  /** The provider's category (Zspay `error.category`, e.g. 'card_declined'). */
  category?: string | null;
  /** The provider's words ("Cartão cancelado", "Saldo insuficiente"). */
  message?: string | null;
}

/**
 * Soft or hard for one decline: a known code first, then the category, then a hard-decline phrase
 * in the message; otherwise soft (see classifyDeclineCode). A generic code or category
 * ('card_declined') decides nothing by itself, so the message can still name the reason.
 */
export function classifyDecline({ code, category, message }: DeclineEvidence): DeclineClass {
  for (const value of [code, category]) {
    const entry = value === null || value === undefined ? undefined : lookup(String(value));
    if (entry && !entry.generic) return entry.kind;
  }
  return hardDeclineReasonIn(message) ? 'hard' : 'soft';
}
