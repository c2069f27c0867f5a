/**
 * Card data and credentials never enter workflow histories. Every Temporal server the tests start
 * is scanned before it is torn down (every run, open or closed, of every workflow the test produced),
 * and the recorded histories in test/histories are scanned by a unit test.
 */
import type { Client } from '@temporalio/client';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { TEST_MERCHANT_SECRET } from './engine';
import { ZSPAY_TEST_CARD_NUMBER as TEST_CARD_NUMBER } from '../../sandbox/test-customer';
import { group } from './defined';

/** The document's test card, which tests use to create stored cards at the sandbox. */
export { TEST_CARD_NUMBER };

// A function, not a constant: engine.ts and temporal.ts import each other through this module.
const secrets = (): readonly string[] => [
  SANDBOX_CREDENTIALS.zspay.token,
  SANDBOX_CREDENTIALS.adiq.clientSecret,
  SANDBOX_CREDENTIALS.activeplatform.apiToken,
  SANDBOX_CREDENTIALS.zapsign.partnerToken,
  SANDBOX_CREDENTIALS.paymentStatus.apiKey,
  TEST_MERCHANT_SECRET.secret,
  TEST_CARD_NUMBER,
];

/** The OAuth access tokens the sandbox's Adiq hands out. */
const ADIQ_ACCESS_TOKEN = /sbx\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Luhn-valid runs of 13 to 19 digits starting like a card scheme (2–6): what a card number looks
 * like. Epoch milliseconds (1…) and most ids are left alone.
 */
export function cardNumbersIn(text: string): string[] {
  return (text.match(/(?<!\d)[2-6]\d{12,18}(?!\d)/g) ?? []).filter(luhnValid);
}

/** Payload data in a history JSON is base64: decode every payload so nothing hides in it. */
export function decodedPayloads(historyJson: string): string {
  return [...historyJson.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)]
    .map((m) => Buffer.from(group(m, 1), 'base64').toString('utf8'))
    .join('\n');
}

/** Card numbers and known credentials found in a text, each named once. */
export function secretsIn(text: string): string[] {
  const found = [
    ...cardNumbersIn(text).map((card) => `card number ${card.slice(0, 6)}…${card.slice(-4)}`),
    ...secrets()
      .filter((secret) => text.includes(secret))
      .map((secret) => `known secret ${secret.slice(0, 8)}…`),
    ...(text.match(ADIQ_ACCESS_TOKEN) ?? []).map((token) => `Adiq access token ${token.slice(0, 8)}…`),
  ];
  return [...new Set(found)];
}

/** A protobuf int64 (a `Long`): its toString prints the decimal number. */
interface LongValue {
  toNumber(): number;
  toString(): string;
}
const isLong = (node: object): node is LongValue => typeof (node as { toNumber?: unknown }).toNumber === 'function';

/** Everything a history holds, as text: byte fields (payload data and metadata) read as UTF-8. */
function historyText(value: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (node === null || node === undefined) return;
    if (node instanceof Uint8Array) parts.push(Buffer.from(node).toString('utf8'));
    else if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean')
      parts.push(String(node));
    else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object') {
      // Long values (protobuf int64) print as numbers; everything else is walked field by field.
      if (isLong(node)) parts.push(node.toString());
      else {
        for (const [key, child] of Object.entries(node)) {
          parts.push(key);
          walk(child);
        }
      }
    }
  };
  walk(value);
  return parts.join('\n');
}

interface Execution {
  workflowId: string;
  runId: string;
}

/** Every run the server knows in the namespace (basic visibility, which the time-skipping server has too). */
async function allExecutions(client: Client, namespace: string): Promise<Execution[]> {
  const service = client.workflowService;
  const executions: Execution[] = [];
  type Page = {
    executions: Array<{ execution?: { workflowId?: string | null; runId?: string | null } | null }>;
    nextPageToken?: Uint8Array | null;
  };
  const lists: Array<
    (request: { namespace: string; maximumPageSize: number; nextPageToken?: Uint8Array }) => Promise<Page>
  > = [
    (request) => service.listOpenWorkflowExecutions(request),
    (request) => service.listClosedWorkflowExecutions(request),
  ];
  for (const list of lists) {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await list({ namespace, maximumPageSize: 1000, nextPageToken });
      for (const info of page.executions) {
        if (info.execution?.workflowId && info.execution.runId)
          executions.push({ workflowId: info.execution.workflowId, runId: info.execution.runId });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }
  return executions;
}

async function historyOf(client: Client, namespace: string, execution: Execution): Promise<string> {
  const parts: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution, nextPageToken });
    parts.push(historyText(page.history));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return parts.join('\n');
}

/**
 * Scans every history on the server and throws naming each run that holds card data or a
 * credential. Returns how many runs were scanned.
 */
export async function assertHistoriesHoldNoSecrets(client: Client, namespace = 'default'): Promise<number> {
  const executions = await allExecutions(client, namespace);
  const leaks: string[] = [];
  for (const execution of executions) {
    const found = secretsIn(await historyOf(client, namespace, execution));
    if (found.length > 0) leaks.push(`${execution.workflowId} (run ${execution.runId}): ${found.join(', ')}`);
  }
  if (leaks.length > 0) throw new Error(`Workflow histories hold card data or credentials:\n${leaks.join('\n')}`);
  return executions.length;
}
