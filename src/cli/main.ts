import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import {
  COPY_OPTION_DECLARATIONS,
  EXIT,
  EXPORT_OPTION_DECLARATIONS,
  errorReport,
  FOLLOW_OPTION_DECLARATIONS,
  IAM_POLICY_SIDE_DECLARATION,
  IMPORT_OPTION_DECLARATIONS,
  isDdbCopyError,
  type OptionDeclaration,
  type RawOptions,
  TABLE_SET_DECLARATIONS,
  VERIFY_OPTION_DECLARATIONS,
  withFlagWording,
} from '../index.js';
import {
  COMPLETION_SHELLS,
  type CompletionShell,
  completionCommand,
  completionCommands,
  type FlagExtras,
} from './commands/completion.js';
import { copyCommand } from './commands/copy.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { followCommand } from './commands/follow.js';
import { iamPolicyCommand } from './commands/iam-policy.js';
import { importCommand } from './commands/import.js';
import { verifyCommand } from './commands/verify.js';
import { unknownFlagMessage } from './flag-hints.js';
import { examplesHelp } from './help-examples.js';
import { type CliIO, processIO } from './io.js';
import { printError } from './print-error.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Parses argv, runs one command, and maps every outcome to an exit code in this one place. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  // The command being parsed, for the unknown-flag message; unset while the program's own flags are.
  let parsing: Command | undefined;
  const program = new Command('ddbcopy')
    .description(
      'Copy Amazon DynamoDB tables between AWS accounts and regions: schema, settings and every item.',
    )
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(unknownFlagMessage(text, { program, command: parsing, argv })),
    })
    .hook('preSubcommand', (_program, command) => {
      parsing = command;
    });

  const copy = program
    .command('copy')
    .description('recreate the target table from the source and copy every item')
    .allowExcessArguments(false);
  for (const declaration of [...COPY_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS]) {
    copy.addOption(toOption(declaration));
  }
  copy.action(async (raw: RawOptions) => {
    exitCode = await copyCommand(raw, io, argv);
  });

  const verify = program
    .command('verify')
    .description('compare the target with the source, item by item and schema, and name every difference')
    .allowExcessArguments(false);
  for (const declaration of [...VERIFY_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS]) {
    verify.addOption(toOption(declaration));
  }
  verify.action(async (raw: RawOptions) => {
    exitCode = await verifyCommand(raw, io, argv);
  });

  const exportTable = program
    .command('export')
    .description("write the table into a directory in AWS's Export to S3 format (DYNAMODB_JSON)")
    .allowExcessArguments(false);
  for (const declaration of [...EXPORT_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS]) {
    exportTable.addOption(toOption(declaration));
  }
  exportTable.action(async (raw: RawOptions) => {
    exitCode = await exportCommand(raw, io, argv);
  });

  const importTable = program
    .command('import')
    .description('recreate the target table from an export directory and load its items')
    .allowExcessArguments(false);
  for (const declaration of [...IMPORT_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS]) {
    importTable.addOption(toOption(declaration));
  }
  importTable.action(async (raw: RawOptions) => {
    exitCode = await importCommand(raw, io, argv);
  });

  const follow = program
    .command('follow')
    .description(
      "keep a target copied before in step with the source: apply the source's stream (puts and deletes)",
    )
    .allowExcessArguments(false);
  for (const declaration of FOLLOW_OPTION_DECLARATIONS) follow.addOption(toOption(declaration));
  follow.action(async (raw: RawOptions) => {
    exitCode = await followCommand(raw, io, argv);
  });

  const iamPolicy = program
    .command('iam-policy')
    .description('print the least-privilege IAM policies (source role, target role, trust) for a copy')
    .allowExcessArguments(false);
  // It prints documents and runs nothing: no progress to show or log.
  for (const declaration of [...COPY_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS]) {
    if (declaration.flag === 'progress' || declaration.flag === 'log-file') continue;
    iamPolicy.addOption(toOption(declaration));
  }
  iamPolicy.addOption(new Option('--principal <arn>', 'who assumes the roles, for the trust policies'));
  iamPolicy.addOption(toOption(IAM_POLICY_SIDE_DECLARATION));
  iamPolicy.action(async (raw: RawOptions) => {
    exitCode = await iamPolicyCommand(raw, io);
  });

  program
    .command('demo')
    .description('copy a sample table between two local "accounts" (needs Java; no AWS account)')
    .option('--items <n>', 'items in the sample table', '20000')
    .option('--json', 'print the copy summary as JSON on stdout')
    .action(async (raw: RawOptions) => {
      exitCode = await demoCommand(raw, io);
    });

  program
    .command('completion')
    .description('print the completion script for a shell: bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .allowExcessArguments(false)
    .action((shell: CompletionShell) => {
      exitCode = completionCommand(
        shell,
        completionCommands(program, (option) => flagExtras.get(option)),
        io,
      );
    });

  for (const command of program.commands) command.addHelpText('after', examplesHelp(command.name()));
  program.addHelpText('after', "\nRun 'ddbcopy COMMAND --help' for a command's flags and examples.");

  try {
    // Errors name the flags typed here (`--write-rate`), not the library's options (`writeRate`).
    await withFlagWording(() => program.parseAsync(argv, { from: 'user' }));
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every parse error (unknown flag, missing value) is bad input.
      if (error.exitCode === 0) return EXIT.ok;
      writeJsonError(io, argv, { code: 'INVALID_OPTION', message: error.message.replace(/^error: /, '') });
      return EXIT.badInput;
    }
    printError(io, error, argv.includes('--verbose'));
    if (isDdbCopyError(error)) writeJsonError(io, argv, errorReport(error));
    return isExpected(error) ? (error as { exitCode: number }).exitCode : EXIT.failed;
  }
}

/**
 * With --json, a run refused before it started (bad input) still prints one JSON document on stdout,
 * as scripts parse stdout: `{"command","status":"failed","error":{code,message,...}}`. Runs that
 * started print their own summary instead and never reach here.
 */
function writeJsonError(io: CliIO, argv: readonly string[], error: object): void {
  const command = argv.find((arg) => !arg.startsWith('-')) ?? null;
  // iam-policy's stdout holds policy documents only (`--side` prints one to paste as it is).
  if (!argv.includes('--json') || command === 'iam-policy') return;
  io.stdout.write(`${JSON.stringify({ command, status: 'failed', error }, null, 2)}\n`);
}

function isExpected(error: unknown): boolean {
  return (
    typeof (error as { exitCode?: unknown })?.exitCode === 'number' &&
    error instanceof Error &&
    'code' in error
  );
}

/** What a flag's declaration says beyond commander's Option, for the completion scripts. */
const flagExtras = new WeakMap<Option, FlagExtras>();

function toOption(declaration: OptionDeclaration): Option {
  const long = `--${declaration.flag}${declaration.value ? ` <${declaration.value.toLowerCase()}>` : ''}`;
  const flags = declaration.short ? `-${declaration.short}, ${long}` : long;
  const help = declaration.defaultHelp
    ? `${declaration.help} (default: ${declaration.defaultHelp})`
    : declaration.help;
  const option = new Option(flags, help);
  // A repeatable flag collects its values: --rename a=b --rename c=d → ['a=b', 'c=d'].
  if (declaration.repeatable)
    option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  flagExtras.set(option, { choices: declaration.choices, repeatable: declaration.repeatable });
  return option;
}
