import type { Command } from 'commander';

/**
 * Commander's "unknown option" error, told what every command takes. Commander suggests the nearest
 * spelling among the flags of the command it is parsing and of the program (`--regoin` → `--region`,
 * `--source-profil` → `--source-profile`), which is right for a typo; but a real flag in the wrong
 * place got the program's `--version` as its nearest spelling. Now:
 * - a flag written before the command name (`ddbcopy --region eu-west-1 copy ...`, the AWS CLI's
 *   order) gets the command line rewritten with the command first;
 * - a flag of other commands given to one without it (`demo --region`) names the commands that take it.
 * Any other message is returned as it was.
 */
export function unknownFlagMessage(
  message: string,
  where: { program: Command; command: Command | undefined; argv: readonly string[] },
): string {
  const match = /^error: unknown option '([^']+)'/.exec(message);
  if (!match) return message;
  const flag = match[1]!.split('=')[0]!;
  const owners = where.program.commands
    .filter((command) => command.options.some((option) => option.long === flag || option.short === flag))
    .map((command) => command.name());
  if (owners.length === 0) return message;
  if (where.command === undefined) {
    const named = where.argv.find((word) => owners.includes(word));
    if (named === undefined) {
      return `error: ${flag} goes after the command name, e.g. ddbcopy ${owners[0]} ${flag} ... (it is a flag of ${owners.join(', ')})\n`;
    }
    const at = where.argv.indexOf(named);
    const line = [named, ...where.argv.slice(0, at), ...where.argv.slice(at + 1)].map(shellWord).join(' ');
    return `error: ${flag} goes after the command name: ddbcopy ${line}\n`;
  }
  return `error: unknown option '${flag}': '${where.command.name()}' takes no ${flag} (a flag of ${owners.join(', ')})\n`;
}

/** A word as a shell would need it typed, for a command line shown to be pasted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
