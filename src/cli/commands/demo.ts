import {
  type DemoAccount,
  type DemoEvent,
  InvalidOptionError,
  type RawOptions,
  runDemo,
} from '../../index.js';
import type { CliIO } from '../io.js';
import { openOutput } from '../output/output.js';
import { printError } from '../print-error.js';
import { createReporter, type Reporter } from '../render/reporter.js';
import { humanSummary } from '../render/summary.js';

/**
 * `ddbcopy demo`: starts DynamoDB Local, fills a sample table in one "account", copies it to the other
 * with the real copy engine, checks every item, and stops the server. Needs Java, nothing else.
 */
export async function demoCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const count = Number(raw.items ?? 20_000);
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000_000) {
    throw new InvalidOptionError(`--items must be a whole number from 1 to 10000000, not '${raw.items}'.`);
  }
  const say = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  let reporter: Reporter | undefined;
  const onEvent = (event: DemoEvent): void => {
    switch (event.type) {
      case 'server-starting':
        say('Starting DynamoDB Local (downloads it once, ~57 MB, into the cache)...');
        break;
      case 'server-log':
        say(event.message);
        break;
      case 'seeding':
        say(`Creating the source table '${event.table}' in account ${account(event.account)}`);
        break;
      case 'seeded':
        say(
          `Loaded ${event.items.toLocaleString('en-US')} sample items in ${(event.durationMs / 1000).toFixed(1)} s`,
        );
        break;
      case 'copy-starting':
        say(
          `\nddbcopy copy --source ${event.source} --target ${event.target} --yes (source: ${event.sourceAccount.accessKeyId}, target: ${event.targetAccount.accessKeyId})`,
        );
        reporter = createReporter(openOutput({}, io, 'demo'));
        break;
      case 'copy':
        reporter?.onEvent(event.event);
        break;
      case 'copied':
        reporter?.close();
        say(humanSummary(event.summary));
        break;
      case 'checking':
        say('\nChecking the target item by item against the source...');
        break;
    }
  };
  try {
    const { summary, error, exitCode } = await runDemo({ items: count }, { onEvent });
    reporter?.close();
    // The copy summary is printed once the check ran, whatever it found.
    if (raw.json && summary.check && summary.copy)
      io.stdout.write(`${JSON.stringify(summary.copy, null, 2)}\n`);
    if (error) {
      printError(io, error, false);
      return exitCode;
    }
    say(`Identical: ${(summary.check?.targetItems ?? 0).toLocaleString('en-US')} items, byte for byte.`);
    return 0;
  } finally {
    reporter?.close();
  }
}

function account(account: DemoAccount): string {
  return `${account.accessKeyId} (${account.region})`;
}
