/**
 * The Adiq Recurrence client: plans, subscriptions, billing (payments) and merchant notification
 * registrations (adiq-recurrence-api.txt). Every call carries the cached OAuth token (token.ts);
 * a 401 means the token was refused (expired early, revoked): the cache is invalidated and the
 * call is sent ONCE more with a new token, and a second 401 is a credentials problem
 * (ProviderAuthError naming ADIQ_CLIENT_ID/ADIQ_CLIENT_SECRET). A 401 is answered before anything
 * is done, so repeating a write after it is safe.
 *
 * Money: plan amounts go in as integer cents and are sent as exact decimals in reais (money.ts).
 * Resource paths: paths.ts (assumptions, in one table).
 */
import { InvalidRequestError, ProviderAuthError } from '../errors';
import { ProviderHttp, type ProviderRequest } from '../http';
import { validateRequest } from '../request-validation';
import { mapAdiqError } from './errors';
import { centsToAdiqAmount } from './money';
import { ADIQ_RECURRENCE_PATHS as PATHS, fillPath } from './paths';
import {
  billingIdSchema,
  billingPageSchema,
  billingSearchQuerySchema,
  createNotificationRequestSchema,
  createPlanRequestSchema,
  createSubscriptionRequestSchema,
  idResponseSchema,
  notificationListSchema,
  notificationSchema,
  notificationSearchQuerySchema,
  planPageSchema,
  planSchema,
  planSearchQuerySchema,
  subscriptionPageSchema,
  subscriptionSchema,
  subscriptionSearchQuerySchema,
  subscriptionStatusRequestSchema,
  subscriptionVaultRequestSchema,
  text,
  updateNotificationRequestSchema,
  updatePlanRequestSchema,
  updatePlanStatusRequestSchema,
  type AdiqBilling,
  type AdiqNotification,
  type AdiqPage,
  type AdiqPlan,
  type AdiqSubscription,
  type BillingSearchQuery,
  type CreateNotificationRequest,
  type CreatePlanRequest,
  type CreateSubscriptionRequest,
  type KnownPlanStatus,
  type NotificationSearchQuery,
  type PlanSearchQuery,
  type SubscriptionSearchQuery,
  type UpdateNotificationRequest,
} from './schemas';
import { SUBSCRIPTION_STATUS_REQUEST } from './status';
import { AdiqTokenCache, type AdiqTokenSource } from './token';

export const DEFAULT_ADIQ_TIMEOUT_MS = 15_000;
/** Page size used when the client walks a search itself (idempotency look-ups). */
export const SEARCH_PAGE_SIZE = 100;
/** A walk stops after this many pages: a look-up that needs more is a sign of a wrong filter. */
export const MAX_SEARCH_PAGES = 50;

export interface AdiqClientOptions {
  /** The auth host: ADIQ_HOSTS[env].auth, or `${sandbox}/adiq/auth`. */
  authBaseUrl: string;
  /** The recurrence host: ADIQ_HOSTS[env].recurrence, or `${sandbox}/adiq/recurrence`. */
  recurrenceBaseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  tokenRenewMarginMs?: number;
  /** Clock for the token cache (tests). */
  now?: () => number;
  /** A shared token source (e.g. one cache per worker); built from the options otherwise. */
  tokens?: AdiqTokenSource;
}

/** A plan as the engine gives it: money in integer cents; paymentMethod defaults to CreditCard. */
export type AdiqPlanInput = Omit<CreatePlanRequest, 'amount' | 'paymentMethod'> & {
  amountCents: number;
  paymentMethod?: CreatePlanRequest['paymentMethod'];
};

const pathId = (field: string, value: string) => validateRequest('adiq', text(field, 36), value);

export class AdiqClient {
  readonly tokens: AdiqTokenSource;
  private readonly http: ProviderHttp;

  constructor(options: AdiqClientOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_ADIQ_TIMEOUT_MS;
    this.tokens =
      options.tokens ??
      new AdiqTokenCache({
        authBaseUrl: options.authBaseUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        timeoutMs,
        renewMarginMs: options.tokenRenewMarginMs,
        now: options.now,
      });
    this.http = new ProviderHttp({
      provider: 'adiq',
      baseURL: options.recurrenceBaseUrl,
      timeoutMs,
      mapErrorResponse: mapAdiqError,
      headers: { Accept: 'application/json' },
    });
  }

  // ---- plans -------------------------------------------------------------------------------

