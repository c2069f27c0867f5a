/**
 * The engine's public TypeScript API: the one way into the engine for backend services (the HTTP
 * API and the CLI are built on it). Every input is validated with the schemas the workflows use
 * before anything reaches Temporal.
 */
import {
  Client,
  Connection,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  completeResellerPaymentInputSchema,
  resellerPaymentWorkflowId,
  type CompletedResellerPayment,
  type ResellerPaymentView,
} from '../common/reseller-payment';
import { ResellerId } from '../common/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue';
import { parseInput } from '../common/validation';
import { resellerPaymentConfirmedSignal, resellerPaymentQuery } from '../workflows/definitions';
import type { resellerPaymentWorkflow } from '../workflows';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { loadTemporalTarget } from './connection';
import { clientPayloadCodec } from './encryption';
import { SubscriptionsApi } from './subscriptions';
import { TransfersApi } from './transfers';
import { CouponsApi } from './coupons';
import { BillingRunsApi } from './billing-runs';
import { AdiqApi } from './adiq';
import { WebhooksApi } from './webhooks';
import { ConflictError, NotFoundError } from './errors';

/**
 * Start only when no run of the id exists, running (FAIL) or finished (REJECT_DUPLICATE: completed
 * work stays completed). The server lets exactly one of concurrent starts through; the others get
 * WorkflowExecutionAlreadyStartedError and attach. (USE_EXISTING would answer every caller with
 * the run and no word on who started it: SDK 1.24 does not expose the response's `started`.)
 */
const START_ONCE = {
  workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
} as const;

export * from './errors';
export type {
  CompleteResellerPaymentInput,
  CompletedResellerPayment,
  ResellerPaymentView,
} from '../common/reseller-payment';

export { canonicalJson, differingPaths } from './canonical';

export interface BillingClientOptions {
  client: Client;
  taskQueue?: string;
}

export interface StartedWorkflow {
  workflowId: string;
  runId: string;
  /** True when an earlier request already started it and this one attached to it. */
  attached: boolean;
}

export class BillingClient {
  readonly temporal: Client;
  readonly taskQueue: string;

  constructor(options: BillingClientOptions) {
    this.temporal = options.client;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /** Connects with the Temporal environment configuration (TEMPORAL_ADDRESS, profiles...). */
  static async connect(env: NodeJS.ProcessEnv = process.env): Promise<BillingClient> {
    // Without a key nothing is written in clear (BILLING_ENCRYPTION=off says the payloads are plain).
    const codec = clientPayloadCodec(env);
    const target = loadTemporalTarget(env);
    const connection = await Connection.connect({ ...target.connectionOptions, address: target.address });
    return new BillingClient({
      client: new Client({
        connection,
        namespace: target.namespace,
        dataConverter: codec ? { payloadCodecs: [codec] } : undefined,
      }),
      taskQueue: env.BILLING_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    });
  }

  async close(): Promise<void> {
    await this.temporal.connection.close();
  }

  /** True when the Temporal frontend answers for our namespace. */
  async isTemporalReachable(): Promise<boolean> {
    try {
      await this.temporal.workflowService.describeNamespace({ namespace: this.temporal.options.namespace });
      return true;
    } catch {
      return false;
    }
  }

  /** Create, read and steer subscriptions. */
  readonly subscriptions = new SubscriptionsApi(this);

  /** The coupon catalog: define coupons with a global redemption limit, read them (README, coupons). */
  readonly coupons = new CouponsApi(this);

  /** Schedule, follow and cancel payouts. */
  readonly transfers = new TransfersApi(this);

  /** The daily billing run's schedule: ensure, trigger, pause, inspect. */
  readonly billingRuns = new BillingRunsApi(this);

  /** Adiq's notification registration. */
  readonly adiq = new AdiqApi(this);

  /** Provider webhooks, once authenticated by the ingress: parsed and routed to their workflows. */
  readonly webhooks = new WebhooksApi(this);

  readonly resellerPayments = {
    /**
     * Starts completing a reseller's payment. A second request for the same (reseller, payment)
     * attaches to the first instead of completing twice.
     */
    complete: async (input: unknown): Promise<StartedWorkflow> => {
      const parsed = parseInput(completeResellerPaymentInputSchema, input, 'reseller payment');
      const workflowId = resellerPaymentWorkflowId(parsed.resellerId, parsed.paymentId);
      return this.startOrAttach(workflowId, () =>
        this.temporal.workflow.start('resellerPaymentWorkflow', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [parsed],
          typedSearchAttributes: [{ key: ResellerId, value: String(parsed.resellerId) }],
          memo: { summary: `Reseller ${parsed.resellerId} payment ${parsed.paymentId}` },
          ...START_ONCE,
        }),
      );
    },

    get: async (resellerId: number, paymentId: number): Promise<ResellerPaymentView> => {
      const handle = this.temporal.workflow.getHandle(resellerPaymentWorkflowId(resellerId, paymentId));
      return this.query(
        handle,
        () => handle.query(resellerPaymentQuery),
        `reseller ${resellerId} payment ${paymentId}`,
      );
    },

    result: async (resellerId: number, paymentId: number): Promise<CompletedResellerPayment> => {
      const handle = this.temporal.workflow.getHandle<typeof resellerPaymentWorkflow>(
        resellerPaymentWorkflowId(resellerId, paymentId),
      );
      return handle.result();
    },

    confirm: async (
      resellerId: number,
      paymentId: number,
      providerReference: string,
      paidAt?: string,
    ): Promise<void> => {
      const handle = this.temporal.workflow.getHandle(resellerPaymentWorkflowId(resellerId, paymentId));
      await this.query(
        handle,
        () => handle.signal(resellerPaymentConfirmedSignal, { providerReference, paidAt }),
        `reseller ${resellerId} payment ${paymentId}`,
      );
    },
  };

  /**
   * Starts a workflow whose id is a business key, or attaches to the one that exists (running or
   * finished): the same business operation is never started twice, and only the caller whose start
   * the server accepted reports `attached: false`, however many call at once. `start` must use
   * START_ONCE's policies.
   */
  async startOrAttach(
    workflowId: string,
    start: () => Promise<WorkflowHandleWithFirstExecutionRunId>,
  ): Promise<StartedWorkflow> {
    try {
      const handle = await start();
      return { workflowId, runId: handle.firstExecutionRunId, attached: false };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const existing = await this.describe(workflowId);
      if (!existing) throw new ConflictError(`${workflowId} exists but cannot be described`);
      return { workflowId, runId: existing.runId, attached: true };
    }
  }

  /**
   * The arguments the workflow id's first run was started with (decoded, decrypted), whatever
   * runs followed it (continue-as-new carries state, not the caller's input); undefined when no
   * run exists. Only the first event is read.
   */
  async firstRunInput(workflowId: string): Promise<unknown[] | undefined> {
    const description = await this.describe(workflowId);
    if (!description) return undefined;
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
    const response = await this.temporal.workflowService.getWorkflowExecutionHistory({
      namespace: this.temporal.options.namespace,
      execution: { workflowId, runId: firstRunId },
      maximumPageSize: 1,
    });
    const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!started) return undefined;
    return decodeArrayFromPayloads(this.temporal.options.loadedDataConverter, started.input?.payloads);
  }

  async describe(workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.temporal.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  private async query<T>(_handle: WorkflowHandle, call: () => Promise<T>, what: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No ${what}`);
      throw error;
    }
  }
}
