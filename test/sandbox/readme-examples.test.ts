/**
 * The README's sandbox examples work as printed: every curl command of the section "The provider
 * sandbox" is read from README.md, parsed as a POSIX shell would (quotes, line continuations,
 * comments; anything a shell would expand or glob fails the test, since zsh and bash would not run
 * it as printed), sent to an in-process sandbox in order, and checked for its stated effect.
 *
 * EXAMPLES below is the documented list, in README order: adding, removing or reordering an example
 * in the README fails this test until its expected effect is written here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { SoftDeclineError } from '../../providers/errors';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { zspayClient } from '../providers/zspay/helpers';
import { at, group } from '../helpers/defined';

const README = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SECTION_HEADING = '## The provider sandbox';
/** The port the README's examples use: `npm start`'s default SANDBOX_PORT. */
const README_HOST = /^(?:http:\/\/)?localhost:7290(?=\/)/;

function sandboxSection(readme: string): string {
  const start = readme.indexOf(`\n${SECTION_HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no section "${SECTION_HEADING}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The ```sh blocks of a markdown text. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)].map((match) => group(match, 1));
}

/** Shell words of one command line: quotes and backslashes as a POSIX shell reads them, `#` comments dropped. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unbalanced ' in: ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const ch = line.charAt(j);
        const next = line[j + 1];
        if (ch === '\\' && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          j++;
        } else if ('$`!'.includes(ch))
          throw new Error(`"${ch}" inside double quotes is expanded by the shell: ${line}`);
        else word += ch;
      }
      if (j >= line.length) throw new Error(`unbalanced " in: ${line}`);
      i = j;
      inWord = true;
    } else if (c === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if ('|&;<>()$`*?[]{}!~'.includes(c)) {
      // Pipes, expansions and globs: `?` in an unquoted URL is "no matches found" in zsh.
      throw new Error(`unquoted "${c}" would be interpreted by the shell: ${line}`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

interface CurlRequest {
  method: string;
  /** Path and query, the README's host removed. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  line: string;
}

/** The few curl options the README may use; any other fails, so an example never does what this test does not. */
function curlRequest(words: string[], line: string): CurlRequest {
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${line}`);
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const word = at(words, i, 'curl words');
    const value = () => {
      const next = words[++i];
      if (next === undefined) throw new Error(`${word} needs a value: ${line}`);
      return next;
    };
    if (word === '-X' || word === '--request') method = value();
    else if (word === '-H' || word === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      if (colon < 1) throw new Error(`malformed header "${header}": ${line}`);
      headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (word === '-d' || word === '--data' || word === '--data-raw') {
      body = value();
      if (word !== '--data-raw' && body.startsWith('@'))
        throw new Error(`data from a file is not an example that works as printed: ${line}`);
    } else if (word === '-s' || word === '-sS' || word === '-i') {
      // output only
    } else if (word.startsWith('-')) throw new Error(`curl option ${word} is not supported by this test: ${line}`);
    else if (url !== undefined) throw new Error(`two URLs: ${line}`);
    else url = word;
  }
  if (!url || !README_HOST.test(url)) throw new Error(`the URL must start with localhost:7290/: ${line}`);
  // As curl: -d makes a POST of a form unless told otherwise.
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    path: url.replace(README_HOST, ''),
    headers,
    body,
    line,
  };
}

/** The curl commands of a shell block, continuation lines joined. */
function curlRequests(block: string): CurlRequest[] {
  return block
    .replace(/\\\n/g, '')
    .split('\n')
    .map((line) => ({ line, words: shellWords(line) }))
    .filter(({ words }) => words.length > 0)
    .map(({ line, words }) => curlRequest(words, line.trim()));
}

interface Answer {
  status: number;
  body: unknown;
}

async function send(
  sandbox: RunningSandbox,
  request: Pick<CurlRequest, 'method' | 'path' | 'headers' | 'body'>,
): Promise<Answer> {
  const response = await fetch(`${sandbox.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body };
}

const zspayAuth = { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` };
const activePlatformPayment = (sandbox: RunningSandbox, resellerId: number | string, paymentId: number | string) =>
  send(sandbox, {
    method: 'GET',
    path: `/activeplatform/api/v3/resellers/${resellerId}/payments/${paymentId}`,
    headers: { 'X-Api-Token': SANDBOX_CREDENTIALS.activeplatform.apiToken, Accept: 'application/vnd.api+json' },
  });
const zapsignUpdate = (sandbox: RunningSandbox, clientApiToken: string) =>
  send(sandbox, {
    method: 'POST',
    path: '/zapsign/api/v1/partner/update-payment-status/',
    headers: {
      Authorization: `Bearer ${SANDBOX_CREDENTIALS.zapsign.partnerToken}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ client_api_token: clientApiToken, payment_status: 'adimplente' }),
  });