  /** POST plans: answers the new plan's id. */
  async createPlan(input: AdiqPlanInput): Promise<string> {
    const body = validateRequest('adiq', createPlanRequestSchema, toPlanBody(input));
    return this.call({ method: 'POST', path: PATHS.plans, mutating: true, body, response: idResponseSchema });
  }

  async searchPlans(query: PlanSearchQuery = {}): Promise<AdiqPage<AdiqPlan>> {
    const params = validateRequest('adiq', planSearchQuerySchema, query);
    return this.call({ method: 'GET', path: PATHS.plans, query: params, response: planPageSchema });
  }

  async getPlan(planId: string): Promise<AdiqPlan> {
    return this.call({
      method: 'GET',
      path: fillPath(PATHS.plan, { planId: pathId('planId', planId) }),
      response: planSchema,
    });
  }

  /** PUT plan: every field again (merchantId mandatory here); answers the plan id. */
  async updatePlan(planId: string, input: AdiqPlanInput & { merchantId: string }): Promise<string> {
    const body = validateRequest('adiq', updatePlanRequestSchema, toPlanBody(input));
    const path = fillPath(PATHS.plan, { planId: pathId('planId', planId) });
    return this.call({ method: 'PUT', path, mutating: true, body, response: idResponseSchema });
  }

  async updatePlanStatus(planId: string, status: KnownPlanStatus): Promise<string> {
    const body = validateRequest('adiq', updatePlanStatusRequestSchema, { status });
    const path = fillPath(PATHS.planStatus, { planId: pathId('planId', planId) });
    return this.call({ method: 'PUT', path, mutating: true, body, response: idResponseSchema });
  }

  /** Walks the plan search for plans with exactly this name (the search's `name` filter may be partial). */
  async findPlansByName(name: string): Promise<AdiqPlan[]> {
    const found: AdiqPlan[] = [];
    for await (const plan of this.walk((page) => this.searchPlans({ name, page, limit: SEARCH_PAGE_SIZE }))) {
      if (plan.name === name) found.push(plan);
    }
    return found;
  }

  // ---- subscriptions -----------------------------------------------------------------------

  /** POST subscriptions: answers the new subscription's id. */
  async createSubscription(request: CreateSubscriptionRequest): Promise<string> {
    const body = validateRequest('adiq', createSubscriptionRequestSchema, request);
    return this.call({ method: 'POST', path: PATHS.subscriptions, mutating: true, body, response: idResponseSchema });
  }

  async getSubscription(subscriptionId: string): Promise<AdiqSubscription> {
    const path = fillPath(PATHS.subscription, { subscriptionId: pathId('subscriptionId', subscriptionId) });
    return this.call({ method: 'GET', path, response: subscriptionSchema });
  }

  async searchSubscriptions(query: SubscriptionSearchQuery = {}): Promise<AdiqPage<AdiqSubscription>> {
    const params = validateRequest('adiq', subscriptionSearchQuerySchema, query);
    return this.call({ method: 'GET', path: PATHS.subscriptions, query: params, response: subscriptionPageSchema });
  }

  /** 'active' re-activates (e.g. after a block), 'canceled' ends it. Answers the subscription id. */
  async changeSubscriptionStatus(
    subscriptionId: string,
    status: keyof typeof SUBSCRIPTION_STATUS_REQUEST,
  ): Promise<string> {
    const body = validateRequest('adiq', subscriptionStatusRequestSchema, {
      status: SUBSCRIPTION_STATUS_REQUEST[status],
    });
    const path = fillPath(PATHS.subscriptionStatus, { subscriptionId: pathId('subscriptionId', subscriptionId) });
    return this.call({ method: 'PUT', path, mutating: true, body, response: idResponseSchema });
  }

  /** Points the subscription at another card vault. Answers the subscription id. */
  async changeSubscriptionVault(subscriptionId: string, vaultId: string): Promise<string> {
    const body = validateRequest('adiq', subscriptionVaultRequestSchema, { vaultId });
    const path = fillPath(PATHS.subscriptionVault, { subscriptionId: pathId('subscriptionId', subscriptionId) });
    return this.call({ method: 'PUT', path, mutating: true, body, response: idResponseSchema });
  }

