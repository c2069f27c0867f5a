/**
 * Makes sure Adiq notifies the engine (its notification registration for this merchant points at
 * the engine's webhook URL). Run at every start-up and by `billing adiq ensure-notification`; safe
 * to repeat: the activity looks the registration up first.
 */
import { providerReadRetry } from '../common/retry-policies';
import { providerActivities } from './provider-activities';

export async function adiqNotificationWorkflow(): Promise<{
  notificationId: string;
  action: 'created' | 'updated' | 'unchanged';
  merchantId: string;
}> {
  const { ensureAdiqNotification } = providerActivities('adiq', {
    startToCloseTimeout: '1 minute',
    retry: { ...providerReadRetry, maximumAttempts: 10 },
  });
  return ensureAdiqNotification();
}
