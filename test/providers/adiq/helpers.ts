/** Shared set-up for the Adiq tests (not a test file). */
import { AdiqClient, type AdiqClientOptions } from '../../../providers/adiq/client';
import { SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../../../common/sandbox-credentials';
import type { RunningSandbox } from '../../helpers/sandbox';
import { control } from '../expect-error';

export const VAULT_ID = 'e7fa5a01-90a9-4abc-9bac-d9dbfa7db587';
export const OTHER_VAULT_ID = 'e954a511-f081-42e1-8531-2c4dcdf9a2cf';

export function adiqClient(sandbox: RunningSandbox, options: Partial<AdiqClientOptions> = {}): AdiqClient {
  return new AdiqClient({
    authBaseUrl: `${sandbox.url}${SANDBOX_PREFIX.adiqAuth}`,
    recurrenceBaseUrl: `${sandbox.url}${SANDBOX_PREFIX.adiqRecurrence}`,
    ...SANDBOX_CREDENTIALS.adiq,
    timeoutMs: 500,
    ...options,
  });
}

/** POST/GET on the Adiq sandbox's control routes (/adiq/__control/...). */
export function adiqControl<T = unknown>(sandbox: RunningSandbox, method: string, path: string, body?: unknown) {
  return control<T>(`${sandbox.url}/adiq/__control`, method, path, body);
}

export const monthlyPlan = {
  name: 'Neighborhood Newspaper - monthly subscription',
  description: 'Newspaper with local news from the neighborhood',
  amountCents: 599,
  planType: 'Monthly' as const,
  trialDays: 7,
  attempts: 3,
};

export async function tokenRequests(sandbox: RunningSandbox): Promise<number> {
  return (await sandbox.control.requests({ operation: 'adiq.auth.token' })).length;
}