const cardOf = (clienteId: number, token = zspayAuth) => ({
  method: 'POST',
  path: `/zspay/clientes/${clienteId}/cartoes`,
  headers: { ...token, 'Content-Type': 'application/json' },
  body: JSON.stringify({ numero: '4111111111111111', titular: 'T', codigoSeguranca: '123', validade: '12/2030' }),
});

/** Each README example, in README order, with the effect the README states for it. */
const EXAMPLES: Array<{ request: string; effect(answer: Answer, sandbox: RunningSandbox): Promise<void> | void }> = [
  {
    request: 'POST /zspay/clientes',
    effect: (answer) => expect(answer).toMatchObject({ status: 200, body: { success: true, cliente: { id: 18638 } } }),
  },
  {
    request: 'POST /zspay/clientes/18638/cartoes',
    effect: (answer) =>
      expect(answer).toMatchObject({
        status: 200,
        body: { success: true, cartaoId: { id: 518628, cliente_id: 18638, ultimos_digitos: '1111' } },
      }),
  },
  {
    request: 'POST /zspay/__control/balances/131',
    effect: (answer) => expect(answer).toMatchObject({ status: 200, body: { currentCents: 500_000 } }),
  },
  {
    request: 'GET /zspay/estabelecimentos/131/saldo',
    effect: (answer) =>
      expect(answer).toMatchObject({ status: 200, body: { success: true, saldo: { atual: '5000.00' } } }),
  },
  {
    request: 'POST /zspay/estabelecimentos/contas_bancarias',
    effect: (answer) =>
      expect(answer).toMatchObject({ status: 200, body: { success: true, contaBancaria: { id: 27 } } }),
  },
  {
    request: 'POST /activeplatform/__control/payments',
    effect: async (answer, sandbox) => {
      expect(answer.status).toBe(201);
      expect(await activePlatformPayment(sandbox, 1, 6475)).toMatchObject({
        status: 200,
        body: { data: { id: '6475', attributes: { status: 'waiting_for_payment' } } },
      });
    },
  },
  {
    request: 'POST /activeplatform/__control/payments',
    effect: async (answer, sandbox) => {
      expect(answer.status).toBe(201);
      expect(await activePlatformPayment(sandbox, 12, 345)).toMatchObject({
        status: 200,
        body: { data: { id: '345', attributes: { status: 'waiting_for_payment' } } },
      });
    },
  },
  {
    request: 'POST /zapsign/__control/clients',
    effect: async (answer, sandbox) => {
      expect(answer.status).toBe(201);
      expect(await zapsignUpdate(sandbox, 'acme-zapsign')).toMatchObject({ status: 200 });
    },
  },
  {
    request: 'POST /__sandbox/scenarios',
    effect: async (answer, sandbox) => {
      expect(answer.status).toBe(201);
      // The engine's card charge (its Zspay client's pre-authorization) is declined once with 51, then goes through.
      const zspay = zspayClient(sandbox.url);
      const declined = await zspay
        .preCapture({ clienteId: 18638, cartaoId: 518628, amountCents: 4990 })
        .catch((error: unknown) => error);
      expect(declined).toBeInstanceOf(SoftDeclineError);
      expect(declined).toMatchObject({ code: '51' });
      const authorized = await zspay.preCapture({ clienteId: 18638, cartaoId: 518628, amountCents: 4990 });
      await zspay.capture(authorized.id);
    },
  },
  {
    request: 'GET /__sandbox/requests?provider=zspay',
    effect: (answer) => {
      expect(answer.status).toBe(200);
      const requests = answer.body as Array<{ provider: string; operation?: string; outcome?: string }>;
      expect(requests.every((r) => r.provider === 'zspay')).toBe(true);
      expect(requests).toContainEqual(
        expect.objectContaining({ operation: 'zspay.sale.precapture', outcome: 'soft_decline', status: 402 }),
      );
    },
  },
  {
    request: 'GET /__sandbox/ledger',
    effect: (answer) => {
      expect(answer.status).toBe(200);
      const charges = (answer.body as Array<{ kind: string }>).filter((e) => e.kind === 'charge');
      expect(charges).toEqual([expect.objectContaining({ provider: 'zspay', amountCents: 4990, customer: '18638' })]);
    },
  },
  {
    request: 'PUT /__sandbox/rate-limits/zspay',
    effect: async (answer, sandbox) => {
      expect(answer).toMatchObject({ status: 200, body: { provider: 'zspay', requestsPerSecond: 5, burst: 5 } });
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () =>
          send(sandbox, {
            method: 'GET',
            path: '/zspay/estabelecimentos/131/saldo',
            headers: zspayAuth,
            body: undefined,
          }),
        ),
      );
      expect(statuses.filter((s) => s.status === 429).length).toBeGreaterThan(0);
    },
  },
  {
    request: 'DELETE /__sandbox/rate-limits/zspay',
    effect: async (answer, sandbox) => {
      expect(answer.status).toBe(204);
      expect(await send(sandbox, { method: 'GET', path: '/__sandbox/rate-limits', headers: {} })).toMatchObject({
        status: 200,
        body: {},
      });
    },
  },
  {
    request: 'POST /__sandbox/reset',
    effect: async (answer, sandbox) => {
      expect(answer.status).toBe(204);
      expect((await send(sandbox, cardOf(18638))).status).toBe(404);
      expect((await send(sandbox, { method: 'GET', path: '/__sandbox/ledger', headers: {} })).body).toEqual([]);
    },
  },
];

