/**
 * Credentials the provider sandbox accepts, and the worker's defaults when no provider
 * configuration is given: out of the box the engine talks to the sandbox, never to a real host.
 * These are not secrets; real credentials come only from the worker's environment.
 */
export const SANDBOX_CREDENTIALS = {
  adiq: { clientId: 'sandbox-adiq-client', clientSecret: 'sandbox-adiq-secret', merchantId: '01700555550000' },
  zspay: { token: 'sandbox-zspay-token' },
  activeplatform: { apiToken: 'sandbox-activeplatform-token' },
  zapsign: { partnerToken: 'sandbox-zapsign-partner-token' },
  paymentStatus: { apiKey: 'sandbox-payment-status-key' },
} as const;

/** Path prefix of each provider inside the one sandbox server. */
export const SANDBOX_PREFIX = {
  adiqAuth: '/adiq/auth',
  adiqRecurrence: '/adiq/recurrence',
  zspay: '/zspay',
  activeplatform: '/activeplatform',
  zapsign: '/zapsign',
  paymentStatus: '/payment-status',
} as const;

export const DEFAULT_SANDBOX_PORT = 7290;
