/**
 * The examples at the end of each command's `--help`: commands a user can paste, with the habits of
 * the README (two profiles, one table `orders`, DynamoDB Local on port 8000). A test checks that
 * every flag they use is one of the command's flags.
 */
export const HELP_EXAMPLES: Readonly<
  Record<string, readonly (readonly [comment: string, command: string])[]>
> = {
  copy: [
    [
      'Production (profile prod) to staging (profile staging); -y answers the deletion prompt',
      'ddbcopy copy --source orders --target orders --source-profile prod --target-profile staging -y',
    ],
    [
      'The plan only: what would be deleted and created; nothing is changed',
      'ddbcopy copy --source orders --target orders --source-profile prod --target-profile staging --dry-run',
    ],
    [
      'Every prod-* table to staging-*, in one run',
      "ddbcopy copy --tables 'prod-*' --rename prod-=staging- --source-profile prod --target-profile staging -y",
    ],
    [
      'In CI: one JSON event per line on stderr (stdout keeps --json), a timestamped log to keep',
      'ddbcopy copy --source orders --target orders --source-profile prod --target-profile staging -y --json --progress json --log-file ddbcopy.log',
    ],
    [
      'Into DynamoDB Local on this machine (--profile serves both sides; the local side takes any key)',
      'ddbcopy copy --source orders --target orders --profile prod --target-endpoint-url http://localhost:8000 -y',
    ],
  ],
  verify: [
    [
      'Compare a copy with its source, item by item (exit 1 on a difference)',
      'ddbcopy verify --source orders --target orders --source-profile prod --target-profile staging',
    ],
    [
      'The same as JSON, naming up to 50 keys per kind of difference',
      'ddbcopy verify --source orders --target orders --source-profile prod --target-profile staging --json --samples 50',
    ],
  ],
  export: [
    [
      'Into a local directory, in the layout of AWS Export to S3 (DYNAMODB_JSON)',
      'ddbcopy export --source orders --source-profile prod --out ./orders-export',
    ],
    [
      "Into a bucket, signed with the source side's credentials",
      'ddbcopy export --source orders --source-profile prod --out s3://my-exports/orders',
    ],
  ],
  import: [
    [
      'Recreate the target from an export directory',
      'ddbcopy import --from ./orders-export --target orders --target-profile staging -y',
    ],
    [
      'Load it into DynamoDB Local (any key and region will do)',
      'AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local ddbcopy import --from ./orders-export --target orders --endpoint-url http://localhost:8000 --region us-east-1 -y',
    ],
  ],
  follow: [
    [
      'The copy began at 09:00 UTC: apply every change since, then keep following until Ctrl-C',
      'ddbcopy follow --source orders --target orders --source-profile prod --target-profile staging --from 2026-12-01T09:00:00Z',
    ],
    [
      'Writes to the source have stopped: apply the last changes, then exit 0',
      'ddbcopy follow --source orders --target orders --source-profile prod --target-profile staging --resume --until-caught-up',
    ],
  ],
  'iam-policy': [
    [
      'The policies a copy with these flags needs (touches nothing, needs no credentials)',
      'ddbcopy iam-policy --source orders --target orders --source-profile prod --target-profile staging',
    ],
    [
      'With roles in each account, and who assumes them',
      'ddbcopy iam-policy --source orders --target orders --source-role-arn arn:aws:iam::111111111111:role/ddbcopy-reader --target-role-arn arn:aws:iam::222222222222:role/ddbcopy-writer --region eu-west-1 --principal arn:aws:iam::333333333333:role/ci-runner',
    ],
  ],
  demo: [
    ['A copy between two local "accounts" (needs Java 17+)', 'ddbcopy demo'],
    ['A smaller table, the summary as JSON', 'ddbcopy demo --items 1000 --json'],
  ],
  completion: [
    [
      'Bash: load it now, and in every new shell',
      "source <(ddbcopy completion bash)\necho 'source <(ddbcopy completion bash)' >> ~/.bashrc",
    ],
    ['Zsh (after compinit)', "echo 'source <(ddbcopy completion zsh)' >> ~/.zshrc"],
    ['Fish', 'ddbcopy completion fish > ~/.config/fish/completions/ddbcopy.fish'],
  ],
};

/** Help lines stay within this many columns where a command can be broken before a flag. */
const HELP_WIDTH = 100;

/** The text after a command's help: its examples, or nothing for a command without any. */
export function examplesHelp(command: string): string {
  const examples = HELP_EXAMPLES[command];
  if (!examples) return '';
  const blocks = examples.map(([comment, lines]) =>
    [`  # ${comment}`, ...lines.split('\n').map((line) => wrapCommand(line, '  '))].join('\n'),
  );
  return `\nExamples:\n${blocks.join('\n\n')}`;
}

/** A long command broken before its flags with ` \\`, so it still pastes as one command. */
function wrapCommand(line: string, indent: string): string {
  // A flag and the words after it up to the next flag (its value) stay on one row.
  const units: string[] = [];
  for (const word of line.split(' ')) {
    if (word.startsWith('-') || units.length === 0) units.push(word);
    else units[units.length - 1] += ` ${word}`;
  }
  const rows: string[] = [];
  let row = `${indent}${units[0]}`;
  for (const unit of units.slice(1)) {
    if (row.length + 1 + unit.length > HELP_WIDTH - 2) {
      rows.push(`${row} \\`);
      row = `${indent}  ${unit}`;
    } else row += ` ${unit}`;
  }
  return [...rows, row].join('\n');
}