describe("the README's sandbox examples", () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  const section = sandboxSection(README);
  const blocks = shellBlocks(section);
  const requests = blocks.flatMap(curlRequests);

  it('are the documented list, in order', () => {
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(EXAMPLES.map((e) => e.request));
  });

  it('each succeed, with the stated effect, run in order on a fresh sandbox', async () => {
    await sandbox.control.reset();
    for (const [index, request] of requests.entries()) {
      const answer = await send(sandbox, request);
      try {
        await at(EXAMPLES, index, 'EXAMPLES').effect(answer, sandbox);
      } catch (error) {
        throw new Error(
          `README example failed: ${request.line}\nanswer: ${answer.status} ${JSON.stringify(answer.body)}\n${(error as Error).message}`,
        );
      }
    }
  });

  it('name only operations the sandbox has', () => {
    const sources = ['zspay', 'adiq', 'activeplatform', 'zapsign', 'payment-status']
      .map((provider) =>
        readFileSync(path.join(__dirname, '..', '..', 'sandbox', 'providers', `${provider}.ts`), 'utf8'),
      )
      .join('\n');
    const named = [...section.matchAll(/`((?:zspay|adiq|activeplatform|zapsign|payment-status)\.[a-z_.]+)`/g)].map(
      (m) => m[1],
    );
    expect(named.length).toBeGreaterThan(5);
    // A prefix (`zspay.sale`) names the operations under it.
    expect(
      named.filter((operation) => !sources.includes(`'${operation}'`) && !sources.includes(`'${operation}.`)),
    ).toEqual([]);
  });

  it("seed what the README's subscription, transfer and reseller-payment examples name, so none ends in a held charge", async () => {
    await sandbox.control.reset();
    // The first block creates what a provider would hold; the second scripts and resets.
    for (const request of curlRequests(at(blocks, 0, 'shell blocks')))
      expect((await send(sandbox, request)).status).toBeLessThan(300);

    const cards = [...README.matchAll(/zspayClientId: '(\d+)', cardId: '(\d+)'/g)].map((m) => ({
      clienteId: group(m, 1),
      cartaoId: group(m, 2),
    }));
    expect(cards.length).toBeGreaterThan(0);
    const zspay = zspayClient(sandbox.url);
    for (const card of cards) {
      // Refused (400 unknown client or card) would be a held charge; a pre-authorization means the charge goes through.
      const authorized = await zspay.preCapture({ ...card, amountCents: 4990 }).catch((error: unknown) => error);
      expect([card, authorized]).toEqual([card, expect.objectContaining({ statusCode: 8 })]);
    }

    const payments = [
      ...[...README.matchAll(/resellerId: (\d+),\s*paymentId: (\d+)/g)],
      ...[...README.matchAll(/--reseller (\d+) --payment (\d+)/g)],
    ].map((m) => ({ resellerId: group(m, 1), paymentId: group(m, 2) }));
    expect(payments.length).toBeGreaterThan(0);
    for (const { resellerId, paymentId } of payments) {
      const answer = await activePlatformPayment(sandbox, resellerId, paymentId);
      expect([resellerId, paymentId, answer.status]).toEqual([resellerId, paymentId, 200]);
    }

    for (const ref of [...README.matchAll(/zapsignClientRef: '([^']+)'/g)].map((m) => group(m, 1)))
      expect([ref, (await zapsignUpdate(sandbox, ref)).status]).toEqual([ref, 200]);

    const accounts = (await zspay.listBankAccounts()).map((a) => String(a.id));
    for (const account of [...README.matchAll(/bankAccountId: '(\d+)'/g)].map((m) => group(m, 1)))
      expect(accounts).toContain(account);
    for (const establishment of [...README.matchAll(/sourceEstablishmentId: '(\d+)'/g)].map((m) => group(m, 1))) {
      expect((await zspay.getBalance(establishment)).currentCents).toBeGreaterThan(0);
    }
  });
});
