/**
 * ZapSign partner activities: tell ZapSign a client account is in default or up to date.
 *
 * The client's api token is a credential the customer holds: it must never be an activity input
 * (inputs are stored in workflow history). Workflows pass a `clientRef` and the worker resolves
 * the token through an injected resolver (secret store, encrypted table...). A resolver that cannot
 * find a ref should throw ApplicationFailure.nonRetryable; other resolver errors are retried.
 */
import type { ZapSignPartnerClient } from '../../providers/zapsign/client';
import type { ZapSignPaymentStatus } from '../../providers/zapsign/schemas';
import { withProviderFailures } from '../provider-failure';

export type ClientTokenResolver = (clientRef: string) => Promise<string>;

export interface UpdatePartnerPaymentStatusInput {
  /** Our reference of the ZapSign client account (not its token). */
  clientRef: string;
  paymentStatus: ZapSignPaymentStatus;
}

export interface PartnerActivityDeps {
  zapsign: Pick<ZapSignPartnerClient, 'updatePaymentStatus'>;
  resolveClientToken: ClientTokenResolver;
}

export function createPartnerActivities({ zapsign, resolveClientToken }: PartnerActivityDeps) {
  return {
    /** Idempotent at ZapSign (it sets a flag), so Temporal may retry it after a lost answer. */
    async updatePartnerPaymentStatus(input: UpdatePartnerPaymentStatusInput): Promise<UpdatePartnerPaymentStatusInput> {
      const clientApiToken = await resolveClientToken(input.clientRef);
      return withProviderFailures(async () => {
        await zapsign.updatePaymentStatus({ clientApiToken, paymentStatus: input.paymentStatus });
        return { clientRef: input.clientRef, paymentStatus: input.paymentStatus };
      });
    },
  };
}

export type PartnerActivities = ReturnType<typeof createPartnerActivities>;
