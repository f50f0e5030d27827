/**
 * Exit codes scripts can rely on. They are part of the CLI's contract and are
 * listed in `apogee --help`; a new outcome gets a new number, never a reused one.
 */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** The command was understood but the operation failed (unreachable address, unknown topic, refused permission). */
  failed: 1,
  /** The command line itself was wrong (unknown command or flag, bad value, missing argument) or names something not yet available. */
  usage: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An outcome the CLI reports to the user in one line on stderr, with the exit
 * code it ends with. Anything else thrown by a command is explained by
 * `describeError` and ends with `ExitCode.failed`.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue = ExitCode.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

export const exitCodesHelp = `Exit codes:
  0  success
  1  the operation failed (unreachable address, unknown topic or group, refused permission, broker error)
  2  usage error (unknown command or flag, invalid value, missing argument, feature not yet available)`;
