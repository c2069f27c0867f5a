/**
 * `billing`: the engine's command line, on the same typed client as the HTTP API.
 * Exit codes (see ExitCode in ./format): 0 ok, 1 other failure, 2 usage/validation, 3 not found,
 * 4 conflict, 5 rejected in the current state. Errors go to stderr; with --json, stdout also gets
 * exactly one document: the result, or {"error": {type, message, issues?}}.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { CliContext, type CliIo, type GlobalOptions } from './commands/context';
import { registerAdiqCommands } from './commands/adiq';
import { registerBillingRunCommands } from './commands/billing-runs';
import { registerResellerPaymentCommands } from './commands/reseller-payments';
import { registerSubscriptionCommands } from './commands/subscriptions';
import { registerTransferCommands } from './commands/transfers';
import { registerCouponCommands } from './commands/coupons';
import { describeError, errorDocument, exitCodeFor, ExitCode } from './format';

export function buildProgram(context: CliContext): Command {
  const program = new Command('billing')
    .description('Operate the subscription billing engine on Temporal')
    .version(version)
    .option('--json', 'machine output: exactly one JSON document on stdout')
    .option('--address <host:port>', 'Temporal frontend (overrides TEMPORAL_ADDRESS)')
    .option('--namespace <name>', 'Temporal namespace (overrides TEMPORAL_NAMESPACE)')
    .option('--task-queue <name>', 'task queue new workflows start on (overrides BILLING_TASK_QUEUE)')
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    // Throw instead of exiting, so usage errors get exit code 2 and a JSON document; subcommands inherit this.
    .exitOverride();
  context.globalOptions = () => program.opts<GlobalOptions>();
  registerSubscriptionCommands(program, context);
  registerResellerPaymentCommands(program, context);
  registerAdiqCommands(program, context);
  registerBillingRunCommands(program, context);
  registerTransferCommands(program, context);
  registerCouponCommands(program, context);
  return program;
}

/** Runs one command line (process.argv style) and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context = new CliContext(io);
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    if (code === ExitCode.ok) return code;
    // Commander has already printed its own usage errors.
    if (!(error instanceof CommanderError)) io.stderr.write(`${describeError(error)}\n`);
    if (context.json) io.stdout.write(`${JSON.stringify(errorDocument(error), null, 2)}\n`);
    return code;
  } finally {
    await context.close();
  }
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export function main(): void {
  void runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
