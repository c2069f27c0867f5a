/**
 * The engine's custom search attributes: what operators filter on in the Web UI and with
 * `temporal workflow list --query`. Registered at start-up (dev server flags or the operator API).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BillingStatus = defineSearchAttributeKey('BillingStatus', SearchAttributeType.KEYWORD);
export const BillingCustomerId = defineSearchAttributeKey('BillingCustomerId', SearchAttributeType.KEYWORD);
export const BillingPlanId = defineSearchAttributeKey('BillingPlanId', SearchAttributeType.KEYWORD);
export const BillingNextChargeAt = defineSearchAttributeKey('BillingNextChargeAt', SearchAttributeType.DATETIME);
export const BillingAmountCents = defineSearchAttributeKey('BillingAmountCents', SearchAttributeType.INT);
export const BillingDunningAttempt = defineSearchAttributeKey('BillingDunningAttempt', SearchAttributeType.INT);
/** Provider sale ids of boletos still awaiting payment: how a "paid" webhook finds its subscription. */
export const BillingPendingSaleIds = defineSearchAttributeKey(
  'BillingPendingSaleIds',
  SearchAttributeType.KEYWORD_LIST,
);
/** Provider sale ids of paid invoices still in state: how a refund webhook ("estornado") finds its subscription. */
export const BillingPaidSaleIds = defineSearchAttributeKey('BillingPaidSaleIds', SearchAttributeType.KEYWORD_LIST);
/** The provider's id of a provider-billed subscription (Adiq): how its notifications find it. */
export const BillingProviderSubscriptionId = defineSearchAttributeKey(
  'BillingProviderSubscriptionId',
  SearchAttributeType.KEYWORD,
);
/** Set while a charge is held (refused for a reason no retry fixes): what operators filter on. */
export const BillingChargeHeld = defineSearchAttributeKey('BillingChargeHeld', SearchAttributeType.BOOL);
/** Set while a side effect (merchant notification, partner or payment status call) fails or was given up. */
export const BillingDeliveryFailing = defineSearchAttributeKey('BillingDeliveryFailing', SearchAttributeType.BOOL);
export const TransferStatus = defineSearchAttributeKey('TransferStatus', SearchAttributeType.KEYWORD);
export const TransferScheduledAt = defineSearchAttributeKey('TransferScheduledAt', SearchAttributeType.DATETIME);
export const TransferEstablishmentId = defineSearchAttributeKey('TransferEstablishmentId', SearchAttributeType.KEYWORD);
export const ResellerId = defineSearchAttributeKey('ResellerId', SearchAttributeType.KEYWORD);
export const ResellerPaymentStatus = defineSearchAttributeKey('ResellerPaymentStatus', SearchAttributeType.KEYWORD);

export const ENGINE_SEARCH_ATTRIBUTES = [
  BillingStatus,
  BillingCustomerId,
  BillingPlanId,
  BillingNextChargeAt,
  BillingAmountCents,
  BillingDunningAttempt,
  BillingPendingSaleIds,
  BillingPaidSaleIds,
  BillingProviderSubscriptionId,
  BillingChargeHeld,
  BillingDeliveryFailing,
  TransferStatus,
  TransferScheduledAt,
  TransferEstablishmentId,
  ResellerId,
  ResellerPaymentStatus,
] as const;

/** The CLI's spelling of each type, for `temporal server start-dev --search-attribute Name=Type`. */
const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export function searchAttributeFlags(): string[] {
  return ENGINE_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}
