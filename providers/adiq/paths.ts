/**
 * Every Adiq Recurrence host and resource path, in one table.
 *
 * The document (adiq-recurrence-api.txt) gives the hosts ("Authentication" and "Plan" sections)
 * and the verbs, but NOT the resource paths. The paths below are ASSUMPTIONS that follow the
 * document's structure (Plan / Subscription / Billing / Notifications) and Adiq's conventions on
 * its e-commerce API (`/auth/oauth2/v1/token`, versioned plural resources `/v1/...`). Change them
 * here, once, when Adiq confirms them: the client and the sandbox both read this table.
 *
 * Templates use `:param` segments, which the sandbox registers as Fastify routes as they are and
 * the client fills with `fillPath` (URL-encoded).
 */

/** Hosts per environment; auth and recurrence live on different hosts. */
export const ADIQ_HOSTS = {
  homologation: { auth: 'https://authorization-hml.adiq.io', recurrence: 'https://recorrencia-hml.adiq.io' },
  production: { auth: 'https://authorization.adiq.io', recurrence: 'https://recorrencia.adiq.io' },
} as const;
export type AdiqEnvironment = keyof typeof ADIQ_HOSTS;

/** Relative to the auth host. */
export const ADIQ_AUTH_PATHS = {
  /** "Access Token Generation" (POST, HTTP Basic). Assumed: e-commerce's path without its `/auth` service prefix. */
  token: '/oauth2/v1/token',
} as const;

/** Relative to the recurrence host. */
export const ADIQ_RECURRENCE_PATHS = {
  /** POST create plan, GET search plans. */
  plans: '/v1/plans',
  /** GET plan by id, PUT update plan. */
  plan: '/v1/plans/:planId',
  /** PUT update plan status. */
  planStatus: '/v1/plans/:planId/status',
  /** POST create subscription, GET search subscriptions. */
  subscriptions: '/v1/subscriptions',
  /** GET subscription by id. */
  subscription: '/v1/subscriptions/:subscriptionId',
  /** PUT alter subscription status. */
  subscriptionStatus: '/v1/subscriptions/:subscriptionId/status',
  /** PUT alter subscription vault. */
  subscriptionVault: '/v1/subscriptions/:subscriptionId/vault',
  /** GET search payments ("Billing"). */
  billings: '/v1/billings',
  /** PUT cancel payment. */
  billingCancel: '/v1/billings/:billingId/cancel',
  /** POST create notification, GET search notifications. */
  notifications: '/v1/notifications',
  /** PUT update notification: the document names merchantId (not a notification id) as the path parameter. */
  notification: '/v1/notifications/:merchantId',
} as const;

export type AdiqRecurrencePath = keyof typeof ADIQ_RECURRENCE_PATHS;

/** Fills `:name` segments, URL-encoding each value; a missing value is a programming error. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`fillPath: missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}