  /**
   * The subscription with this orderNumber, walking the search: the document's search has no
   * orderNumber filter (planName, status, orderby, page, limit), so `planName` narrows it when known.
   */
  async findSubscriptionByOrderNumber(
    orderNumber: string,
    filter: { planName?: string; planId?: string } = {},
  ): Promise<AdiqSubscription | undefined> {
    for await (const subscription of this.walk((page) =>
      this.searchSubscriptions({ planName: filter.planName, page, limit: SEARCH_PAGE_SIZE }),
    )) {
      if (subscription.orderNumber === orderNumber && (!filter.planId || subscription.plan.id === filter.planId))
        return subscription;
    }
    return undefined;
  }

  // ---- billing (payments) --------------------------------------------------------------------

  async searchBillings(query: BillingSearchQuery = {}): Promise<AdiqPage<AdiqBilling>> {
    const params = validateRequest('adiq', billingSearchQuerySchema, query);
    return this.call({ method: 'GET', path: PATHS.billings, query: params, response: billingPageSchema });
  }

  /** Every billing matching the query and `accept`, walking the pages (the search has no subscription filter). */
  async findBillings(
    query: Omit<BillingSearchQuery, 'page' | 'limit'>,
    accept: (billing: AdiqBilling) => boolean,
  ): Promise<AdiqBilling[]> {
    const found: AdiqBilling[] = [];
    for await (const billing of this.walk((page) => this.searchBillings({ ...query, page, limit: SEARCH_PAGE_SIZE }))) {
      if (accept(billing)) found.push(billing);
    }
    return found;
  }

  /** PUT cancel: only a payment not yet made can be canceled. Answers the billing id. */
  async cancelBilling(billingId: string): Promise<string> {
    const path = fillPath(PATHS.billingCancel, { billingId: validateRequest('adiq', billingIdSchema, billingId) });
    return this.call({ method: 'PUT', path, mutating: true, response: idResponseSchema });
  }

  // ---- notification registrations -----------------------------------------------------------

  async createNotification(request: CreateNotificationRequest): Promise<string> {
    const body = validateRequest('adiq', createNotificationRequestSchema, request);
    return this.call({ method: 'POST', path: PATHS.notifications, mutating: true, body, response: idResponseSchema });
  }

  async searchNotifications(query: NotificationSearchQuery = {}): Promise<AdiqNotification[]> {
    const params = validateRequest('adiq', notificationSearchQuerySchema, query);
    return this.call({ method: 'GET', path: PATHS.notifications, query: params, response: notificationListSchema });
  }

  /** PUT notification: the document keys it by merchantId (path) and answers the updated record. */
  async updateNotification(merchantId: string, request: UpdateNotificationRequest): Promise<AdiqNotification> {
    const body = validateRequest('adiq', updateNotificationRequestSchema, { merchantId, ...request });
    const path = fillPath(PATHS.notification, {
      merchantId: validateRequest('adiq', text('merchantId', 20), merchantId),
    });
    return this.call({ method: 'PUT', path, mutating: true, body, response: notificationSchema });
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** Sends with the current token; on a 401 renews the token and sends once more. */
  private async call<T>(request: ProviderRequest<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const token = await this.tokens.get();
      try {
        return await this.http.request({
          ...request,
          headers: { ...request.headers, Authorization: token.authorization },
        });
      } catch (error) {
        if (attempt === 1 && error instanceof ProviderAuthError && error.statusCode === 401) {
          this.tokens.invalidate(token);
          continue;
        }
        throw error;
      }
    }
  }

  /** Yields every item of a paged search, page after page. */
  private async *walk<T>(search: (page: number) => Promise<AdiqPage<T>>): AsyncGenerator<T> {
    for (let page = 1; page <= MAX_SEARCH_PAGES; page += 1) {
      const result = await search(page);
      yield* result.items;
      if (result.items.length === 0 || page * result.limit >= result.total) return;
    }
  }
}

function toPlanBody(input: AdiqPlanInput): Omit<CreatePlanRequest, 'amount'> & { amount: number } {
  const { amountCents, paymentMethod, ...rest } = input;
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
    throw new InvalidRequestError(
      `adiq request not sent, it is invalid: amountCents must be a positive whole number of cents`,
      {
        provider: 'adiq',
        fieldErrors: [{ field: 'amountCents', message: 'amountCents must be a positive whole number of cents' }],
      },
    );
  }
  return { ...rest, amount: centsToAdiqAmount(amountCents), paymentMethod: paymentMethod ?? 'CreditCard' };
}

/** Notification ids etc. are passed through; re-exported for callers building their own look-ups. */
export type { AdiqBilling, AdiqNotification, AdiqPlan, AdiqSubscription };
