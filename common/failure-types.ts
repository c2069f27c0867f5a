/**
 * The failure types that cross the boundary between activities and workflows (an
 * ApplicationFailure's `type`), in one place: retry policies, workflows and the client match on
 * them. Plain constants, no dependencies: workflow code imports this module.
 */
export const FailureType = {
  /** A decline worth retrying later on the dunning schedule (e.g. insufficient funds). */
  SoftDecline: 'SoftDecline',
  /** A decline that must never be retried (canceled, lost or stolen card...). */
  HardDecline: 'HardDecline',
  /** The provider rejected the request as malformed; field errors are kept. Not retryable. */
  InvalidRequest: 'InvalidRequest',
  /** The request is valid but the resource is in a state that forbids it (e.g. ActivePlatform 422). */
  InvalidState: 'InvalidState',
  /** 401/403: credentials or configuration are wrong; the message names the setting to fix. */
  ProviderAuth: 'ProviderAuth',
  /** 429: retried by Temporal, honouring the provider's retry hint. */
  RateLimited: 'RateLimited',
  /** 5xx, timeouts before anything was sent, connection errors, unreadable answers to reads. */
  Transient: 'Transient',
  /**
   * A mutating request was sent and no usable answer came back: money may or may not have moved.
   * Never treated as a failure: the next attempt asks the provider before doing anything again.
   */
  UnknownOutcome: 'UnknownOutcome',
  /** An attempt the provider refused before acting on it (a 429, a refused connection): the next one may send. */
  NotSent: 'NotSent',
  /** A card capture whose authorization can no longer be captured: authorize again. */
  AuthorizationLost: 'AuthorizationLost',
  /** The worker lacks a setting (a merchant secret, a ZapSign token, Adiq's notification URL). */
  ConfigurationError: 'ConfigurationError',
  /** Input that fails validation: the workflow (or the create) is refused, naming the fields. */
  ValidationError: 'ValidationError',
  /** An operation the subscription's transition table refuses in its current state. */
  Refused: 'Refused',
  /** A merchant's callback answered other than 2xx. */
  MerchantCallbackFailed: 'MerchantCallbackFailed',
  /** A reseller payment nobody confirmed by its deadline. */
  ConfirmationExpired: 'ConfirmationExpired',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failures Temporal must not retry: declines go to the dunning schedule, the rest need a human. */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = [
  FailureType.SoftDecline,
  FailureType.HardDecline,
  FailureType.InvalidRequest,
  FailureType.InvalidState,
  FailureType.ProviderAuth,
  FailureType.ValidationError,
];
