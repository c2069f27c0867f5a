/**
 * Completes a reseller's payment at ActivePlatform exactly once, after it was paid elsewhere:
 * either the caller confirms it, or the workflow waits for the paying provider's confirmation.
 */
import {
  ApplicationFailure,
  condition,
  log,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  checkResellerPaymentInput,
  type CompletedResellerPayment,
  type CompleteResellerPaymentInput,
  type ResellerPaymentState,
  type ResellerPaymentView,
} from '../common/reseller-payment-rules';
import { providerWriteRetry } from '../common/retry-policies';
import { ResellerId, ResellerPaymentStatus } from '../common/search-attributes';
import { resellerPaymentConfirmedSignal, resellerPaymentQuery } from './definitions';
import { applicationCause, invalidInput } from './failures';
import { providerActivities } from './provider-activities';
import { FailureType } from '../common/failure-types';

export async function resellerPaymentWorkflow(
  rawInput: CompleteResellerPaymentInput,
): Promise<CompletedResellerPayment> {
  // Heartbeats while it waits on ActivePlatform: a dead worker's attempt is retried after 10 seconds.
  const { completeResellerPayment } = providerActivities('activeplatform', {
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '10 seconds',
    retry: providerWriteRetry,
  });
  const checked = checkResellerPaymentInput(rawInput);
  if (!checked.input) throw invalidInput(`Invalid reseller payment input: ${checked.problems.join('; ')}`);
  const input = checked.input;
  const { confirmation } = input;
  const view: ResellerPaymentView = {
    resellerId: input.resellerId,
    paymentId: input.paymentId,
    state: confirmation.mode === 'await' ? 'awaiting_confirmation' : 'completing',
    providerReference: confirmation.providerReference,
    confirmedAt: confirmation.mode === 'confirmed' ? new Date().toISOString() : undefined,
  };
  const moveTo = (state: ResellerPaymentState, reason?: string) => {
    view.state = state;
    view.reason = reason;
    upsertSearchAttributes([{ key: ResellerPaymentStatus, value: state }]);
    upsertMemo({
      summary: `Reseller ${input.resellerId} payment ${input.paymentId}: ${state.replace(/_/g, ' ')}${reason ? ` (${reason})` : ''}`,
    });
  };

  setHandler(resellerPaymentQuery, () => view);
  setHandler(resellerPaymentConfirmedSignal, ({ providerReference, paidAt }) => {
    if (providerReference !== confirmation.providerReference) {
      log.warn('Ignoring a confirmation for another provider reference', { providerReference });
      return;
    }
    view.confirmedAt ??= paidAt ?? new Date().toISOString();
  });

  upsertSearchAttributes([{ key: ResellerId, value: String(input.resellerId) }]);
  moveTo(view.state);

  if (confirmation.mode === 'await') {
    const waitMs = Math.max(0, Date.parse(confirmation.deadline) - Date.now());
    const confirmed = await condition(() => view.confirmedAt !== undefined, waitMs);
    if (!confirmed) {
      moveTo('confirmation_expired', `no confirmation from ${confirmation.provider} by ${confirmation.deadline}`);
      throw ApplicationFailure.nonRetryable(
        `Payment ${input.paymentId} was not confirmed by ${confirmation.deadline}`,
        FailureType.ConfirmationExpired,
      );
    }
    moveTo('completing');
  }

  let result: CompletedResellerPayment;
  try {
    result = await completeResellerPayment({
      resellerId: input.resellerId,
      paymentId: input.paymentId,
      paymentMethodId: input.paymentMethodId,
    });
  } catch (error) {
    const cause = applicationCause(error);
    if (
      cause &&
      (cause.type === FailureType.InvalidState ||
        cause.type === FailureType.InvalidRequest ||
        cause.type === FailureType.ProviderAuth)
    ) {
      moveTo('rejected', cause.message);
      throw ApplicationFailure.nonRetryable(
        `ActivePlatform refused to complete payment ${input.paymentId}: ${cause.message}`,
        cause.type,
      );
    }
    throw error;
  }
  view.result = result;
  moveTo('completed');
  log.info('Reseller payment completed', { workflowId: workflowInfo().workflowId });
  return result;
}
