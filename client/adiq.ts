/** Adiq's side of the engine: its notification registration (so Adiq calls the engine's webhook URL). */
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import type { adiqNotificationWorkflow } from '../workflows';
import type { BillingClient } from './index';

export const ADIQ_NOTIFICATION_WORKFLOW_ID = 'adiq-notification-registration';

export class AdiqApi {
  constructor(private readonly billing: BillingClient) {}

  /**
   * Makes sure Adiq notifies the engine: creates, updates or leaves the registration as it is
   * (`npm start` and `npm run worker` do it at start-up). A call while one runs waits for that one.
   */
  ensureNotification(): ReturnType<typeof adiqNotificationWorkflow> {
    return this.billing.temporal.workflow.execute<typeof adiqNotificationWorkflow>('adiqNotificationWorkflow', {
      workflowId: ADIQ_NOTIFICATION_WORKFLOW_ID,
      taskQueue: this.billing.taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  }
}
