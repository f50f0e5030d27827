/**
 * The `apogee` command: parses the command line with commander, runs one
 * command and turns its outcome into an exit code (see exit-codes.ts). Command
 * modules declare their flags eagerly, so `--help` is complete and fast, and
 * load the servers or the SDK only when they run.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { benchCommand } from './commands/bench.ts';
import { consumeCommand } from './commands/consume.ts';
import { brokerStatusCommand, groupCommand, lagCommand, messageCommand, offsetCommand } from './commands/admin.ts';
import { produceCommand } from './commands/produce.ts';
import { processCommands } from './commands/processes.ts';
import { topicCommand } from './commands/topic.ts';
import { describeError } from './describe-error.ts';
import { CliError, ExitCode, exitCodesHelp } from './exit-codes.ts';
import { printError } from './output.ts';

/**
 * How long a finished command may wait for stray handles (a socket a server
 * left open, a timer) before the process exits anyway. A CLI that has printed
 * its result must not hang a script.
 */
export const lingerAfterCommandMs = 3000;

/**
 * Runs `apogee` with the arguments after the program name and resolves with
 * the exit code. Used by bin/apogee.mjs.
 *
 * @example
 * process.exitCode = await main(['topic', 'list', '--json']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const exitCode = await run(argv);
  setTimeout(() => process.exit(exitCode), lingerAfterCommandMs).unref();
  return exitCode;
}

/** Like `main`, without the exit guard, for running the CLI inside another program. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return exitCodeOf(error);
  }
}

export function buildProgram(): Command {
  const program = new Command('apogee')
    .description('Apogee: a RocketMQ-compatible messaging service. Run the servers, administer topics and groups, produce, consume and benchmark.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpCommand(true)
    .addHelpText(
      'after',
      `
Start everything in one process with \`apogee standalone\` (what \`npm start\` runs).
Client commands find the NameServer through --namesrv or APOGEE_NAMESRV (default 127.0.0.1:9876).
Every command has --help.

${exitCodesHelp}`,
    );
  for (const command of processCommands()) program.addCommand(command);
  program
    .addCommand(topicCommand())
    .addCommand(groupCommand())
    .addCommand(lagCommand())
    .addCommand(messageCommand())
    .addCommand(offsetCommand())
    .addCommand(brokerStatusCommand())
    .addCommand(produceCommand())
    .addCommand(consumeCommand())
    .addCommand(benchCommand());
  configureTree(program);
  return program;
}

/** Settings commander does not pass down to commands built on their own, applied to every level. */
function configureTree(command: Command): void {
  command
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`apogee: ${text}`) });
  for (const child of command.commands) configureTree(child);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed help or the usage message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    if (error.code === 'commander.help') return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    return ExitCode.usage;
  }
  if (error instanceof CliError) {
    printError(error.message);
    return error.exitCode;
  }
  printError(describeError(error));
  return ExitCode.failed;
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
